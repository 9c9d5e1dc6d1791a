/**
 * The AMQP connection and mq-publish against a real RabbitMQ: confirmed publishes that arrive once
 * each with their body, headers and message id, one shared connection, topology errors as config
 * errors, an unreachable broker as a quick 503, and a reconnect after the broker closes the connection.
 */
import { execFileSync } from 'node:child_process'
import { setTimeout as sleep } from 'node:timers/promises'
import { connect, type Channel, type ChannelModel, type GetMessage } from 'amqplib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { amqpConnection, type AmqpConnection } from '../../runtime-min/connections/amqp.js'
import { mqPublish, type MqPublishConfig } from '../../runtime-min/actions/mq-publish.js'
import type { Connection } from '../../runtime-min/types.js'
import { actionOn, failure } from '../helpers/actions.js'
import { probeService, SERVICES } from '../helpers/services.js'

const { url } = SERVICES.rabbitmq
const probe = await probeService('rabbitmq')

const RUN = `fusio-test-${process.pid}-${Date.now()}`
let names = 0
const unique = (what: string) => `${RUN}-${what}-${++names}`

/** mq-publish on this connection; each call publishes `body` as a request with the given id. */
function handler(connection: Connection, config: MqPublishConfig) {
  const publish = actionOn(mqPublish, config, connection)
  return (body: unknown, requestId: string) => publish({ method: 'POST', body, requestId })
}

function rabbitmqctl(...args: string[]): string {
  return execFileSync('rabbitmqctl', ['-q', ...args], { encoding: 'utf8', timeout: 30_000 })
}

/** Broker-side pids of the connections that announced `name` as their connection_name. */
function connectionsNamed(name: string): string[] {
  // Text rows: `<rabbit@host.…>` (the form close_connection takes), a tab, the properties as Erlang terms.
  return rabbitmqctl('list_connections', 'pid', 'client_properties')
    .split('\n')
    .filter((row) => row.includes(`{"connection_name","${name}"}`))
    .map((row) => row.split('\t')[0])
}

describe('an unreachable AMQP broker', () => {
  it('fails fast with 503 from publish and ping', async () => {
    const connection = (await amqpConnection.create({ host: '127.0.0.1', port: 1 })) as AmqpConnection
    const started = Date.now()
    const error = await failure(connection.client.publish({ queue: unique('nowhere') }, Buffer.from('{}')))
    expect(error.code).toBe('FUSIO_ERR_CONNECTION_UNAVAILABLE')
    expect(error.status).toBe(503)
    expect(Date.now() - started).toBeLessThan(1000)
    expect((await failure(connection.ping())).code).toBe('FUSIO_ERR_CONNECTION_UNAVAILABLE')
    await connection.close()
  })
})

