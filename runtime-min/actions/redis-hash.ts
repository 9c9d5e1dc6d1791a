/**
 * Redis-Hash-Get/GetAll/Set/Delete: the fields of one Redis hash (`key`) as Fusio's Redis adapter
 * serves them. The field comes from the `field` argument (path, else query), as in Fusio's `/:field`
 * routes; Set takes `{"value": …}`. A Redis that is down is a 503.
 */
import type { Redis } from 'ioredis'
import { FusioError } from '../errors.js'
import { isRedisConnection, translateRedisError } from '../connections/redis.js'
import type { ActionDefinition, ActionDeps, ActionRequest, JsonSchema } from '../types.js'
import { argument, connectionOf } from './inputs.js'
import { message } from './sql-shared.js'

export interface RedisHashConfig {
  readonly connection: string
  readonly key: string
}

const configSchema: JsonSchema = {
  type: 'object',
  properties: {
    connection: { type: 'string', description: 'name of a Redis connection' },
    key: { type: 'string', minLength: 1, description: 'the Redis hash' },
  },
  required: ['connection', 'key'],
  additionalProperties: false,
}

/** Runs `work` on the connection's client; Redis errors become problems. */
async function withRedis<T>(deps: ActionDeps, name: string, work: (redis: Redis) => Promise<T>): Promise<T> {
  const connection = connectionOf(deps, name, isRedisConnection, 'a Redis')
  try {
    return await work(connection.client)
  } catch (error) {
    throw translateRedisError(error)
  }
}

function fieldArgument(request: ActionRequest): string {
  const field = argument(request, 'field')
  if (typeof field === 'string' && field !== '') return field
  throw new FusioError('FUSIO_ERR_VALIDATION_PARAMS', 'No field provided', {
    errors: [{ in: 'path', field: 'field', pointer: '/field', message: 'is required' }],
  })
}

const fieldMissing = () => new FusioError('FUSIO_ERR_REDIS_FIELD_NOT_FOUND', 'Provided field does not exist')

/** The `value` member of the body: text, or a number or boolean stored as its text. */
function valueOf(body: unknown): string {
  const value = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>).value : undefined
  if (typeof value === 'string' && value !== '') return value
  if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean') return String(value)
  const missing = value === undefined || value === null || value === ''
  throw new FusioError('FUSIO_ERR_VALIDATION_BODY', missing ? 'No value provided' : 'the value must be a string', {
    errors: [{ in: 'body', field: 'value', pointer: '/value', message: missing ? 'is required' : 'must be string' }],
  })
}

const aliases = (fusioName: string, className: string): readonly string[] => [fusioName, `Fusio\\Adapter\\Redis\\Action\\${className}`]

export const redisHashGet: ActionDefinition<RedisHashConfig> = {
  name: 'redis-hash-get',
  aliases: aliases('Redis-Hash-Get', 'RedisHashGet'),
  description: 'Returns one field of a Redis hash (the field argument) as {value}',
  connection: 'redis',
  configSchema,
  create(config, deps) {
    return (request) =>
      withRedis(deps, config.connection, async (redis) => {
        const value = await redis.hget(config.key, fieldArgument(request))
        if (value === null) throw fieldMissing()
        return { value }
      })
  },
}

export const redisHashGetAll: ActionDefinition<RedisHashConfig> = {
  name: 'redis-hash-get-all',
  aliases: aliases('Redis-Hash-GetAll', 'RedisHashGetAll'),
  description: 'Returns every field of a Redis hash as {values}',
  connection: 'redis',
  configSchema,
  create(config, deps) {
    return () => withRedis(deps, config.connection, async (redis) => ({ values: await redis.hgetall(config.key) }))
  },
}

export const redisHashSet: ActionDefinition<RedisHashConfig> = {
  name: 'redis-hash-set',
  aliases: aliases('Redis-Hash-Set', 'RedisHashSet'),
  description: 'Sets one field of a Redis hash (the field argument) to the body’s value',
  connection: 'redis',
  configSchema,
  create(config, deps) {
    return (request) =>
      withRedis(deps, config.connection, async (redis) => {
        const field = fieldArgument(request)
        // As Fusio does, the id is HSET's answer: 1 for a new field, 0 for one that was replaced.
        return message('Field successfully set', await redis.hset(config.key, field, valueOf(request.body)))
      })
  },
}

export const redisHashDelete: ActionDefinition<RedisHashConfig> = {
  name: 'redis-hash-delete',
  aliases: aliases('Redis-Hash-Delete', 'RedisHashDelete'),
  description: 'Deletes one field of a Redis hash (the field argument); 404 when it does not exist',
  connection: 'redis',
  configSchema,
  create(config, deps) {
    return (request) =>
      withRedis(deps, config.connection, async (redis) => {
        const deleted = await redis.hdel(config.key, fieldArgument(request))
        if (deleted === 0) throw fieldMissing()
        return message('Field successfully deleted', deleted)
      })
  },
}
