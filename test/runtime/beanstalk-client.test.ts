/**
 * The beanstalkd client against a real server: binary-safe bodies cut by size across TCP chunks,
 * pipelined commands answered in order, protocol errors as codes, and a connection that fails
 * cleanly (refused, dropped, silent) and comes back with its tubes.
 */
import { randomBytes } from 'node:crypto'
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net'
import { setImmediate as nextTurn } from 'node:timers/promises'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { BeanstalkClient, BeanstalkError } from '../../runtime-min/connections/beanstalk-client.js'
import { probeService, SERVICES } from '../helpers/services.js'

const { host, port } = SERVICES.beanstalkd
const probe = await probeService('beanstalkd')

const RUN = `fusio-test-${process.pid}-${Date.now()}`
let tubes = 0
const newTube = () => `${RUN}-${++tubes}`

const clients: BeanstalkClient[] = []
const servers: Server[] = []
// Server-side sockets of the test servers, destroyed at the end so the servers can close.
const accepted = new Set<Socket>()

function client(options: { port?: number; commandTimeoutMs?: number } = {}): BeanstalkClient {
  const created = new BeanstalkClient({ host, port: options.port ?? port, commandTimeoutMs: options.commandTimeoutMs })
  clients.push(created)
  return created
}

/** A client that puts into and reserves from `tube` only. */
async function tubeClient(tube: string, options: { port?: number } = {}): Promise<BeanstalkClient> {
  const created = client(options)
  await created.use(tube)
  await created.watch(tube)
  await created.ignore('default')
  return created
}

async function listen(server: Server): Promise<number> {
  servers.push(server)
  server.on('connection', (socket) => accepted.add(socket))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return (server.address() as AddressInfo).port
}

interface Proxy {
  readonly port: number
  /** Connections the proxy has accepted so far. */
  connections: number
  /** Destroys both sides of every open connection, as a server restart would. */
  dropAll(): void
}

/** Forwards to beanstalkd; with `chunkSize`, hands the replies on in pieces of that many bytes. */
async function startProxy(chunkSize?: number): Promise<Proxy> {
  const open = new Set<Socket>()
  const proxy: Proxy = {
    port: 0,
    connections: 0,
    dropAll: () => {
      for (const socket of open) socket.destroy()
      open.clear()
    },
  }
  const server = createServer((downstream) => {
    proxy.connections++
    const upstream = connect({ host, port })
    for (const [socket, other] of [[downstream, upstream], [upstream, downstream]]) {
      open.add(socket)
      socket.on('error', () => other.destroy())
      socket.on('close', () => other.destroy())
    }
    // No Nagle delay, so each piece leaves as its own segment.
    downstream.setNoDelay(true)
    downstream.pipe(upstream)
    upstream.on('data', async (chunk: Buffer) => {
      if (!chunkSize) return void downstream.write(chunk)
      // Paused so the next chunk waits until this one went out piece by piece.
      upstream.pause()
      for (let at = 0; at < chunk.length && !downstream.destroyed; at += chunkSize) {
        downstream.write(chunk.subarray(at, at + chunkSize))
        await nextTurn()
      }
      upstream.resume()
    })
  })
  return Object.assign(proxy, { port: await listen(server) })
}

/** Accepts connections and never answers. */
async function startSilentServer(): Promise<{ port: number; sockets: Socket[] }> {
  const sockets: Socket[] = []
  const server = createServer((socket) => {
    socket.on('error', () => {})
    // Read and drop, so the client's FIN is seen and the socket closes.
    socket.resume()
    sockets.push(socket)
  })
  return { port: await listen(server), sockets }
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer()
  const free = await listen(server)
  servers.splice(servers.indexOf(server), 1)
  await new Promise((resolve) => server.close(resolve))
  return free
}

/** The server's `max-job-size`, read with a raw `stats` (the client has no `stats`). */
function maxJobSize(): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port }, () => socket.write('stats\r\n'))
    let text = ''
    socket.on('data', (chunk) => {
      text += chunk.toString('latin1')
      const match = /max-job-size: (\d+)/.exec(text)
      if (match) {
        socket.end()
        resolve(Number(match[1]))
      }
    })
    socket.on('error', reject)
  })
}

async function expectCode(promise: Promise<unknown>, code: string): Promise<BeanstalkError> {
  const error = await promise.then(
    () => expect.fail(`expected a rejection with ${code}`),
    (reason: unknown) => reason,
  )
  expect(error).toBeInstanceOf(BeanstalkError)
  expect(error).toMatchObject({ name: 'BeanstalkError', code })
  return error as BeanstalkError
}

