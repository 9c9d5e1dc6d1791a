import { Command } from '@oclif/core'
import { distFlag, jsonFlag, manifestFlag } from './shared.js'
import { bundlePath, runBundle } from './run-bundle.js'

/** The service logs each migration it applies with this message (runtime-min/migrations.ts). */
const APPLIED = 'migration applied'

export default class Migrate extends Command {
  static override summary = "Apply the manifest's migrations with the built service (node dist/server.mjs migrate), then exit"
  static override description =
    'Only migrations that have not run yet are applied; each applied file is logged as a JSON line (pino) on stdout. --json prints one document instead: { ok, applied: [{ connection, migration }] }.'
  static override examples = [
    { description: 'Build, then migrate the databases of the project in the current folder', command: '<%= config.bin %> build && <%= config.bin %> migrate' },
    { description: 'Migrate a project whose connection url is ${env.DB_URL}, with its bundle built into build/', command: 'DB_URL=postgres://app@db/app <%= config.bin %> migrate --manifest my-api/.fusio.yml --dist build' },
    { description: 'List the migrations applied by this run as JSON, e.g. in a deploy script', command: '<%= config.bin %> migrate --json' },
  ]
  static override flags = { manifest: manifestFlag, dist: distFlag, json: jsonFlag }

  async run(): Promise<void> {
    const { flags } = await this.parse(Migrate)
    const entry = bundlePath(flags.manifest, flags.dist)
    if (!flags.json) {
      const { code } = await runBundle(entry, ['migrate'])
      if (code !== 0) this.exit(code)
      return
    }
    // The applied files are read from the service's own log lines, so they must be logged.
    const { code, stdout } = await runBundle(entry, ['migrate'], { captureStdout: true, env: { FUSIO_LOG_LEVEL: 'info' } })
    this.log(JSON.stringify({ ok: code === 0, applied: appliedMigrations(stdout) }, null, 2))
    if (code !== 0) this.exit(code)
  }
}

/** The `{ connection, migration }` of every "migration applied" line of the service's JSON log. */
function appliedMigrations(log: string): { connection: string; migration: string }[] {
  return log
    .split('\n')
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as { msg?: string; connection: string; migration: string }]
      } catch {
        return []
      }
    })
    .filter((record) => record.msg === APPLIED)
    .map(({ connection, migration }) => ({ connection, migration }))
}
