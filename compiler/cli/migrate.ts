import { Command } from '@oclif/core'
import { distFlag, manifestFlag } from './shared.js'
import { bundlePath, runBundle } from './run-bundle.js'

export default class Migrate extends Command {
  static override description = "Apply the manifest's migrations with the built service (node dist/server.mjs migrate), then exit"
  static override examples = ['<%= config.bin %> migrate']
  static override flags = { manifest: manifestFlag, dist: distFlag }

  async run(): Promise<void> {
    const { flags } = await this.parse(Migrate)
    const code = await runBundle(bundlePath(flags.manifest, flags.dist), ['migrate'])
    if (code !== 0) this.exit(code)
  }
}
