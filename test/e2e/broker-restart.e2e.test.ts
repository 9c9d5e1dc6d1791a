/**
 * Broker restart: AMQP-Publish against a RabbitMQ node of the test's own that stops while requests
 * keep coming and starts again. Every request answers 202, a quick 503 problem (nothing stored) or,
 * for a message in flight when the connection went, a 504 problem (its confirm was lost: it may be
 * stored). The process keeps serving, publishing works again without restarting the service, and the
 * queue then holds every message answered 202 exactly once, none answered 503, and nothing else.
 */
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { connect } from 'amqplib'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { build, renderDiagnostics } from '../../compiler/index.js'
import { ownRabbitmq, rabbitmqScripts, type OwnRabbitmq } from '../helpers/own-rabbitmq.js'
import { copyProject, removeProject, REPO } from '../helpers/projects.js'
import { startApp } from '../helpers/service.js'
import { required } from '../helpers/services.js'

const scripts = rabbitmqScripts()
if (!scripts && required) throw new Error('RabbitMQ (rabbitmq-server, rabbitmqctl) is not installed; FUSIO_REQUIRE_SERVICES=1 makes that a failure')
const reason = scripts ? '' : ' [skipped: RabbitMQ (rabbitmq-server, rabbitmqctl) is not installed]'

const RUN = `${process.pid}-${Date.now()}`
const QUEUE = `fusio-broker-restart-${RUN}`
/** The connection timeout of the AMQP connection is 5 s; no request may take much longer than that. */
const MAX_REQUEST_MS = 6_000
const WORKERS = 4
/** A request that has not answered by then hangs: it is recorded as status 0 and fails the test. */
const HANG_MS = 15_000

type Phase = 'before' | 'stopping' | 'down' | 'starting' | 'started' | 'after'

interface Sent {
  readonly id: string
  /** The traffic client that sent it (-1: sent by the test itself). */
  readonly worker: number
  /** What the broker was doing when the request was sent. */
  readonly phase: Phase
  readonly status: number
  readonly ms: number
  readonly contentType?: string
  readonly type?: string
}

let project: string
let broker: OwnRabbitmq | undefined
let app: FastifyInstance | undefined
const unhandled: unknown[] = []
const onUnhandled = (error: unknown): void => {
  unhandled.push(error)
}

let phase: Phase = 'before'
let sequence = 0
const sent: Sent[] = []
/** Requests answered 504 (confirm lost) whose message is in the queue (see (d)). */
let ambiguous: Sent[] = []

async function publish(worker = -1): Promise<Sent> {
  const id = `${RUN}-${++sequence}`
  const at = phase
  const started = Date.now()
  const response = await Promise.race([
    // The request id becomes the message id: consumers can recognise a message published twice.
    app!.inject({ method: 'POST', url: '/jobs', headers: { 'x-request-id': id }, payload: { id, phase: at } }),
    sleep(HANG_MS).then(() => undefined),
  ])
  const ms = Date.now() - started
  let result: Sent
  if (!response) result = { id, worker, phase: at, status: 0, ms }
  else {
    const contentType = String(response.headers['content-type'] ?? '')
    const type = response.statusCode === 202 ? undefined : (response.json() as { type?: string }).type
    result = { id, worker, phase: at, status: response.statusCode, ms, contentType, type }
  }
  sent.push(result)
  return result
}

/** Requests from `workers` clients, one after the other each, until `stop` is called. */
function traffic(workers: number, pauseMs: number): { stop(): Promise<void> } {
  let running = true
  const loops = Array.from({ length: workers }, async (_, worker) => {
    while (running) {
      await publish(worker)
      await sleep(pauseMs)
    }
  })
  return {
    async stop() {
      running = false
      await Promise.all(loops)
    },
  }
}

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await sleep(50)
  }
}

const count = (p: Phase, status: number) => sent.filter((s) => s.phase === p && s.status === status).length

beforeAll(async () => {
  if (!scripts) return
  process.on('unhandledRejection', onUnhandled)
  process.on('uncaughtException', onUnhandled)
  broker = await ownRabbitmq()
  await broker.start()
  project = copyProject(join(REPO, 'test/fixtures/projects/broker-restart'))
  const result = await build({ manifest: join(project, '.fusio.yml') })
  if (!result.ok) throw new Error(renderDiagnostics(result.diagnostics))
  app = await startApp(project, { AMQP_URL: broker.url, AMQP_QUEUE: QUEUE })
}, 90_000)

afterAll(async () => {
  process.off('unhandledRejection', onUnhandled)
  process.off('uncaughtException', onUnhandled)
  // Each step on its own, so a failing one never leaves the broker running.
  await app?.close().catch(() => undefined)
  if (broker) {
    await broker.destroy()
    const timings = broker.timings.map((t) => `${t.action} ${t.ms} ms`).join(', ')
    const phases = [...new Set(sent.map((s) => s.phase))].map((p) => {
      const of = sent.filter((s) => s.phase === p)
      const statuses = [...new Set(of.map((s) => s.status))].map((status) => `${status}×${of.filter((s) => s.status === status).length}`)
      return `${p} ${statuses.join(' ')} (max ${Math.max(...of.map((s) => s.ms))} ms)`
    })
    const unsure = ambiguous.map((s) => `${s.id} (client ${s.worker}, ${s.ms} ms)`).join(', ') || 'none'
    console.info(`private RabbitMQ ${broker.node} on port ${broker.port}: ${timings}\nrequests: ${phases.join('; ')}\nanswered 504 and published: ${unsure}`)
  }
  if (project) removeProject(project)
}, 60_000)

