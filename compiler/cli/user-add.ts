import { Command, Flags } from '@oclif/core'
import { distFlag, manifestFlag } from './shared.js'
import { bundlePath, runBundle } from './run-bundle.js'

export default class UserAdd extends Command {
  static override description =
    'Create an active account in the service database with the built service (node dist/server.mjs user:add); the password comes from FUSIO_USER_PASSWORD or standard input'
  static override examples = [
    'echo "$ADMIN_PASSWORD" | <%= config.bin %> user:add --role Administrator --name admin --email admin@example.com',
    'FUSIO_DATABASE_URL=postgres://… FUSIO_USER_PASSWORD=… <%= config.bin %> user:add --name ops --email ops@example.com --role Administrator',
  ]
  static override flags = {
    manifest: manifestFlag,
    dist: distFlag,
    name: Flags.string({ description: 'login name (3–64 of A-Z a-z 0-9 . _ -)', required: true }),
    email: Flags.string({ description: 'e-mail address', required: true }),
    role: Flags.string({ description: 'a role of the manifest (default: config role_default, or Consumer)' }),
    plan: Flags.string({ description: 'a plan of the manifest' }),
  }

  async run(): Promise<void> {
    const { flags } = await this.parse(UserAdd)
    const args = ['user:add', '--name', flags.name, '--email', flags.email, ...(flags.role ? ['--role', flags.role] : []), ...(flags.plan ? ['--plan', flags.plan] : [])]
    const code = await runBundle(bundlePath(flags.manifest, flags.dist), args)
    if (code !== 0) this.exit(code)
  }
}
