import { Command } from '@oclif/core'
import { distFlag, manifestFlag } from './shared.js'
import { bundlePath, runBundle } from './run-bundle.js'

export default class Serve extends Command {
  static override summary = 'Run the built service (the same as node dist/server.mjs)'
  static override description = 'Serves until SIGTERM or Ctrl-C, then drains. PORT and HOST choose where it listens; the service logs JSON lines (pino) on stdout.'
  static override examples = [
    { description: 'Build and serve the project in the current folder on 127.0.0.1:8080', command: '<%= config.bin %> build && <%= config.bin %> serve' },
    { description: 'Serve another project on every interface, port 3000', command: 'PORT=3000 HOST=0.0.0.0 <%= config.bin %> serve --manifest my-api/.fusio.yml' },
  ]
  static override flags = { manifest: manifestFlag, dist: distFlag }

  async run(): Promise<void> {
    const { flags } = await this.parse(Serve)
    const { code } = await runBundle(bundlePath(flags.manifest, flags.dist), ['serve'])
    if (code !== 0) this.exit(code)
  }
}
