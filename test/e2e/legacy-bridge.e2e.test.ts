/**
 * examples/legacy-bridge end to end: reads from the existing app's PostgreSQL tables, writes through
 * its internal HTTP API (request and answer translated), and report jobs onto its RabbitMQ queue.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import amqp from 'amqplib'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { build, renderDiagnostics } from '../../compiler/index.js'
import { scratchDatabase, type ScratchDatabase } from '../helpers/databases.js'
import { copyProject, removeProject, REPO } from '../helpers/projects.js'
import { startApp, token } from '../helpers/service.js'
import { probeService, SERVICES } from '../helpers/services.js'

const postgres = await probeService('postgres')
const rabbitmq = await probeService('rabbitmq')
const available = postgres.available && rabbitmq.available
const QUEUE = 'legacy-reports'
const LEGACY_TOKEN = 'legacy-internal-token'

let project: string
let database: ScratchDatabase
let legacy: { url: string; close(): Promise<void> }
let app: FastifyInstance
let channel: amqp.Channel
let broker: amqp.ChannelModel

beforeAll(async () => {
  if (!available) return
  database = await scratchDatabase('postgres')
  await database.exec(readFileSync(join(REPO, 'examples/legacy-bridge/legacy-app/schema.sql'), 'utf8'))
  const { startLegacyApp } = (await import(pathToFileURL(join(REPO, 'examples/legacy-bridge/legacy-app/server.mjs')).href)) as {
    startLegacyApp(options: { databaseUrl: string; token: string }): Promise<typeof legacy>
  }
  legacy = await startLegacyApp({ databaseUrl: database.url, token: LEGACY_TOKEN })
  broker = await amqp.connect(SERVICES.rabbitmq.url)
  channel = await broker.createChannel()
  await channel.assertQueue(QUEUE, { durable: true })
  await channel.purgeQueue(QUEUE)
  project = copyProject(join(REPO, 'examples/legacy-bridge'))
  const result = await build({ manifest: join(project, '.fusio.yml') })
  if (!result.ok) throw new Error(renderDiagnostics(result.diagnostics))
  app = await startApp(project, { LEGACY_DATABASE_URL: database.url, LEGACY_API_URL: legacy.url, LEGACY_API_TOKEN: LEGACY_TOKEN, AMQP_URL: SERVICES.rabbitmq.url })
})

afterAll(async () => {
  await app?.close()
  await legacy?.close()
  await broker?.close()
  await database?.drop()
  if (project) removeProject(project)
})

describe.runIf(available)(`examples/legacy-bridge${postgres.reason}${rabbitmq.reason}`, () => {
  it('reads the legacy tables under the API’s names and shapes', async () => {
    const list = await app.inject({ url: '/customers' })
    expect(list.statusCode).toBe(200)
    expect(list.json()).toMatchObject({
      totalResults: 2,
      entry: [
        { id: 1, name: 'Ada Lovelace', email: 'ada@example.org', vip: true, createdAt: '2024-01-05T09:00:00.000Z' },
        { id: 2, name: 'Grace Hopper', vip: false },
      ],
    })
    expect((await app.inject({ url: '/customers/1/orders' })).json().entry).toEqual([
      { id: 1, total: 120.5, placed: '2024-03-01' },
      { id: 2, total: 9.99, placed: '2024-03-15' },
    ])
    const missing = await app.inject({ url: '/customers/99' })
    expect(missing.statusCode).toBe(404)
  })

  it('writes through the legacy API, translating the request to its form fields and its answer to a Message', async () => {
    const bearer = await token({ scope: 'customers' })
    const created = await app.inject({ method: 'POST', url: '/customers', headers: { authorization: `Bearer ${bearer}` }, payload: { name: 'Linus & Co', email: 'linus@example.org' } })
    expect(created.statusCode).toBe(201)
    expect(created.json()).toEqual({ success: true, message: 'Customer created', id: 3 })
    expect(await database.exec('select cust_name, cust_mail from customers where cust_id = 3')).toEqual([{ cust_name: 'Linus & Co', cust_mail: 'linus@example.org' }])

    const updated = await app.inject({ method: 'PUT', url: '/customers/3', headers: { authorization: `Bearer ${bearer}` }, payload: { name: 'Linus', vip: true } })
    expect(updated.statusCode).toBe(200)
    expect(updated.json()).toEqual({ success: true, message: 'Customer updated', id: 3 })
    expect((await app.inject({ url: '/customers/3' })).json()).toMatchObject({ name: 'Linus', vip: true })

    const unknown = await app.inject({ method: 'PUT', url: '/customers/99', headers: { authorization: `Bearer ${bearer}` }, payload: { name: 'Ghost', vip: true } })
    expect(unknown.statusCode).toBe(404)
    expect(unknown.json()).toEqual({ status: 'unknown customer' })
    const invalid = await app.inject({ method: 'POST', url: '/customers', headers: { authorization: `Bearer ${bearer}` }, payload: { name: 'No mail' } })
    expect(invalid.statusCode).toBe(400)
    expect(invalid.json()).toMatchObject({ errors: [{ field: 'email' }] })
    expect((await app.inject({ method: 'POST', url: '/customers', payload: { name: 'x', email: 'x@example.org' } })).statusCode).toBe(401)
  })

  it('queues report jobs on RabbitMQ, answering 202 once the broker confirmed', async () => {
    const bearer = await token({ scope: 'reports' })
    const response = await app.inject({ method: 'POST', url: '/reports', headers: { authorization: `Bearer ${bearer}` }, payload: { kind: 'revenue', month: '2024-03' } })
    expect(response.statusCode).toBe(202)
    expect(response.json()).toMatchObject({ success: true })
    const message = await channel.get(QUEUE, { noAck: false })
    expect(message).not.toBe(false)
    if (message === false) return
    channel.ack(message)
    expect(JSON.parse(message.content.toString())).toEqual({ kind: 'revenue', month: '2024-03' })
    expect(message.properties.messageId).toBe(response.headers['x-request-id'])
    expect(await channel.get(QUEUE)).toBe(false)
  })
})
