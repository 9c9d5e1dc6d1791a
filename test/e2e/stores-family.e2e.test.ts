/**
 * The Redis and Beanstalk paths of a manifest through a built service, against the machine's real
 * servers: the Redis-Hash actions (checked against the raw hash with ioredis), Beanstalk-Publish
 * (the job reserved from the tube here), and Util-Cache kept in Redis and shared by two instances.
 * Hash key, tube and cache URL are this run's own, and removed afterwards.
 */
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { build, renderDiagnostics } from '../../compiler/index.js'
import { BeanstalkClient } from '../../runtime-min/connections/beanstalk-client.js'
import { copyProject, removeProject, REPO } from '../helpers/projects.js'
import { startApp } from '../helpers/service.js'
import { probeService, SERVICES } from '../helpers/services.js'

const redisProbe = await probeService('redis')
const beanstalkProbe = await probeService('beanstalkd')

const RUN = `fusio-e2e-stores-${process.pid}-${Date.now()}`
const HASH_KEY = `${RUN}:config`
const TUBE = `${RUN}-jobs`
/** The `expire` of the Cached action in the fixture. */
const EXPIRE = 30

const ENV = { REDIS_URL: SERVICES.redis.url, BEANSTALK_URL: SERVICES.beanstalkd.url, HASH_KEY, JOBS_TUBE: TUBE }

let project: string | undefined
let app: FastifyInstance | undefined
let redis: Redis | undefined
let worker: BeanstalkClient | undefined
const extraApps: FastifyInstance[] = []
const cacheKeys = new Set<string>()

/** Every ready job of the run's tube, deleted after reading. */
async function take(): Promise<{ id: number; body: string }[]> {
  const jobs: { id: number; body: string }[] = []
  for (let job = await worker!.reserve(0); job; job = await worker!.reserve(0)) {
    jobs.push({ id: job.id, body: job.body.toString('utf8') })
    await worker!.delete(job.id)
  }
  return jobs
}

async function send(target: FastifyInstance, method: 'GET' | 'PUT' | 'POST' | 'DELETE', url: string, payload?: unknown) {
  const response = await target.inject({ method, url, ...(payload === undefined ? {} : { payload: payload as object }) })
  return { status: response.statusCode, type: response.headers['content-type'], body: response.json() }
}

/** The cache entries in Redis that hold an answer for this run (the counter echoes the query, which names the run). */
async function cacheEntriesOfRun(): Promise<string[]> {
  const found: string[] = []
  let cursor = '0'
  do {
    const [next, keys] = await redis!.scan(cursor, 'MATCH', 'fusio:cache:*', 'COUNT', 1000)
    cursor = next
    for (const key of keys) if ((await redis!.get(key))?.includes(RUN)) found.push(key)
  } while (cursor !== '0')
  for (const key of found) cacheKeys.add(key)
  return found
}

beforeAll(async () => {
  if (!redisProbe.available && !beanstalkProbe.available) return
  project = copyProject(join(REPO, 'test/fixtures/projects/stores-family'))
  const result = await build({ manifest: join(project, '.fusio.yml') })
  if (!result.ok) throw new Error(renderDiagnostics(result.diagnostics))
  // Connections open on first use, so the service starts even when one of the two servers is missing.
  app = await startApp(project, ENV)
  if (redisProbe.available) redis = new Redis(SERVICES.redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 })
  if (beanstalkProbe.available) {
    worker = new BeanstalkClient({ host: SERVICES.beanstalkd.host, port: SERVICES.beanstalkd.port })
    await worker.watch(TUBE)
    await worker.ignore('default')
  }
})

afterAll(async () => {
  await Promise.all([app, ...extraApps].map((a) => a?.close()))
  if (redis) {
    await cacheEntriesOfRun().catch(() => [])
    await redis.del(HASH_KEY, ...cacheKeys).catch(() => 0)
    await redis.quit().catch(() => redis?.disconnect())
  }
  // An empty tube that nobody watches is gone from beanstalkd.
  if (worker) await take().catch(() => [])
  await worker?.close()
  if (project) removeProject(project)
})

