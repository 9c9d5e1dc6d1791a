/**
 * The runtime: the only module generated code imports. `createService` turns the generated service
 * definition into a Fastify instance; `runFromCommandLine` is what `node dist/server.mjs` runs.
 * It depends on nothing in the compiler.
 */
import { randomBytes } from 'node:crypto'
import { realpathSync } from 'node:fs'
import type { IncomingMessage } from 'node:http'
import { fileURLToPath } from 'node:url'
import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify'
import { pino, type Logger, type LoggerOptions } from 'pino'
import { ACTIONS } from './actions/index.js'
import { developmentSecret, loadKeySet } from './auth/keys.js'
import { assertNoneMissing, createEnvironment, resolveConfig } from './config.js'
import { createConnections } from './connections/registry.js'
import { FusioError } from './errors.js'
import { createAllowTable } from './lifecycle/allow.js'
import { deferAsyncActions } from './lifecycle/async-actions.js'
import { createTokenVerifier } from './lifecycle/authenticate.js'
import { healthPlugin } from './lifecycle/health.js'
import { operationsPlugin } from './lifecycle/operations.js'
import { problemPlugin } from './lifecycle/problem.js'
import { useLazyRequestLoggers } from './lifecycle/request-logger.js'
import { shutdownPlugin } from './lifecycle/shutdown.js'
import { createDistFiles } from './lifecycle/docs.js'
import { systemPlugin } from './lifecycle/system.js'
import { precompiledSchemas } from './lifecycle/validate.js'
import { applyMigrations } from './migrations.js'
import { createServiceDatabase } from './service-database.js'
import type { ActionHandler, RouteDefinition, ServiceDefinition } from './types.js'

export type * from './types.js'
export { FusioError, type ErrorCode, type FieldError } from './errors.js'
export { scopeCovers } from './lifecycle/authenticate.js'

export interface ServiceOptions {
  /** Environment to read (default process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>
  /** URL of the entry module; `${dir.src}` is the folder above it unless FUSIO_DIR_SRC is set. */
  readonly entryUrl?: string
  /** pino's options for the service's logger (default: level FUSIO_LOG_LEVEL, or info); false for none. */
  readonly logger?: false | LoggerOptions
  /** Apply the manifest's migrations before serving (default true). */
  readonly migrate?: boolean
}

