import { Command, Flags } from '@oclif/core'
import { build } from '../index.js'
import { stageProgress } from './progress.js'
import { distFlag, formatBytes, jsonFlag, manifestFlag, outFlag, report } from './shared.js'

export default class Build extends Command {
  static override summary = 'Generate, type-check custom handlers and bundle one self-contained service into dist/'
  static override description =
    'Runs every stage (load, resolve, model, emit, write, check, bundle). While it works, stderr shows the running stage, or one line per finished stage when stderr is not a terminal or CI is set; then it prints the routes, the bundle files and the time per stage. --json prints all of that as one JSON document and no progress.'
  static override examples = [
    { description: 'Build the project in the current folder', command: '<%= config.bin %> build' },
    { description: 'Build another project and run it', command: '<%= config.bin %> build --manifest my-api/.fusio.yml && node my-api/dist/server.mjs' },
    { description: 'A minified bundle, with routes, files and timings as JSON (no progress output)', command: '<%= config.bin %> build --minify --json' },
  ]
  static override flags = {
    manifest: manifestFlag,
    out: outFlag,
    dist: distFlag,
    minify: Flags.boolean({ description: 'minify dist/server.mjs', default: false }),
    json: jsonFlag,
  }

  async run(): Promise<void> {
    const { flags } = await this.parse(Build)
    const started = performance.now()
    const progress = flags.json ? undefined : stageProgress()
    const result = await build({ manifest: flags.manifest, outDir: flags.out, distDir: flags.dist, minify: flags.minify, ...(progress ? { onStage: progress.onStage } : {}) }).finally(() => progress?.done())
    const total = Math.round(performance.now() - started)
    const routes = result.model?.operations.flatMap((op) => op.urls.map((url) => ({ method: op.method, url, operation: op.id, public: op.public }))) ?? []
    report(this, result, flags.json, { routes, bundle: result.bundle?.files ?? [], totalMs: total }, flags.manifest)
    if (flags.json) return
    const width = Math.max(...routes.map((r) => r.url.length), 4)
    for (const r of routes) this.log(`  ${r.method.padEnd(6)} ${r.url.padEnd(width)}  ${r.operation}${r.public ? '' : ' (private)'}`)
    for (const f of result.bundle?.files ?? []) this.log(`  ${flags.dist}/${f.path.padEnd(16)} ${formatBytes(f.bytes)}`)
    const stages = Object.entries(result.timings).map(([stage, ms]) => `${stage} ${Math.round(ms ?? 0)}`).join(', ')
    this.log(`built ${routes.length} routes in ${total} ms (${stages} ms)`)
  }
}
