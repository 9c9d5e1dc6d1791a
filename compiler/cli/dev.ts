import { dirname, resolve } from 'node:path'
import { Command, Flags } from '@oclif/core'
import { renderJson, renderText, startDev, type DevEvent } from '../dev/index.js'
import { distFlag, jsonFlag, manifestFlag, outFlag, readSourceIn, useColor } from './shared.js'

export default class Dev extends Command {
  static override summary = 'Build, serve and rebuild on every change: the inner loop'
  static override description =
    'Builds the project, runs dist/server.mjs and watches the manifest, the files it includes, schemas, SQL files, handlers and what they import. After a change it rebuilds in the same process (emit cache, esbuild and the type checker stay warm), and when the bundle changed it stops the service with SIGTERM (it drains) and starts the new one: one line per rebuild tells what changed and the time to build and to answer /health again. A failed build prints its diagnostics and leaves the running service alone. Handlers are type-checked right after the restart, not before: esbuild strips types, so the service runs meanwhile, and type errors are printed as soon as the check ends (fusio build still stops on them). SQLite files and .fusio/ are never touched; migrations apply once each, as on every start. Ctrl-C stops the service and exits.'
  static override examples = [
    { description: 'Develop the project in the current folder on 127.0.0.1:8080', command: '<%= config.bin %> dev' },
    { description: 'Another project on port 3000, every interface', command: 'HOST=0.0.0.0 <%= config.bin %> dev --manifest my-api/.fusio.yml --port 3000' },
    { description: 'One JSON line per event (build, restart, check, error) for an editor or a script; the service logs go to stderr', command: '<%= config.bin %> dev --json' },
  ]
  static override flags = {
    manifest: manifestFlag,
    out: outFlag,
    dist: distFlag,
    // Not 0: dev must know the port to ask /health whether the service is up.
    port: Flags.integer({ char: 'p', description: 'port of the service (default: PORT, else 8080)', min: 1, max: 65535 }),
    json: jsonFlag,
  }

  async run(): Promise<void> {
    const { flags } = await this.parse(Dev)
    const manifest = resolve(flags.manifest)
    const port = flags.port ?? Number(process.env.PORT ?? 8080)
    const color = useColor()
    // Diagnostics show the lines they point at; their files are relative to the project folder.
    const readSource = readSourceIn(dirname(manifest))
    const print = (event: DevEvent) => {
      if (flags.json) {
        for (const line of renderJson(event)) process.stdout.write(`${line}\n`)
        return
      }
      const text = renderText(event, { color, readSource })
      if (text !== undefined) process.stderr.write(`${text}\n`)
    }
    const session = startDev({
      manifest,
      outDir: flags.out,
      distDir: flags.dist,
      host: process.env.HOST ?? '127.0.0.1',
      port,
      env: process.env,
      report: print,
      // --json keeps stdout to the events; the service's log lines go to stderr then.
      serviceOutput: flags.json ? process.stderr : process.stdout,
    })
    await new Promise<void>((done) => {
      const stop = () => {
        process.off('SIGINT', stop)
        process.off('SIGTERM', stop)
        session.stop().then(done, (error: unknown) => {
          print({ kind: 'failure', message: `stopping: ${error instanceof Error ? error.message : String(error)}` })
          done()
        })
      }
      process.on('SIGINT', stop)
      process.on('SIGTERM', stop)
    })
  }
}
