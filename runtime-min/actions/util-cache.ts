/**
 * Util-Cache: keeps another action's successful answers to GET requests for `expire` seconds, keyed
 * by operation, URL (path and query) and caller. In memory by default, or in Redis (shared by every
 * instance) when `connection` names a Redis connection. A cache that fails is skipped, never fatal.
 */
import { createHash } from 'node:crypto'
import type { ActionDefinition } from '../types.js'
import { isRedisConnection } from '../connections/redis.js'
import { actionProperty, outcomeOf, resultOf, type Outcome } from './compose.js'
import { connectionOf } from './inputs.js'

export interface CacheConfig {
  readonly action: string
  readonly expire?: number
  readonly connection?: string
}

interface Store {
  get(key: string): Promise<string | null | undefined>
  set(key: string, value: string, seconds: number): Promise<void>
}

/** The Redis commands the cache needs (ioredis's signatures). */
interface RedisCommands {
  get(key: string): Promise<string | null>
  set(key: string, value: string, mode: 'EX', seconds: number): Promise<unknown>
}

const MEMORY_LIMIT = 1000

function memoryStore(): Store {
  const entries = new Map<string, { value: string; until: number }>()
  return {
    async get(key) {
      const entry = entries.get(key)
      if (!entry) return undefined
      if (entry.until > Date.now()) return entry.value
      entries.delete(key)
      return undefined
    },
    async set(key, value, seconds) {
      // The oldest entry goes first when the cache is full.
      if (entries.size >= MEMORY_LIMIT && !entries.has(key)) entries.delete(entries.keys().next().value as string)
      entries.set(key, { value, until: Date.now() + seconds * 1000 })
    },
  }
}

function redisStore(client: () => RedisCommands): Store {
  return {
    get: (key) => client().get(key),
    async set(key, value, seconds) {
      await client().set(key, value, 'EX', seconds)
    },
  }
}

/** Bytes survive the round trip through JSON as base64. */
function encode(outcome: Outcome): string {
  const body = outcome.body
  return JSON.stringify({ ...outcome, body: Buffer.isBuffer(body) ? { base64: body.toString('base64') } : body })
}

function decode(text: string): Outcome {
  const outcome = JSON.parse(text) as Outcome & { body: unknown }
  const body = outcome.body as { base64?: string } | null
  return body !== null && typeof body === 'object' && typeof body.base64 === 'string' ? { ...outcome, body: Buffer.from(body.base64, 'base64') } : outcome
}

export const utilCache: ActionDefinition<CacheConfig> = {
  name: 'cache',
  aliases: ['Util-Cache', 'Fusio\\Adapter\\Util\\Action\\UtilCache', 'CacheResponse'],
  description: 'Caches another action’s successful GET answers for some seconds, in memory or in Redis',
  actionKeys: ['action'],
  connection: 'redis',
  configSchema: {
    type: 'object',
    properties: {
      action: actionProperty,
      expire: { type: 'integer', minimum: 1, maximum: 86400 * 30, description: 'seconds to keep an answer (default 60)' },
      connection: { type: 'string', description: 'a Redis connection; in-process memory when absent' },
    },
    required: ['action'],
    additionalProperties: false,
  },
  create(config, deps) {
    const expire = config.expire ?? 60
    const name = config.connection
    const store = name ? redisStore(() => connectionOf(deps, name, isRedisConnection, 'a Redis').client as RedisCommands) : memoryStore()
    return async (request, context) => {
      if (request.method !== 'GET') return deps.action(config.action)(request, context)
      const key = `fusio:cache:${createHash('sha256').update(`${request.operationId}\n${request.url}\n${request.user?.subject ?? ''}`).digest('base64url')}`
      const cached = await store.get(key).catch((error: unknown) => {
        context.log.warn({ err: error }, 'cache unavailable, answering without it')
        return undefined
      })
      if (typeof cached === 'string') return resultOf(decode(cached), context)
      const result = await deps.action(config.action)(request, context)
      const outcome = outcomeOf(result)
      if ((outcome.statusCode ?? 200) < 400) {
        await store.set(key, encode(outcome), expire).catch((error: unknown) => context.log.warn({ err: error }, 'cache unavailable, answer not kept'))
      }
      return result
    }
  },
}
