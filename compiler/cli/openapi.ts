import { writeFileSync } from 'node:fs'
import { Command, Flags } from '@oclif/core'
import { emitOnly } from '../index.js'
import { manifestFlag, report } from './shared.js'

export default class OpenApi extends Command {
  static override description = 'Print the OpenAPI 3.1 document of the manifest, or write it to a file'
  static override examples = ['<%= config.bin %> openapi > openapi.json', '<%= config.bin %> openapi --output docs/openapi.json']
  static override flags = { manifest: manifestFlag, output: Flags.string({ description: 'file to write instead of printing' }) }

  async run(): Promise<void> {
    const { flags } = await this.parse(OpenApi)
    const result = await emitOnly({ manifest: flags.manifest })
    report(this, result, false)
    const document = result.files?.find((f) => f.path === 'openapi.json')?.contents ?? ''
    if (flags.output) writeFileSync(flags.output, document)
    else process.stdout.write(document)
  }
}