/** One JSON line per entry on standard output, errors with their stack and cause. */
function createLog(option: ServiceOptions['logger'], env: Readonly<Record<string, string | undefined>>): Logger {
  if (option === false) return pino({ level: 'silent' })
  return pino({ level: env.FUSIO_LOG_LEVEL ?? 'info', ...option, serializers: { err: pino.stdSerializers.err, ...option?.serializers } })
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/

// Ids of this process: a random prefix and a counter, unique across instances and cheaper than a UUID per request.
const ID_PREFIX = randomBytes(8).toString('hex')
let lastId = 0

/** A caller's X-Request-Id is kept when it is a sane token, so traces join up across services. */
function requestId(request: IncomingMessage): string {
  const incoming = request.headers['x-request-id']
  return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : `${ID_PREFIX}-${(++lastId).toString(36)}`
}

/** FUSIO_TRUST_PROXY: true, a hop count, or a comma-separated list of addresses/CIDRs. */
function trustProxy(value: string | undefined): boolean | number | string[] {
  if (value === undefined || value === '' || value === 'false') return false
  if (value === 'true') return true
  return /^\d+$/.test(value) ? Number(value) : value.split(',').map((s) => s.trim())
}

/**
 * @example
 * const app = await createService(service, { logger: false })
 * const response = await app.inject({ method: 'GET', url: '/todo' })
 */
export async function createService(service: ServiceDefinition, options: ServiceOptions = {}): Promise<FastifyInstance> {
  const env = options.env ?? process.env
  const log = createLog(options.logger, env)
  const app = Fastify({
    // Fastify without a logger of its own skips its per-request response timing; the service's
    // logger is app.log, and request.log is made from it on first use (request-logger.ts).
    logger: false,
    // One line per request costs throughput; errors are still logged by the problem handler.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: requestId,
    requestIdHeader: false,
    // The shutdown plugin answers requests during a drain itself, as problem+json.
    return503OnClosing: false,
    bodyLimit: Number(env.FUSIO_BODY_LIMIT) || 1024 * 1024,
    trustProxy: trustProxy(env.FUSIO_TRUST_PROXY) as FastifyServerOptions['trustProxy'],
    schemaController: precompiledSchemas,
  })
  app.log = log
  useLazyRequestLoggers(app, log)
  const environment = createEnvironment(env, options.entryUrl)
  const database = createServiceDatabase(environment)
  // Registered first, so it runs last: after the queue and the product layer have stopped using the database.
  app.addHook('onClose', () => database.close())
  const missing = new Set<string>()
  const connections = await createConnections(service, environment, missing)
  const stopping: (() => Promise<void>)[] = []
  try {
    const handlers = new Map<string, ActionHandler>()
    // Composing actions may name actions created after them; the compiler has checked every name.
    const actionLookup = (name: string): ActionHandler => {
      const handler = handlers.get(name)
      if (!handler) throw new FusioError('FUSIO_ERR_CONFIG_INVALID', `action "${name}" is not declared`)
      return handler
    }
    for (const [name, entry] of Object.entries(service.actions)) {
      const definition = ACTIONS.find((a) => a.name === entry.class)
      if (!definition) throw new FusioError('FUSIO_ERR_CONFIG_INVALID', `action "${name}" has an unknown class "${entry.class}"`)
      const config = resolveConfig(entry.config, environment, missing)
      const deps = {
        connector: connections.connector,
        connections,
        log: app.log.child({ action: name }),
        action: actionLookup,
        ...(entry.handler ? { handler: entry.handler } : {}),
      }
      handlers.set(name, definition.create(config, deps))
    }
    // Login providers read their config on first use; their variables are still checked now.
    for (const identity of service.product?.identities ?? []) resolveConfig(identity.config, environment, missing)
    if (service.product?.mailSender !== undefined) resolveConfig(service.product.mailSender, environment, missing)
    assertNoneMissing(missing)
    let keys = await loadKeySet(env, (text) => app.log.warn(text))
    if (!keys && service.product) {
      const secret = developmentSecret(environment.srcDir, env)
      if (secret) {
        app.log.warn('no FUSIO_JWT_SECRET or FUSIO_JWKS: tokens are signed with a development key from .fusio/dev-jwt-secret (never in production)')
        keys = await loadKeySet({ ...env, FUSIO_JWT_SECRET: secret }, () => {})
      }
    }
    // Counters, rate limits and CORS are imported only by services that use them (their own chunks).
    const counters = service.rates?.length || service.product ? await (await import('./lifecycle/counters.js')).createCounters(env, app.log) : undefined
    if (counters) stopping.push(() => counters.close())
    const rateLimit = counters && service.rates?.length ? await import('./lifecycle/rate-limit.js') : undefined
    // dist/'s files, read and cached once for the docs page and the portal alike.
    const files = createDistFiles(environment.distDir)
    // Only services with the product layer load it (its own chunk in the bundle).
    const product = service.product
      ? await (await import('./product/index.js')).createProduct({
          definition: service.product,
          basePath: service.basePath,
          files,
          env,
          database,
          keys,
          counters: counters!,
          log: app.log.child({ component: 'product' }),
        })
      : undefined
    if (product) stopping.push(() => product.close())
    const verifier = createTokenVerifier(keys, env, product?.revocations)
    if (!verifier && service.routes.some((r) => !r.public)) {
      app.log.warn('no FUSIO_JWT_SECRET or FUSIO_JWKS is set: private operations reject every request')
    }
    if (options.migrate !== false) await applyMigrations(service.migrations, connections, app.log)
    app.addHook('onRequest', (request, reply, done) => {
      reply.header('x-request-id', request.id)
      done()
    })
    await app.register(problemPlugin, { allow: createAllowTable(service.routes) })
    if (service.cors) await app.register((await import('./lifecycle/cors.js')).corsPlugin, service.cors)
    await app.register(shutdownPlugin, { connections })
    await app.register(healthPlugin, { connections })
    await app.register(systemPlugin, { prefix: service.basePath, service, connections, files, env })
    const routed = await deferAsyncActions(app, service, handlers, database, env, connections.connector)
    await app.register(operationsPlugin, {
      routes: service.routes,
      handlers: routed,
      connector: connections.connector,
      verifier,
      ...(rateLimit && counters ? { rateLimit: (route: RouteDefinition) => rateLimit.createRateLimit(route, service.rates!, counters, app.log) } : {}),
      ...(product ? { usageHook: product.usageHook } : {}),
    })
    if (product) await product.register(app, verifier!)
    app.addHook('onClose', async () => {
      for (const stop of stopping) await stop()
    })
    return app
  } catch (error) {
    for (const stop of stopping) await stop().catch(() => {})
    await connections.closeAll()
    await database.close()
    throw error
  }
}

function isMain(entryUrl: string): boolean {
  const script = process.argv[1]
  if (!script) return false
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(entryUrl))
  } catch {
    return false
  }
}