describe.runIf(probe.available)('the AMQP connection and mq-publish' + probe.reason, () => {
  const connectionName = unique('service')
  let connection: AmqpConnection
  let consumer: ChannelModel
  let channel: Channel
  const queues: string[] = []
  const exchanges: string[] = []

  const newQueue = (): string => {
    const queue = unique('queue')
    queues.push(queue)
    return queue
  }

  /** Every message now in `queue`, taken off it. */
  async function drain(queue: string): Promise<GetMessage[]> {
    const messages: GetMessage[] = []
    for (let message = await channel.get(queue, { noAck: true }); message; message = await channel.get(queue, { noAck: true })) messages.push(message)
    return messages
  }

  beforeAll(async () => {
    connection = (await amqpConnection.create({ url, connectionName })) as AmqpConnection
    consumer = await connect(url)
    channel = await consumer.createChannel()
  })

  afterAll(async () => {
    await connection?.close()
    for (const queue of queues) await channel?.deleteQueue(queue)
    for (const exchange of exchanges) await channel?.deleteExchange(exchange)
    await consumer?.close()
  })

  it('publishes each request once, confirmed, with its body, headers and message id', async () => {
    const queue = newQueue()
    const publish = handler(connection, { connection: 'Queue', queue })
    const requests = Array.from({ length: 5 }, (_, i) => ({ id: `${RUN}-request-${i}`, body: { order: i, items: ['a', 'b'], note: 'grüße' } }))
    for (const { id, body } of requests) {
      const response = await publish(body, id)
      expect(response).toMatchObject({ statusCode: 202, body: { success: true, message: 'Message successfully published' } })
    }
    const messages = await drain(queue)
    expect(messages).toHaveLength(requests.length)
    expect(new Set(messages.map((m) => m.properties.messageId)).size).toBe(requests.length)
    for (const [i, message] of messages.entries()) {
      expect(JSON.parse(message.content.toString('utf8'))).toEqual(requests[i].body)
      expect(message.properties).toMatchObject({ messageId: requests[i].id, contentType: 'application/json', deliveryMode: 2 })
      expect(message.properties.headers).toMatchObject({ 'x-fusio-operation-id': 'test', 'x-fusio-request-id': requests[i].id })
    }
    // The queue was declared durable, so it and its messages survive a broker restart.
    const { messageCount } = await channel.checkQueue(queue)
    expect(messageCount).toBe(0)
  })

  it('shares one connection among concurrent publishes', async () => {
    const name = unique('concurrent')
    const fresh = (await amqpConnection.create({ url, connectionName: name })) as AmqpConnection
    const queue = newQueue()
    await Promise.all(Array.from({ length: 20 }, (_, i) => fresh.client.publish({ queue }, Buffer.from(String(i)))))
    expect(connectionsNamed(name)).toHaveLength(1)
    const bodies = (await drain(queue)).map((m) => Number(m.content.toString()))
    expect(bodies.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i))
    await fresh.close()
  })

  it('publishes through an exchange, declared and bound to the queue as Fusio does', async () => {
    const queue = newQueue()
    const exchange = unique('exchange')
    exchanges.push(exchange)
    const publish = handler(connection, { connection: 'Queue', exchange, queue, routingKey: 'orders' })
    await publish({ via: 'exchange' }, `${RUN}-exchange`)
    const messages = await drain(queue)
    expect(messages.map((m) => [m.fields.exchange, m.fields.routingKey, m.content.toString()])).toEqual([[exchange, 'orders', '{"via":"exchange"}']])
  })

  it('reports an unknown exchange as a configuration error, and publishes again afterwards', async () => {
    const error = await failure(connection.client.publish({ exchange: unique('missing-exchange') }, Buffer.from('{}')))
    expect(error.code).toBe('FUSIO_ERR_CONFIG_INVALID')
    const queue = newQueue()
    await connection.client.publish({ queue }, Buffer.from('after'))
    expect((await drain(queue)).map((m) => m.content.toString())).toEqual(['after'])
  })

  it('reconnects on the next publish after the broker closed the connection', async () => {
    const queue = newQueue()
    await connection.client.publish({ queue }, Buffer.from('before'))
    const [pid] = connectionsNamed(connectionName)
    expect(pid).toBeDefined()
    rabbitmqctl('close_connection', pid, 'fusio test: closed on purpose')
    // The broker lists a connection until the client has taken the close.
    for (let i = 0; i < 50 && connectionsNamed(connectionName).includes(pid); i++) await sleep(100)
    await connection.client.publish({ queue }, Buffer.from('after'))
    expect(connectionsNamed(connectionName)).toHaveLength(1)
    expect(connectionsNamed(connectionName)).not.toContain(pid)
    expect((await drain(queue)).map((m) => m.content.toString())).toEqual(['before', 'after'])
  })

  it('rejects a message the broker nacks with 503', async () => {
    const queue = newQueue()
    const policy = unique('policy')
    // A full queue that refuses more messages: the broker nacks the second publish.
    rabbitmqctl('set_policy', policy, `^${queue}$`, '{"max-length":1,"overflow":"reject-publish"}', '--apply-to', 'queues')
    try {
      await connection.client.publish({ queue }, Buffer.from('first'))
      const error = await failure(connection.client.publish({ queue }, Buffer.from('second')))
      expect(error.code).toBe('FUSIO_ERR_CONNECTION_UNAVAILABLE')
      expect((error.cause as Error).message).toBe('message nacked')
      expect((await drain(queue)).map((m) => m.content.toString())).toEqual(['first'])
    } finally {
      rabbitmqctl('clear_policy', policy)
    }
  })

  it('publishes nothing while the broker is unreachable', async () => {
    const queue = newQueue()
    await channel.assertQueue(queue, { durable: true })
    const down = (await amqpConnection.create({ host: '127.0.0.1', port: 1 })) as AmqpConnection
    const error = await failure(handler(down, { connection: 'Queue', queue })({ lost: true }, `${RUN}-down`))
    expect(error.status).toBe(503)
    expect((await channel.checkQueue(queue)).messageCount).toBe(0)
    await down.close()
  })

  it('rejects a connection of another kind, and a publish without queue or exchange', async () => {
    const other = { kind: 'sql', client: {}, ping: async () => {}, close: async () => {} } as Connection
    expect((await failure(handler(other, { connection: 'Db', queue: 'q' })({}, 'x'))).code).toBe('FUSIO_ERR_CONFIG_INVALID')
    expect((await failure(connection.client.publish({}, Buffer.from('{}')))).code).toBe('FUSIO_ERR_CONFIG_INVALID')
  })
})
