/**
 * `redis` connections (Fusio's Redis): an ioredis client, connected on the first command. While
 * Redis is down, commands fail within about a second instead of waiting, and the client keeps
 * reconnecting in the background, so commands work again as soon as Redis is back.
 */
import type { Redis, RedisOptions } from 'ioredis'
import { FusioError } from '../errors.js'
import type { Connection, ConnectionDefinition } from '../types.js'
import { portOf, SOCKET_ERRORS } from './network.js'

export interface RedisConfig {
  /** redis://[user:pass@]host:port/db or rediss://…; wins over the discrete keys. */
  readonly url?: string
  readonly host?: string
  readonly port?: number | string
  readonly password?: string
  readonly db?: number | string
}

export interface RedisConnection extends Connection<Redis> {
  readonly kind: 'redis'
}

export function isRedisConnection(connection: Connection): connection is RedisConnection {
  return connection.kind === 'redis'
}

const OPTIONS: RedisOptions = {
  lazyConnect: true,
  connectTimeout: 1_000,
  // Commands wait for the lazy first connect; a queued command fails after one failed reconnect…
  enableOfflineQueue: true,
  maxRetriesPerRequest: 1,
  // …and reconnects come at most half a second apart, so that is within about a second.
  retryStrategy: (times) => Math.min(100 * times, 500),
  // Commands issued in the same tick share one write: a busy service sends far fewer packets.
  enableAutoPipelining: true,
}

/** Server replies that mean "not now": loading its data set, busy with a script, replica without master. */
const NOT_NOW = /^(LOADING|BUSY|MASTERDOWN|TRYAGAIN)\b/

/** Redis that cannot be reached is a 503; a key of another type is a configuration error; others pass unchanged. */
export function translateRedisError(error: unknown): unknown {
  if (error instanceof FusioError || !(error instanceof Error)) return error
  const code = (error as { code?: unknown }).code
  if (
    (typeof code === 'string' && SOCKET_ERRORS.has(code)) ||
    error.name === 'MaxRetriesPerRequestError' ||
    error.name === 'AbortError' ||
    error.message === 'Connection is closed.' ||
    NOT_NOW.test(error.message)
  ) {
    return new FusioError('FUSIO_ERR_CONNECTION_UNAVAILABLE', 'the Redis server is not available', { cause: error })
  }
  if (error.message.startsWith('WRONGTYPE')) return new FusioError('FUSIO_ERR_CONFIG_INVALID', 'the Redis key holds another type of value', { cause: error })
  return error
}

async function createRedisConnection(config: RedisConfig): Promise<RedisConnection> {
  // ioredis's module.exports is the client class: the default export under Node and in esbuild chunks alike.
  const { default: RedisClient } = await import('ioredis')
  const open = (): Redis => {
    const client = config.url
      ? new RedisClient(config.url, OPTIONS)
      : new RedisClient({
          ...OPTIONS,
          host: config.host || '127.0.0.1',
          port: portOf(config.port, 6379),
          ...(config.password ? { password: config.password } : {}),
          ...(config.db === undefined || config.db === '' ? {} : { db: Number(config.db) }),
        })
    // Failures reach the callers through their commands; unheard 'error' events would only be printed.
    client.on('error', () => {})
    return client
  }
  let redis: Redis | undefined
  // After close() the next command opens a fresh client, so a closed connection is never a dead end.
  const client = (): Redis => (redis ??= open())
  return {
    kind: 'redis',
    get client() {
      return client()
    },
    async ping() {
      await client()
        .ping()
        .catch((error: unknown) => {
          throw translateRedisError(error)
        })
    },
    async close() {
      const current = redis
      redis = undefined
      if (!current) return
      // QUIT lets Redis finish the commands on their way; a client that is not connected just stops reconnecting.
      if (current.status === 'ready') await current.quit().catch(() => current.disconnect())
      else current.disconnect()
    },
  }
}

export const redisConnection: ConnectionDefinition<RedisConfig> = {
  name: 'redis',
  aliases: ['Redis', 'Fusio\\Adapter\\Redis\\Connection\\Redis'],
  description: 'A Redis server through ioredis: connects on first use, fails fast while Redis is down and reconnects by itself',
  configSchema: {
    type: 'object',
    properties: {
      url: { type: 'string', description: 'redis://[user:pass@]host:port/db or rediss://…; replaces host, port, password and db' },
      host: { type: 'string', description: 'server host (default 127.0.0.1)' },
      port: { type: ['integer', 'string'], description: 'server port (default 6379)' },
      password: { type: 'string', description: 'password (AUTH)' },
      db: { type: ['integer', 'string'], description: 'database number (default 0)' },
    },
    additionalProperties: false,
  },
  create: createRedisConnection,
}