describe.runIf(probe.available)('beanstalk client' + probe.reason, () => {
  let limit: number

  beforeAll(async () => {
    limit = await maxJobSize()
  })

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()))
  })

  afterAll(async () => {
    for (const socket of accepted) socket.destroy()
    await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))))
  })

  const bodies: [string, string | Buffer][] = [
    ['text', 'hello'],
    ['empty', ''],
    ['CRLF inside', 'a\r\nb\r\n\r\nc'],
    ['only CRLF', '\r\n'],
    ['a reply lookalike', 'RESERVED 1 5\r\nfake\r\n'],
    ['UTF-8', 'héllo ✓ 世界'],
    ['every byte value', Buffer.from(Array.from({ length: 256 }, (_, i) => i))],
  ]

  for (const via of ['directly', 'through replies split into 3-byte chunks']) {
    it(`round-trips binary-safe bodies ${via}`, async () => {
      const proxy = via === 'directly' ? undefined : await startProxy(3)
      const tube = newTube()
      const queue = await tubeClient(tube, { port: proxy?.port })
      // Put all at once, so their replies also arrive merged in one chunk.
      const ids = await Promise.all(bodies.map(([, body]) => queue.put(body)))
      for (const [index, [name, body]] of bodies.entries()) {
        const job = await queue.reserve(0)
        expect(job, name).toEqual({ id: ids[index], body: Buffer.from(body) })
        await queue.delete(ids[index])
      }
      expect(await queue.reserve(0)).toBeNull()
    })
  }

  it('round-trips the largest body the server takes, up to 100 KiB, read across many chunks', async () => {
    const proxy = await startProxy(1000)
    const tube = newTube()
    const body = randomBytes(Math.min(100 * 1024, limit))
    for (const queue of [await tubeClient(tube), await tubeClient(tube, { port: proxy.port })]) {
      const id = await queue.put(body)
      expect(await queue.reserve(0)).toEqual({ id, body })
      await queue.delete(id)
    }
  })

  it('rejects a body over max-job-size with JOB_TOO_BIG and stays in step', async () => {
    const queue = await tubeClient(newTube())
    // Sent back to back, so the second put shows the connection stayed in step after the error.
    const tooBig = queue.put(Buffer.alloc(limit + 1, 'x'))
    const next = queue.put('next')
    await expectCode(tooBig, 'JOB_TOO_BIG')
    const id = await next
    expect(await queue.reserve(0)).toEqual({ id, body: Buffer.from('next') })
    await queue.delete(id)
  })

  it('keeps order and distinct ids for many concurrent puts', async () => {
    const queue = await tubeClient(newTube())
    const count = 300
    const ids = await Promise.all(Array.from({ length: count }, (_, i) => queue.put(`job-${i}`)))
    expect(new Set(ids).size).toBe(count)
    // Other clients of the server may take ids in between, but ours rise in the order they were sent.
    expect(ids).toEqual([...ids].sort((a, b) => a - b))
    const jobs = await Promise.all(ids.map(() => queue.reserve(0)))
    expect(jobs.map((job) => [job?.id, job?.body.toString()])).toEqual(ids.map((id, i) => [id, `job-${i}`]))
    await Promise.all(ids.map((id) => queue.delete(id)))
  })

  it('returns null when reserve times out', async () => {
    const queue = await tubeClient(newTube())
    expect(await queue.reserve(0)).toBeNull()
    const started = Date.now()
    expect(await queue.reserve(1)).toBeNull()
    expect(Date.now() - started).toBeGreaterThanOrEqual(900)
  })

  it('releases and buries reserved jobs, and statsTube counts them', async () => {
    const tube = newTube()
    const queue = await tubeClient(tube)
    const first = await queue.put('first', { priority: 10 })
    const second = await queue.put('second', { priority: 20 })
    const delayed = await queue.put('later', { delay: 3600, ttr: 30 })

    expect((await queue.reserve(0))?.id).toBe(first)
    await queue.release(first, 5)
    expect((await queue.reserve(0))?.id).toBe(first)
    await queue.bury(first)
    expect((await queue.reserve(0))?.id).toBe(second)

    const stats = await queue.statsTube(tube)
    expect(stats).toMatchObject({
      name: tube,
      'current-jobs-ready': 0,
      'current-jobs-reserved': 1,
      'current-jobs-delayed': 1,
      'current-jobs-buried': 1,
      'total-jobs': 3,
      'current-using': 1,
      'current-watching': 1,
    })
    for (const id of [first, second, delayed]) await queue.delete(id)
    expect(await queue.statsTube(tube)).toMatchObject({ 'current-jobs-buried': 0, 'current-jobs-delayed': 0, 'cmd-delete': 3 })
  })

  it('keeps a tube named like a number a string in statsTube', async () => {
    const queue = client()
    const tube = `${Date.now()}${process.pid}`
    await queue.use(tube)
    expect((await queue.statsTube(tube)).name).toBe(tube)
  })

  it('rejects protocol errors with BeanstalkError and its code', async () => {
    const tube = newTube()
    const queue = await tubeClient(tube)
    expect((await expectCode(queue.delete(2 ** 52), 'NOT_FOUND')).message).toBe('delete: beanstalkd answered NOT_FOUND')
    await expectCode(queue.statsTube(`${tube}-never-used`), 'NOT_FOUND')
    await expectCode(queue.ignore(tube), 'NOT_IGNORED')
    const id = await queue.put('not reserved')
    await expectCode(queue.bury(id), 'NOT_FOUND')
    await expectCode(queue.release(id), 'NOT_FOUND')
    // The errors left the connection in step.
    expect(await queue.reserve(0)).toEqual({ id, body: Buffer.from('not reserved') })
    await queue.delete(id)
  })

  it('rejects invalid tube names and arguments before sending anything', async () => {
    const silent = await startSilentServer()
    const queue = client({ port: silent.port })
    for (const tube of ['', '-leading-dash', 'has space', 'ümlaut', 'x'.repeat(201)]) {
      await expectCode(queue.use(tube), 'BAD_FORMAT')
      await expectCode(queue.watch(tube), 'BAD_FORMAT')
      await expectCode(queue.statsTube(tube), 'BAD_FORMAT')
    }
    await expectCode(queue.put('x', { priority: -1 }), 'BAD_FORMAT')
    await expectCode(queue.put('x', { ttr: 1.5 }), 'BAD_FORMAT')
    await expectCode(queue.delete(0), 'BAD_FORMAT')
    expect(silent.sockets).toHaveLength(0)

    // The longest legal name, with every allowed character, is accepted by the server.
    const legal = `${RUN}+/;.$_()-`.padEnd(200, 'z')
    const real = client()
    await real.use(legal)
    expect((await real.statsTube(legal)).name).toBe(legal)
  })

  it('rejects every pending command with ECONNREFUSED when nothing listens, and tries again next time', async () => {
    const queue = client({ port: await closedPort() })
    const results = await Promise.allSettled([queue.ping(), queue.put('x'), queue.reserve(1)])
    for (const result of results) expect(result).toMatchObject({ status: 'rejected', reason: { name: 'BeanstalkError', code: 'ECONNREFUSED', sent: false } })
    await expectCode(queue.ping(), 'ECONNREFUSED')
  })

  it('reconnects after the server drops the connection and restores its tubes', async () => {
    const proxy = await startProxy()
    const tube = newTube()
    const queue = await tubeClient(tube, { port: proxy.port })
    const observer = client()

    const waiting = queue.reserve(10)
    await expect.poll(async () => (await observer.statsTube(tube))['current-waiting']).toBe(1)
    proxy.dropAll()
    const dropped = await expectCode(waiting, 'ECONNRESET')
    expect(dropped.message).toMatch(/^reserve-with-timeout: .*closed the connection/)

    // The put lands in the remembered tube, and reserve takes from the watched one, not from default.
    const id = await queue.put('after')
    expect(proxy.connections).toBe(2)
    expect(await observer.statsTube(tube)).toMatchObject({ 'total-jobs': 1, 'current-jobs-ready': 1, 'current-using': 1, 'current-watching': 1 })
    expect(await queue.reserve(0)).toEqual({ id, body: Buffer.from('after') })
    await queue.delete(id)
  })

  it('times out a command the server never answers with ETIMEDOUT and destroys the socket', async () => {
    const silent = await startSilentServer()
    const queue = client({ port: silent.port, commandTimeoutMs: 200 })
    const started = Date.now()
    const results = await Promise.allSettled([queue.ping(), queue.put('x')])
    expect(Date.now() - started).toBeGreaterThanOrEqual(190)
    for (const result of results) expect(result).toMatchObject({ status: 'rejected', reason: { code: 'ETIMEDOUT', sent: true } })
    await expect.poll(() => silent.sockets[0].destroyed).toBe(true)

    // The next command opens a new connection; reserve's own timeout is added to the command's.
    const reserveStarted = Date.now()
    await expectCode(queue.reserve(1), 'ETIMEDOUT')
    expect(Date.now() - reserveStarted).toBeGreaterThanOrEqual(1190)
    expect(silent.sockets).toHaveLength(2)
  })

  it('closes: answers on their way still settle, unanswered ones and later commands reject with ECLOSED', async () => {
    await client().close()
    const tube = newTube()
    const queue = await tubeClient(tube)
    const put = queue.put('just before close')
    await queue.close()
    const id = await put
    await expectCode(queue.ping(), 'ECLOSED')
    const cleaner = await tubeClient(tube)
    expect(await cleaner.reserve(0)).toEqual({ id, body: Buffer.from('just before close') })
    await cleaner.delete(id)

    const silent = await startSilentServer()
    const unanswered = client({ port: silent.port })
    const pending = unanswered.ping()
    await expect.poll(() => silent.sockets.length).toBe(1)
    await unanswered.close()
    await expectCode(pending, 'ECLOSED')
  })
})
