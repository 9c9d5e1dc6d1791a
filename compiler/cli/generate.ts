import { Command } from '@oclif/core'
import { generate } from '../index.js'
import { jsonFlag, manifestFlag, outFlag, report } from './shared.js'

export default class Generate extends Command {
  static override summary = 'Write the generated TypeScript (types, validators, serializers, route table, OpenAPI) for review'
  static override description =
    'Runs load, resolve, model, emit and write, but neither type-checks handlers nor bundles. The output is formatted and deterministic: the same manifest gives the same bytes.'
  static override examples = [
    { description: 'Write generated/ next to the manifest in the current folder', command: '<%= config.bin %> generate' },
    { description: 'Write into another folder and list the files as JSON', command: '<%= config.bin %> generate --manifest my-api/.fusio.yml --out src/generated --json' },
  ]
  static override flags = { manifest: manifestFlag, out: outFlag, json: jsonFlag }

  async run(): Promise<void> {
    const { flags } = await this.parse(Generate)
    const result = await generate({ manifest: flags.manifest, outDir: flags.out })
    report(this, result, flags.json, { files: result.files?.map((f) => f.path) ?? [] }, flags.manifest)
    if (!flags.json) this.log(`wrote ${result.files?.length ?? 0} files to ${flags.out}/ in ${Math.round(Object.values(result.timings).reduce((a, b) => a + (b ?? 0), 0))} ms`)
  }
}