/**
 * Runs the service when its module is the process's entry point: `serve` (default) listens on
 * HOST:PORT and drains on SIGTERM/SIGINT; `migrate` applies migrations and exits; `user:add`
 * creates an account of the product layer (the first administrator).
 */
export async function runFromCommandLine(entryUrl: string, service: ServiceDefinition): Promise<void> {
  if (!isMain(entryUrl)) return
  const command = process.argv[2] ?? 'serve'
  if (command !== 'serve' && command !== 'migrate' && command !== 'user:add') {
    process.stderr.write(`usage: node ${process.argv[1]} [serve|migrate|user:add --name N --email E --role R]\n`)
    process.exitCode = 2
    return
  }
  if (command === 'user:add') {
    try {
      const { addUser } = await import('./product/admin.js')
      process.stdout.write(`${await addUser(service, process.argv.slice(3), process.env, entryUrl)}\n`)
    } catch (error) {
      process.stderr.write(`user:add failed: ${error instanceof Error ? error.message : String(error)}\n`)
      process.exitCode = 1
    }
    return
  }
  let app: FastifyInstance
  try {
    app = await createService(service, { entryUrl })
  } catch (error) {
    process.stderr.write(`${service.title} cannot start: ${error instanceof Error ? error.message : String(error)}\n`)
    process.exitCode = 1
    return
  }
  if (command === 'migrate') {
    await app.close()
    return
  }
  const host = process.env.HOST ?? '127.0.0.1'
  const port = Number(process.env.PORT ?? 8080)
  const timeout = Number(process.env.FUSIO_SHUTDOWN_TIMEOUT ?? 10_000)
  let closing = false
  const shutdown = (signal: string) => {
    if (closing) return
    closing = true
    app.log.info({ signal }, 'draining in-flight requests, then closing connections')
    setTimeout(() => {
      app.log.error('shutdown timed out; exiting')
      process.exit(1)
    }, timeout).unref()
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        app.log.error({ err: error }, 'shutdown failed')
        process.exit(1)
      },
    )
  }
  process.once('SIGTERM', () => shutdown('SIGTERM'))
  process.once('SIGINT', () => shutdown('SIGINT'))
  try {
    await app.listen({ host, port })
    const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : host
    app.log.info(`${service.title} ${service.version}: http://${shown}:${(app.server.address() as { port: number }).port}${service.basePath}`)
  } catch (error) {
    process.stderr.write(`${service.title} cannot listen on ${host}:${port}: ${error instanceof Error ? error.message : String(error)}\n`)
    await app.close()
    process.exitCode = 1
  }
}
