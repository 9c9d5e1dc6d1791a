import { Command } from '@oclif/core'
import { validate } from '../index.js'
import { jsonFlag, manifestFlag, report } from './shared.js'

export default class Validate extends Command {
  static override description = 'Check a manifest: load, resolve and model it, and print every diagnostic (exit 1 on any error)'
  static override examples = ['<%= config.bin %> validate', '<%= config.bin %> validate --manifest api/.fusio.yml --json']
  static override flags = { manifest: manifestFlag, json: jsonFlag }

  async run(): Promise<void> {
    const { flags } = await this.parse(Validate)
    const result = await validate({ manifest: flags.manifest })
    report(this, result, flags.json, { operations: result.model?.operations.length ?? 0 })
    if (!flags.json) this.log(`${flags.manifest}: ${result.model?.operations.length ?? 0} operations, no errors`)
  }
}