describe.runIf(scripts)(`AMQP-Publish while the broker restarts${reason}`, () => {
  it('answers 202, or a quick 503 (504 when a confirm was lost) while the broker is away, publishes again once it is back, and loses or duplicates nothing', async () => {
    // (a) The broker is up: every publish is confirmed.
    const first = await Promise.all(Array.from({ length: 10 }, () => publish()))
    expect(first.map((s) => s.status)).toEqual(Array(10).fill(202))
    expect((await app!.inject({ url: '/ready' })).statusCode).toBe(200)

    // (b) The broker stops while requests keep coming.
    phase = 'stopping'
    const load = traffic(WORKERS, 10)
    try {
      await until(() => count('stopping', 202) >= 20, 10_000, 'confirmed publishes before the stop')
      await broker!.stop()
      phase = 'down'
      const down = await publish()
      expect(down.status).toBe(503)
      expect(down.contentType).toContain('application/problem+json')
      expect(down.type).toBe('urn:fusio:error:connection-unavailable')
      expect(down.ms).toBeLessThan(2_000)
      expect((await app!.inject({ url: '/health' })).statusCode).toBe(200)
      const ready = await app!.inject({ url: '/ready' })
      expect(ready.statusCode).toBe(503)
      expect(ready.json()).toMatchObject({ type: 'urn:fusio:error:connection-unavailable' })
      await sleep(1_000)

      // (c) The broker comes back: the same service publishes again.
      phase = 'starting'
      await broker!.start()
      phase = 'started'
      await until(() => count('started', 202) >= 8, 15_000, 'confirmed publishes after the restart')
    } finally {
      await load.stop()
    }
    phase = 'after'
    for (let i = 0; i < 10; i++) expect((await publish()).status).toBe(202)
    expect((await app!.inject({ url: '/ready' })).statusCode).toBe(200)
    expect((await app!.inject({ url: '/health' })).statusCode).toBe(200)

    // Every request answered, quickly, with 202, the connection-unavailable problem or (in flight when the
    // connection went) the publish-unconfirmed problem.
    const unexpected = sent.filter((s) => s.status !== 202 && s.status !== 503 && s.status !== 504)
    expect(unexpected).toEqual([])
    const slow = sent.filter((s) => s.ms >= MAX_REQUEST_MS)
    expect(slow).toEqual([])
    const problemOf = { 503: 'urn:fusio:error:connection-unavailable', 504: 'urn:fusio:error:publish-unconfirmed' } as Record<number, string>
    const badProblems = sent.filter((s) => s.status !== 202 && (!s.contentType?.includes('application/problem+json') || s.type !== problemOf[s.status]))
    expect(badProblems).toEqual([])
    expect(sent.filter((s) => s.status === 504 && s.phase !== 'stopping')).toEqual([])
    expect(sent.filter((s) => s.phase === 'down' && s.status !== 503)).toEqual([])
    expect(count('down', 503)).toBeGreaterThan(0)
    expect(sent.filter((s) => s.phase === 'after' && s.status !== 202)).toEqual([])
    expect(unhandled).toEqual([])

    // (d) The queue holds every message answered 202, exactly once, and no message answered 503. A message
    // answered 504 was sent when the broker closed the connection before confirming it: AMQP cannot tell
    // whether the broker kept it, so it may be there (once) or not; a client retries it with the same
    // X-Request-Id, which is the message id consumers de-duplicate by.
    const found: { id: string; messageId: unknown }[] = []
    const consumer = await connect(broker!.url)
    try {
      const channel = await consumer.createChannel()
      for (;;) {
        const message = await channel.get(QUEUE, { noAck: true })
        if (!message) break
        expect(message.properties.contentType).toBe('application/json')
        // Persistent: that is what let the messages published before the restart survive it.
        expect(message.properties.deliveryMode).toBe(2)
        found.push({ id: (JSON.parse(message.content.toString('utf8')) as { id: string }).id, messageId: message.properties.messageId })
      }
      await channel.close()
    } finally {
      await consumer.close()
    }
    const ids = found.map((f) => f.id)
    expect(found.filter((f) => f.messageId !== f.id)).toEqual([])
    expect(ids.filter((id, index) => ids.indexOf(id) !== index)).toEqual([])
    const inQueue = new Set(ids)
    const byId = new Map(sent.map((s) => [s.id, s]))
    expect(ids.filter((id) => !byId.has(id))).toEqual([])
    expect(sent.filter((s) => s.status === 202 && !inQueue.has(s.id))).toEqual([])
    expect(sent.filter((s) => s.status === 503 && inQueue.has(s.id))).toEqual([])
    ambiguous = sent.filter((s) => s.status === 504 && inQueue.has(s.id))
    expect(ids.length).toBe(sent.filter((s) => s.status === 202).length + ambiguous.length)
  }, 120_000)
})
