import { Command } from '@oclif/core'
import { validate } from '../index.js'
import { jsonFlag, manifestFlag, report } from './shared.js'

export default class Validate extends Command {
  static override summary = 'Check a manifest: load, resolve and model it, and print every diagnostic (exit 1 on any error)'
  static override description =
    'Each diagnostic is printed as file:line:column: severity CODE: message, followed by the lines of the file it points at with a caret under the column, and a hint when there is one. Colour is used on a terminal outside CI; NO_COLOR turns it off and FORCE_COLOR on.'
  static override examples = [
    { description: 'Check the manifest in the current folder', command: '<%= config.bin %> validate' },
    { description: 'Check another manifest and get the diagnostics as JSON, e.g. for CI annotations', command: '<%= config.bin %> validate --manifest my-api/.fusio.yml --json' },
  ]
  static override flags = { manifest: manifestFlag, json: jsonFlag }

  async run(): Promise<void> {
    const { flags } = await this.parse(Validate)
    const result = await validate({ manifest: flags.manifest })
    report(this, result, flags.json, { operations: result.model?.operations.length ?? 0 }, flags.manifest)
    if (!flags.json) this.log(`${flags.manifest}: ${result.model?.operations.length ?? 0} operations, no errors`)
  }
}
