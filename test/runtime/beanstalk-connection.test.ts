/**
 * The Beanstalk connection and mq-publish against a real beanstalkd: jobs land in their tube with the
 * request body as JSON, concurrent publishes to several tubes never cross, a job that is too big is
 * the client's 400, and an unreachable server is a 503.
 */
import { createServer, type AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { beanstalkConnection, type BeanstalkConnection } from '../../runtime-min/connections/beanstalk.js'
import { BeanstalkClient } from '../../runtime-min/connections/beanstalk-client.js'
import { mqPublish, type MqPublishConfig } from '../../runtime-min/actions/mq-publish.js'
import { actionOn, failure } from '../helpers/actions.js'
import { probeService, SERVICES } from '../helpers/services.js'

const { host, port, url } = SERVICES.beanstalkd
const probe = await probeService('beanstalkd')

const RUN = `fusio-test-${process.pid}-${Date.now()}`
let tubes = 0
const newTube = () => `${RUN}-${++tubes}`

/** mq-publish on this connection; each call publishes `body` as a request. */
function handler(connection: BeanstalkConnection, config: MqPublishConfig) {
  const publish = actionOn(mqPublish, config, connection)
  return (body: unknown) => publish({ method: 'POST', body, requestId: `${RUN}-request` })
}

describe('an unreachable beanstalkd', () => {
  it('fails fast with 503 from publish and ping', async () => {
    const connection = (await beanstalkConnection.create({ host: '127.0.0.1', port: 1 })) as BeanstalkConnection
    const started = Date.now()
    const error = await failure(handler(connection, { connection: 'Jobs', tube: 'nowhere' })({ lost: true }))
    expect(error.code).toBe('FUSIO_ERR_CONNECTION_UNAVAILABLE')
    expect(error.status).toBe(503)
    expect(Date.now() - started).toBeLessThan(1000)
    expect((await failure(connection.ping())).code).toBe('FUSIO_ERR_CONNECTION_UNAVAILABLE')
    await connection.close()
  })

  it('answers 504 publish-unconfirmed when the connection goes after the put was sent (the job may be stored)', async () => {
    // A server that takes `use` and then hangs up on the put, before answering it.
    const server = createServer((socket) => {
      socket.on('data', (data: Buffer) => {
        const line = data.toString('latin1')
        if (line.startsWith('use ')) socket.write(`USING ${line.slice(4, line.indexOf('\r\n'))}\r\n`)
        else if (line.startsWith('put ')) socket.destroy()
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const connection = (await beanstalkConnection.create({ host: '127.0.0.1', port: (server.address() as AddressInfo).port })) as BeanstalkConnection
    try {
      const error = await failure(handler(connection, { connection: 'Jobs', tube: 'jobs' })({ maybe: true }))
      expect([error.status, error.code]).toEqual([504, 'FUSIO_ERR_PUBLISH_UNCONFIRMED'])
    } finally {
      await connection.close()
      await new Promise((resolve) => server.close(resolve))
    }
  })

  it('refuses a URL of another scheme at start-up', async () => {
    const error = await failure(Promise.resolve().then(() => beanstalkConnection.create({ url: 'amqp://127.0.0.1:11300' })))
    expect(error.code).toBe('FUSIO_ERR_CONFIG_INVALID')
  })
})

describe.runIf(probe.available)('the Beanstalk connection and mq-publish' + probe.reason, () => {
  let connection: BeanstalkConnection
  const workers: BeanstalkClient[] = []

  /** A client that reserves from `tube` only. */
  async function worker(tube: string): Promise<BeanstalkClient> {
    const client = new BeanstalkClient({ host, port })
    workers.push(client)
    await client.watch(tube)
    await client.ignore('default')
    return client
  }

  /** Every ready job of `tube`, deleted after reading. */
  async function take(tube: string): Promise<{ id: number; body: string }[]> {
    const client = await worker(tube)
    const jobs: { id: number; body: string }[] = []
    for (let job = await client.reserve(0); job; job = await client.reserve(0)) {
      jobs.push({ id: job.id, body: job.body.toString('utf8') })
      await client.delete(job.id)
    }
    return jobs
  }

  beforeAll(async () => {
    connection = (await beanstalkConnection.create({ url })) as BeanstalkConnection
  })

  afterAll(async () => {
    await connection?.close()
    await Promise.all(workers.map((w) => w.close()))
  })

  it('puts the request body as JSON into the tube and answers 202', async () => {
    const tube = newTube()
    const body = { order: 7, items: ['a', 'b'], note: 'grüße\r\n' }
    const response = await handler(connection, { connection: 'Jobs', tube })(body)
    expect(response).toMatchObject({ statusCode: 202, body: { success: true, message: 'Message successfully published' } })
    const jobs = await take(tube)
    expect(jobs).toHaveLength(1)
    expect(JSON.parse(jobs[0].body)).toEqual(body)
  })

  it('resolves publish with the id of the job', async () => {
    const tube = newTube()
    const id = await connection.client.publish(tube, Buffer.from('payload'), { priority: 10, ttr: 30 })
    expect(await take(tube)).toEqual([{ id, body: 'payload' }])
  })

  it('keeps concurrent publishes to several tubes apart', async () => {
    const [a, b, c] = [newTube(), newTube(), newTube()]
    const sends = Array.from({ length: 30 }, (_, i) => {
      const tube = [a, b, c][i % 3]
      return connection.client.publish(tube, Buffer.from(`${tube}#${i}`))
    })
    await Promise.all(sends)
    for (const tube of [a, b, c]) {
      const bodies = (await take(tube)).map((j) => j.body)
      expect(bodies).toHaveLength(10)
      for (const body of bodies) expect(body.startsWith(`${tube}#`)).toBe(true)
    }
  })

  it('answers 400 for a job larger than the server accepts, and keeps publishing', async () => {
    const tube = newTube()
    const error = await failure(connection.client.publish(tube, Buffer.alloc(2 * 1024 * 1024 + 1, 'x')))
    expect(error.code).toBe('FUSIO_ERR_VALIDATION_BODY')
    expect(error.status).toBe(400)
    await connection.client.publish(tube, Buffer.from('small'))
    expect((await take(tube)).map((j) => j.body)).toEqual(['small'])
  })

  it('answers 500 for a tube name beanstalkd refuses, without harming other tubes', async () => {
    const error = await failure(connection.client.publish('-not a tube-', Buffer.from('x')))
    expect(error.code).toBe('FUSIO_ERR_INTERNAL')
    const tube = newTube()
    await connection.client.publish(tube, Buffer.from('fine'))
    expect((await take(tube)).map((j) => j.body)).toEqual(['fine'])
  })

  it('publishes again after close(), on fresh sockets', async () => {
    const tube = newTube()
    await connection.client.publish(tube, Buffer.from('before'))
    await connection.close()
    await connection.client.publish(tube, Buffer.from('after'))
    await connection.ping()
    expect((await take(tube)).map((j) => j.body)).toEqual(['before', 'after'])
  })

  it('refuses AMQP-only keys and a missing tube', async () => {
    const withExchange = handler(connection, { connection: 'Jobs', tube: newTube(), exchange: 'x' })
    expect((await failure(withExchange({}))).code).toBe('FUSIO_ERR_CONFIG_INVALID')
    const withoutTube = handler(connection, { connection: 'Jobs', exchange: 'x' })
    expect((await failure(withoutTube({}))).code).toBe('FUSIO_ERR_CONFIG_INVALID')
  })
})
