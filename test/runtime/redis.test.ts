/**
 * The Redis connection and the Redis-Hash actions against a real Redis: set/get/get-all/delete with
 * Fusio's answers, the field from path or query, 400/404 answers, a key of another type, a Redis that
 * is down as a 503 within about a second, and a client that reconnects by itself when Redis is back.
 */
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { redisConnection, type RedisConnection } from '../../runtime-min/connections/redis.js'
import { redisHashDelete, redisHashGet, redisHashGetAll, redisHashSet, type RedisHashConfig } from '../../runtime-min/actions/redis-hash.js'
import type { ActionDefinition } from '../../runtime-min/types.js'
import { actionOn, failure, type CallInput } from '../helpers/actions.js'
import { probeService, SERVICES } from '../helpers/services.js'

const { host, port, url } = SERVICES.redis
const probe = await probeService('redis')

const RUN = `fusio-test-${process.pid}-${Date.now()}`
let keys = 0
type Call = (input?: CallInput) => Promise<unknown>

const action = (definition: ActionDefinition<RedisHashConfig>, connection: RedisConnection, key: string): Call =>
  actionOn(definition, { connection: 'Cache', key }, connection)

function hash(connection: RedisConnection, key: string) {
  return {
    get: action(redisHashGet, connection, key),
    getAll: action(redisHashGetAll, connection, key),
    set: action(redisHashSet, connection, key),
    delete: action(redisHashDelete, connection, key),
  }
}

/** A TCP proxy to Redis that can go down and come back on the same port, as a restarting Redis would. */
async function startProxy(): Promise<{ port: number; down(): Promise<void>; up(): Promise<void> }> {
  const sockets = new Set<Socket>()
  let server: Server
  let proxyPort = 0
  const listen = async () => {
    server = createServer((client) => {
      const upstream = connect({ host, port })
      for (const socket of [client, upstream]) {
        sockets.add(socket)
        socket.on('close', () => sockets.delete(socket))
        socket.on('error', () => {})
      }
      client.pipe(upstream).pipe(client)
      client.on('close', () => upstream.destroy())
      upstream.on('close', () => client.destroy())
    })
    await new Promise<void>((resolve) => server.listen(proxyPort, '127.0.0.1', resolve))
    proxyPort = (server.address() as AddressInfo).port
  }
  await listen()
  return {
    port: proxyPort,
    async down() {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
    up: listen,
  }
}

describe('an unreachable Redis', () => {
  it('fails with 503 within about a second, on the first command and on later ones', async () => {
    const connection = (await redisConnection.create({ host: '127.0.0.1', port: 1 })) as RedisConnection
    const { get } = hash(connection, 'fusio-test-unreachable')
    for (let attempt = 0; attempt < 3; attempt++) {
      const started = Date.now()
      const error = await failure(get({ params: { field: 'a' } }))
      expect(error.code).toBe('FUSIO_ERR_CONNECTION_UNAVAILABLE')
      expect(error.status).toBe(503)
      expect(Date.now() - started).toBeLessThan(1500)
    }
    expect((await failure(connection.ping())).code).toBe('FUSIO_ERR_CONNECTION_UNAVAILABLE')
    await connection.close()
  })
})

describe.runIf(probe.available)('the Redis connection and the Redis-Hash actions' + probe.reason, () => {
  let connection: RedisConnection
  const used: string[] = []
  const newKey = () => {
    const key = `${RUN}-hash-${++keys}`
    used.push(key)
    return key
  }

  beforeAll(async () => {
    connection = (await redisConnection.create({ url })) as RedisConnection
  })

  afterAll(async () => {
    if (used.length) await connection?.client.del(...used)
    await connection?.close()
  })

  it('sets, reads, lists and deletes fields with Fusio’s answers', async () => {
    const h = hash(connection, newKey())
    expect(await h.getAll()).toEqual({ values: {} })
    expect(await h.set({ params: { field: 'a' }, body: { value: 'one' } })).toEqual({ success: true, message: 'Field successfully set', id: 1 })
    expect(await h.set({ params: { field: 'a' }, body: { value: 'uno' } })).toEqual({ success: true, message: 'Field successfully set', id: 0 })
    expect(await h.set({ params: { field: 'b' }, body: { value: 2 } })).toMatchObject({ id: 1 })
    expect(await h.get({ params: { field: 'a' } })).toEqual({ value: 'uno' })
    expect(await h.get({ query: { field: 'b' } })).toEqual({ value: '2' })
    expect(await h.getAll()).toEqual({ values: { a: 'uno', b: '2' } })
    expect(await h.delete({ params: { field: 'a' } })).toEqual({ success: true, message: 'Field successfully deleted', id: 1 })
    expect(await h.getAll()).toEqual({ values: { b: '2' } })
  })

  it('answers 404 for a field that does not exist', async () => {
    const h = hash(connection, newKey())
    for (const call of [h.get, h.delete]) {
      const error = await failure(call({ params: { field: 'missing' } }))
      expect([error.status, error.code, error.message]).toEqual([404, 'FUSIO_ERR_REDIS_FIELD_NOT_FOUND', 'Provided field does not exist'])
    }
  })

  it('answers 400 without a field or a value', async () => {
    const h = hash(connection, newKey())
    expect((await failure(h.get())).code).toBe('FUSIO_ERR_VALIDATION_PARAMS')
    expect((await failure(h.set({ params: { field: 'a' }, body: {} }))).message).toBe('No value provided')
    expect((await failure(h.set({ params: { field: 'a' }, body: { value: { nested: true } } }))).code).toBe('FUSIO_ERR_VALIDATION_BODY')
    expect(await h.getAll()).toEqual({ values: {} })
  })

  it('reports a key that holds no hash as a configuration error', async () => {
    const key = newKey()
    await connection.client.set(key, 'text')
    expect((await failure(hash(connection, key).getAll())).code).toBe('FUSIO_ERR_CONFIG_INVALID')
  })

  it('fails fast while Redis is down and works again by itself when it is back', async () => {
    const proxy = await startProxy()
    const viaProxy = (await redisConnection.create({ host: '127.0.0.1', port: proxy.port })) as RedisConnection
    const key = newKey()
    const h = hash(viaProxy, key)
    try {
      await h.set({ params: { field: 'a' }, body: { value: 'kept' } })
      await proxy.down()
      const started = Date.now()
      expect((await failure(h.get({ params: { field: 'a' } }))).status).toBe(503)
      expect(Date.now() - started).toBeLessThan(1500)
      await proxy.up()
      // The client reconnects in the background, at most half a second apart.
      let answer: unknown
      for (let i = 0; i < 30 && answer === undefined; i++) answer = await h.get({ params: { field: 'a' } }).catch(() => sleep(100).then(() => undefined))
      expect(answer).toEqual({ value: 'kept' })
    } finally {
      await viaProxy.close()
      await proxy.down()
    }
  })

  it('opens a fresh client after close()', async () => {
    const h = hash(connection, newKey())
    await h.set({ params: { field: 'a' }, body: { value: 'x' } })
    await connection.close()
    expect(await h.get({ params: { field: 'a' } })).toEqual({ value: 'x' })
    await connection.ping()
  })
})
