/**
 * The API-product layer, switched on by `service.product: true`: its tables are migrated into the
 * service database, tokens are issued with the service key, and /authorization, /consumer, /backend
 * and the developer portal are served next to the operations, whose calls it logs. The runtime
 * imports this module only for services that have it, so others never load it.
 */
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest, onResponseHookHandler } from 'fastify'
import type { KeySet } from '../auth/keys.js'
import { createEnvironment, resolveConfig } from '../config.js'
import { FusioError } from '../errors.js'
import type { RevocationList, TokenVerifier } from '../lifecycle/authenticate.js'
import type { Counters } from '../lifecycle/counters.js'
import type { DistFiles } from '../lifecycle/docs.js'
import type { ServiceDatabase } from '../service-database.js'
import type { ProductDefinition } from '../types.js'
import type { ProductContext } from './context.js'
import { createMailer } from './mailer.js'
import { registerPortal } from './portal.js'
import { registerAuthorizationPages, authorizationHandlers } from './routes/authorization.js'
import { backendHandlers } from './routes/backend.js'
import { consumerHandlers } from './routes/consumer.js'
import { registerProductOperations } from './routes/handlers.js'
import { identityHandlers } from './routes/identity.js'
import { migrateProductStore, pruneExpired, type ProductDb } from './store.js'
import { createTokenService } from './tokens.js'
import { createUsageLog } from './usage-log.js'

export interface ProductOptions {
  readonly definition: ProductDefinition
  readonly basePath: string
  /** The bundle's files (dist/), read and cached once for the whole service. */
  readonly files: DistFiles
  readonly env: Readonly<Record<string, string | undefined>>
  readonly database: ServiceDatabase
  readonly keys: KeySet | undefined
  readonly counters: Counters
  readonly log: FastifyBaseLogger
}

export interface ProductLayer {
  readonly revocations: RevocationList
  /** onResponse hook that logs calls of an operation. */
  usageHook(operationId: string): onResponseHookHandler
  /** Registers the product's routes; the verifier is the one operations use. */
  register(app: FastifyInstance, verifier: TokenVerifier): Promise<void>
  close(): Promise<void>
}

function publicUrlOf(env: ProductOptions['env'], log: FastifyBaseLogger): (request: FastifyRequest) => string {
  const configured = env.FUSIO_PUBLIC_URL?.replace(/\/+$/, '')
  if (configured) return () => configured
  // Links in mails must not follow a Host header an attacker chose: production needs the URL set.
  if (env.NODE_ENV === 'production') throw new FusioError('FUSIO_ERR_CONFIG_MISSING_ENV', 'the product layer needs FUSIO_PUBLIC_URL (e.g. https://api.example.com) in production')
  log.warn('FUSIO_PUBLIC_URL is not set: links in mails and redirects use the request\'s own origin, for local hosts only')
  return (request) => {
    // Only a loopback Host is believed: a link built from a Host an attacker sent would carry tokens to them.
    if (!/^(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/.test(request.host)) {
      throw new FusioError('FUSIO_ERR_CONFIG_MISSING_ENV', 'set FUSIO_PUBLIC_URL: links for other hosts than localhost are not built from the Host header')
    }
    return `${request.protocol}://${request.host}`
  }
}

export async function createProduct(options: ProductOptions): Promise<ProductLayer> {
  const { definition, env, log } = options
  if (!options.keys?.signing) {
    throw new FusioError('FUSIO_ERR_CONFIG_MISSING_ENV', 'the product layer issues tokens: set FUSIO_JWT_SECRET, or FUSIO_JWKS with a private key')
  }
  const connection = await options.database.get()
  await migrateProductStore(connection)
  const db = connection.client as ProductDb
  const publicUrl = publicUrlOf(env, log)
  // Its ${env.X} was checked at start-up with the rest of the manifest's variables.
  const sender = definition.mailSender === undefined ? undefined : String(resolveConfig(definition.mailSender, createEnvironment(env), new Set()))
  const mailer = createMailer(env, sender, log)
  const tokens = createTokenService({ db, dialect: connection.dialect, keys: options.keys, settings: definition, env, log })
  const usage = createUsageLog(db, env, log)
  // Hourly, so public endpoints cannot grow the tables for good; FUSIO_LOG_RETENTION_DAYS (90; 0 keeps them) for calls.
  const logDays = env.FUSIO_LOG_RETENTION_DAYS === undefined ? 90 : Number(env.FUSIO_LOG_RETENTION_DAYS)
  const housekeeping = () =>
    pruneExpired(db, logDays).then(
      (rows) => rows > 0 && log.info({ rows }, 'expired secrets, tokens and old calls pruned'),
      (error: unknown) => log.warn({ err: error }, 'expired secrets, tokens and old calls could not be pruned'),
    )
  void housekeeping()
  const housekeepingTimer = setInterval(() => void housekeeping(), 3600_000)
  housekeepingTimer.unref()
  return {
    revocations: tokens.revocations,
    usageHook: (operationId) => usage.hook(operationId),
    async register(app, verifier) {
      const context: ProductContext = {
        db,
        dialect: connection.dialect,
        settings: definition,
        tokens,
        verifier,
        mailer,
        counters: options.counters,
        log,
        env,
        publicUrl,
        issuer: (request) => env.FUSIO_JWT_ISSUER ?? `${publicUrl(request)}${options.basePath}`,
        basePath: options.basePath,
        files: options.files,
        publishedKeys: options.keys!.keys.flatMap((k) => (k.publicJwk ? [k.publicJwk] : [])),
      }
      await app.register(
        async (scope) => {
          await registerProductOperations(scope, context, { ...authorizationHandlers, ...consumerHandlers, ...identityHandlers, ...backendHandlers })
          registerAuthorizationPages(scope, context)
          if (definition.portal) registerPortal(scope, context)
        },
        { prefix: options.basePath },
      )
    },
    async close() {
      clearInterval(housekeepingTimer)
      tokens.stop()
      mailer.close()
      await usage.stop()
    },
  }
}
