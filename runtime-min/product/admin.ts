/**
 * `node dist/server.mjs user:add --name N --email E --role R [--plan P]`: creates an active account
 * straight in the service database, e.g. the first administrator. The password comes from
 * FUSIO_USER_PASSWORD or the first line of standard input, never from the command line, where
 * other users of the machine could read it.
 */
import { createInterface } from 'node:readline'
import { parseArgs } from 'node:util'
import { createEnvironment } from '../config.js'
import { FusioError } from '../errors.js'
import { createServiceDatabase } from '../service-database.js'
import type { ServiceDefinition } from '../types.js'
import { checkPassword, createUser } from './accounts.js'
import { migrateProductStore, type ProductDb } from './store.js'

async function readPassword(env: Readonly<Record<string, string | undefined>>): Promise<string> {
  if (env.FUSIO_USER_PASSWORD) return env.FUSIO_USER_PASSWORD
  if (process.stdin.isTTY) process.stderr.write('password: ')
  const lines = createInterface({ input: process.stdin, terminal: false })
  for await (const line of lines) {
    lines.close()
    return line
  }
  throw new FusioError('FUSIO_ERR_CONFIG_INVALID', 'no password: set FUSIO_USER_PASSWORD or pipe it to standard input')
}

export async function addUser(service: ServiceDefinition, argv: readonly string[], env: Readonly<Record<string, string | undefined>>, entryUrl: string): Promise<string> {
  const settings = service.product
  if (!settings) throw new FusioError('FUSIO_ERR_CONFIG_INVALID', 'this service has no product layer (service.product: true)')
  const { values } = parseArgs({ args: [...argv], options: { name: { type: 'string' }, email: { type: 'string' }, role: { type: 'string' }, plan: { type: 'string' } } })
  if (!values.name || !values.email) throw new FusioError('FUSIO_ERR_CONFIG_INVALID', 'user:add needs --name and --email (and --role, default the default role)')
  // The same rules as registration (runtime-min/product/api.ts), so the portal can show every account.
  if (!/^[A-Za-z0-9._-]{3,64}$/.test(values.name)) throw new FusioError('FUSIO_ERR_CONFIG_INVALID', '--name must be 3 to 64 of A-Z a-z 0-9 . _ -')
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(values.email)) throw new FusioError('FUSIO_ERR_CONFIG_INVALID', '--email must be an e-mail address')
  const role = values.role ? Object.keys(settings.roles).find((r) => r.toLowerCase() === values.role!.toLowerCase()) : settings.defaultRole
  if (!role) throw new FusioError('FUSIO_ERR_CONFIG_INVALID', `unknown role "${values.role}"; roles: ${Object.keys(settings.roles).join(', ')}`)
  if (values.plan && !settings.plans.some((p) => p.name === values.plan)) {
    throw new FusioError('FUSIO_ERR_CONFIG_INVALID', `unknown plan "${values.plan}"; plans: ${settings.plans.map((p) => p.name).join(', ') || 'none'}`)
  }
  const password = await readPassword(env)
  const database = createServiceDatabase(createEnvironment(env, entryUrl))
  try {
    const connection = await database.get()
    await migrateProductStore(connection)
    const context = { db: connection.client as ProductDb, dialect: connection.dialect, settings }
    checkPassword(context, password)
    const id = await createUser(context, { name: values.name, email: values.email, password, status: 'active', role, ...(values.plan ? { plan: values.plan } : {}) })
    return `user ${values.name} (id ${id}) created with role ${role}`
  } finally {
    await database.close()
  }
}
