import { Command, Flags } from '@oclif/core'
import { distFlag, manifestFlag } from './shared.js'
import { bundlePath, runBundle } from './run-bundle.js'

export default class UserAdd extends Command {
  static override summary = 'Create an active account of the API product, e.g. the first administrator (node dist/server.mjs user:add)'
  static override description =
    'Writes to the service database (FUSIO_DATABASE_URL, by default .fusio/service.db). The password comes from FUSIO_USER_PASSWORD or the first line of standard input, never from a flag, so it stays out of the shell history.'
  static override examples = [
    { description: 'The first administrator, the password piped in', command: 'echo "$ADMIN_PASSWORD" | <%= config.bin %> user:add --role Administrator --name admin --email admin@example.com' },
    {
      description: 'An operator in a PostgreSQL service database',
      command: 'FUSIO_DATABASE_URL=postgres://fusio@db/fusio FUSIO_USER_PASSWORD=… <%= config.bin %> user:add --name ops --email ops@example.com --role Administrator',
    },
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
    const { code } = await runBundle(bundlePath(flags.manifest, flags.dist), args)
    if (code !== 0) this.exit(code)
  }
}