describe.runIf(redisProbe.available)(`Redis-Hash actions through the service${redisProbe.reason}`, () => {
  it('answers an empty hash with no values', async () => {
    expect(await redis!.exists(HASH_KEY)).toBe(0)
    expect(await send(app!, 'GET', '/config')).toMatchObject({ status: 200, body: { values: {} } })
  })

  it('sets fields from the path and the body’s value, as Fusio does (id 1 new, 0 replaced)', async () => {
    expect(await send(app!, 'PUT', '/config/color', { value: 'blue' })).toMatchObject({
      status: 200,
      body: { success: true, message: 'Field successfully set', id: 1 },
    })
    expect(await send(app!, 'PUT', '/config/color', { value: 'green' })).toMatchObject({ status: 200, body: { id: 0 } })
    // Numbers and booleans are stored as their text; a field name is URL-decoded.
    expect((await send(app!, 'PUT', '/config/size', { value: 42 })).status).toBe(200)
    expect((await send(app!, 'PUT', '/config/a%20b%3Ac', { value: true })).status).toBe(200)
    expect(await redis!.hgetall(HASH_KEY)).toEqual({ color: 'green', size: '42', 'a b:c': 'true' })
    expect(await redis!.type(HASH_KEY)).toBe('hash')
  })

  it('refuses a body without a value with a 400 problem, and writes nothing', async () => {
    const response = await send(app!, 'PUT', '/config/empty', { other: 'x' })
    expect(response.status).toBe(400)
    expect(response.type).toContain('application/problem+json')
    expect(response.body).toMatchObject({ code: 'FUSIO_ERR_VALIDATION_BODY', success: false, errors: [{ in: 'body', field: 'value' }] })
    expect(await redis!.hexists(HASH_KEY, 'empty')).toBe(0)
  })

  it('gets one field and every field', async () => {
    expect(await send(app!, 'GET', '/config/color')).toMatchObject({ status: 200, body: { value: 'green' } })
    expect(await send(app!, 'GET', '/config/a%20b%3Ac')).toMatchObject({ status: 200, body: { value: 'true' } })
    // A field written by someone else is served as well.
    await redis!.hset(HASH_KEY, 'direct', 'from-redis')
    expect(await send(app!, 'GET', '/config')).toEqual({
      status: 200,
      type: expect.stringContaining('application/json'),
      body: { values: { color: 'green', size: '42', 'a b:c': 'true', direct: 'from-redis' } },
    })
  })

  it('answers a missing field with a 404 problem+json', async () => {
    const response = await send(app!, 'GET', '/config/missing')
    expect(response.status).toBe(404)
    expect(response.type).toContain('application/problem+json')
    expect(response.body).toMatchObject({
      type: 'urn:fusio:error:redis-field-not-found',
      status: 404,
      code: 'FUSIO_ERR_REDIS_FIELD_NOT_FOUND',
      success: false,
      instance: '/config/missing',
    })
  })

  it('deletes a field, and answers 404 for one that is already gone', async () => {
    expect(await send(app!, 'DELETE', '/config/color')).toMatchObject({
      status: 200,
      body: { success: true, message: 'Field successfully deleted', id: 1 },
    })
    expect(await redis!.hexists(HASH_KEY, 'color')).toBe(0)
    expect(await redis!.hgetall(HASH_KEY)).toEqual({ size: '42', 'a b:c': 'true', direct: 'from-redis' })
    const again = await send(app!, 'DELETE', '/config/color')
    expect(again.status).toBe(404)
    expect(again.body).toMatchObject({ code: 'FUSIO_ERR_REDIS_FIELD_NOT_FOUND' })
    expect((await send(app!, 'GET', '/config/color')).status).toBe(404)
  })
})

describe.runIf(beanstalkProbe.available)(`Beanstalk-Publish through the service${beanstalkProbe.reason}`, () => {
  it('answers 202 once the job is in the tube, whose body is the request body as JSON', async () => {
    const payload = { order: 7, items: ['a', 'b'], note: 'grüße\r\n', nested: { ok: true, n: null } }
    const response = await send(app!, 'POST', '/jobs', payload)
    expect(response).toMatchObject({ status: 202, body: { success: true, message: 'Message successfully published' } })
    expect(response.type).toContain('application/json')
    const stats = await worker!.statsTube(TUBE)
    expect(stats['current-jobs-ready']).toBe(1)
    const jobs = await take()
    expect(jobs).toHaveLength(1)
    expect(JSON.parse(jobs[0].body)).toEqual(payload)
  })

  it('puts one job per request, in the order they were answered', async () => {
    for (const n of [1, 2, 3]) expect((await send(app!, 'POST', '/jobs', { n })).status).toBe(202)
    expect((await take()).map((job) => JSON.parse(job.body))).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }])
  })
})

describe.runIf(redisProbe.available)(`Util-Cache kept in Redis${redisProbe.reason}`, () => {
  const url = `/cached?run=${RUN}`
  let first: { calls: number; query: Record<string, string> }

  it('answers a repeated GET from Redis without running the action again', async () => {
    const response = await send(app!, 'GET', url)
    expect(response.status).toBe(200)
    first = response.body
    expect(first).toEqual({ calls: expect.any(Number), query: { run: RUN } })
    expect(await send(app!, 'GET', url)).toMatchObject({ status: 200, body: first })
    // The handler ran once: the next uncached call is the very next count.
    expect((await send(app!, 'GET', '/counter')).body.calls).toBe(first.calls + 1)
  })

  it('keeps the answer under fusio:cache: with a TTL of at most the configured expire', async () => {
    const keys = await cacheEntriesOfRun()
    expect(keys).toHaveLength(1)
    const [key] = keys
    expect(key.startsWith('fusio:cache:')).toBe(true)
    const ttl = await redis!.ttl(key)
    expect(ttl).toBeGreaterThan(0)
    expect(ttl).toBeLessThanOrEqual(EXPIRE)
    expect(JSON.parse((await redis!.get(key))!)).toMatchObject({ body: first })
  })

  it('serves the cached answer to a second instance on the same Redis', async () => {
    const second = await startApp(project!, ENV)
    extraApps.push(second)
    const before = (await send(second, 'GET', '/counter')).body.calls
    expect(await send(second, 'GET', url)).toMatchObject({ status: 200, body: first })
    // The second instance's handler did not run for it.
    expect((await send(second, 'GET', '/counter')).body.calls).toBe(before + 1)
  })

  it('runs the action again once the entry is gone from Redis, and stores the new answer', async () => {
    const [key] = await cacheEntriesOfRun()
    expect(await redis!.del(key)).toBe(1)
    const fresh = (await send(app!, 'GET', url)).body
    expect(fresh.calls).toBeGreaterThan(first.calls)
    expect(fresh.query).toEqual({ run: RUN })
    const keys = await cacheEntriesOfRun()
    expect(keys).toEqual([key])
    expect(JSON.parse((await redis!.get(key))!)).toMatchObject({ body: fresh })
    expect((await send(app!, 'GET', url)).body).toEqual(fresh)
  })
})

describe.runIf(redisProbe.available && beanstalkProbe.available)(`readiness${redisProbe.reason}${beanstalkProbe.reason}`, () => {
  it('pings both connections for /ready', async () => {
    expect(await send(app!, 'GET', '/ready')).toMatchObject({ status: 200, body: { status: 'ready', connections: { Cache: 'ok', Jobs: 'ok' } } })
  })
})
