/**
 * A real OpenID provider for tests (oidc-provider, with its development login and consent pages) on
 * 127.0.0.1. Anyone logs in with any password; an account's claims come from `accounts`, or are made
 * from its id (a verified address `<id>@example.org`).
 */
import { createServer, type Server } from 'node:http'

/** The part of oidc-provider's API used here (the package has no types). */
interface OidcProvider {
  callback(): (request: unknown, response: unknown) => void
}
type ProviderClass = new (issuer: string, configuration: Record<string, unknown>) => OidcProvider

export interface TestProvider {
  readonly issuer: string
  /** Stops it, cutting the connections services keep alive to it. */
  close(): Promise<void>
}

export async function startOidcProvider(options: {
  port: number
  clients: readonly { client_id: string; client_secret: string; redirect_uris: readonly string[] }[]
  accounts?: Readonly<Record<string, Record<string, unknown>>>
}): Promise<TestProvider> {
  // Imported by name at run time: the package is ESM-only and untyped.
  const specifier = 'oidc-provider'
  const Provider = ((await import(specifier)) as { default: ProviderClass }).default
  const issuer = `http://127.0.0.1:${options.port}`
  const provider = new Provider(issuer, {
    clients: options.clients,
    async findAccount(_ctx: unknown, id: string) {
      const claims = options.accounts?.[id] ?? { email: `${id}@example.org`, email_verified: true, preferred_username: id }
      return { accountId: id, claims: async () => ({ sub: id, ...claims }) }
    },
    claims: { email: ['email', 'email_verified'], profile: ['preferred_username', 'name'] },
    features: { devInteractions: { enabled: true } },
    cookies: { keys: ['cookie-key-of-the-test-provider'] },
    ttl: { AccessToken: 600, AuthorizationCode: 60, Grant: 600, IdToken: 600, Interaction: 600, Session: 600 },
  })
  const server: Server = createServer(provider.callback() as Parameters<typeof createServer>[0])
  await new Promise<void>((resolve) => server.listen(options.port, '127.0.0.1', resolve))
  return {
    issuer,
    async close() {
      const closed = new Promise((resolve) => server.close(resolve))
      server.closeAllConnections()
      await closed
    },
  }
}
