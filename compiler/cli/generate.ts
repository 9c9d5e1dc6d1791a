import { Command } from '@oclif/core'
import { generate } from '../index.js'
import { jsonFlag, manifestFlag, outFlag, report } from './shared.js'

export default class Generate extends Command {
  static override description = 'Write the generated TypeScript (types, validators, serializers, route table, OpenAPI) for review'
  static override examples = ['<%= config.bin %> generate', '<%= config.bin %> generate --out src/generated']
  static override flags = { manifest: manifestFlag, out: outFlag, json: jsonFlag }

  async run(): Promise<void> {
    const { flags } = await this.parse(Generate)
    const result = await generate({ manifest: flags.manifest, outDir: flags.out })
    report(this, result, flags.json, { files: result.files?.map((f) => f.path) ?? [] })
    if (!flags.json) this.log(`wrote ${result.files?.length ?? 0} files to ${flags.out}/ in ${Math.round(Object.values(result.timings).reduce((a, b) => a + (b ?? 0), 0))} ms`)
  }
}
