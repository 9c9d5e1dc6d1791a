import { Command, Flags } from '@oclif/core'
import { build } from '../index.js'
import { distFlag, formatBytes, jsonFlag, manifestFlag, outFlag, report } from './shared.js'

export default class Build extends Command {
  static override description = 'Generate, type-check custom handlers and bundle one self-contained service into dist/'
  static override examples = ['<%= config.bin %> build', '<%= config.bin %> build --manifest api/.fusio.yml && node api/dist/server.mjs']
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
    const result = await build({ manifest: flags.manifest, outDir: flags.out, distDir: flags.dist, minify: flags.minify })
    const total = Math.round(performance.now() - started)
    const routes = result.model?.operations.flatMap((op) => op.urls.map((url) => ({ method: op.method, url, operation: op.id, public: op.public }))) ?? []
    report(this, result, flags.json, { routes, bundle: result.bundle?.files ?? [], totalMs: total })
    if (flags.json) return
    const width = Math.max(...routes.map((r) => r.url.length), 4)
    for (const r of routes) this.log(`  ${r.method.padEnd(6)} ${r.url.padEnd(width)}  ${r.operation}${r.public ? '' : ' (private)'}`)
    for (const f of result.bundle?.files ?? []) this.log(`  ${flags.dist}/${f.path.padEnd(16)} ${formatBytes(f.bytes)}`)
    const stages = Object.entries(result.timings).map(([stage, ms]) => `${stage} ${Math.round(ms ?? 0)}`).join(', ')
    this.log(`built ${routes.length} routes in ${total} ms (${stages} ms)`)
  }
}
