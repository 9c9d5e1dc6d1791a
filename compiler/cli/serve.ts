import { Command } from '@oclif/core'
import { distFlag, manifestFlag } from './shared.js'
import { bundlePath, runBundle } from './run-bundle.js'

export default class Serve extends Command {
  static override description = 'Run the built service (the same as node dist/server.mjs); PORT and HOST choose where it listens'
  static override examples = ['<%= config.bin %> serve', 'PORT=3000 <%= config.bin %> serve --manifest api/.fusio.yml']
  static override flags = { manifest: manifestFlag, dist: distFlag }

  async run(): Promise<void> {
    const { flags } = await this.parse(Serve)
    const code = await runBundle(bundlePath(flags.manifest, flags.dist), ['serve'])
    if (code !== 0) this.exit(code)
  }
}
