/**
 * The HTTP family against a real local upstream (node:http on a random port): forwarding as Fusio
 * does it, the raw/composition/load-balancer variants, 502 and 504 problems, and bounded retries.
 */
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { build, renderDiagnostics } from '../../compiler/index.js'
import { copyProject, removeProject, REPO } from '../helpers/projects.js'
import { startApp } from '../helpers/service.js'

interface Seen {
  readonly method: string
  readonly url: string
  readonly headers: IncomingHttpHeaders
  readonly body: string
}

let seen: Seen[] = []
let flakyCalls = 0
let upstream: Server
let project: string
let app: FastifyInstance

function startUpstream(): Promise<Server> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      const url = request.url ?? '/'
      seen.push({ method: request.method ?? '', url, headers: request.headers, body })
      const json = (status: number, value: unknown, headers: Record<string, string> = {}) => {
        response.writeHead(status, { 'content-type': 'application/json', ...headers })
        response.end(JSON.stringify(value))
      }
      const path = url.split('?')[0]
      if (path.startsWith('/users/') && request.method === 'GET') return json(200, { id: path.slice(7), name: 'Ada' }, { etag: '"v1"', 'x-upstream': 'yes' })
      if (path === '/users') return json(201, { received: body, type: request.headers['content-type'] })
      if (path === '/jobs') return json(202, { received: JSON.parse(body), job: request.headers['x-job'] })
      if (path === '/orders') return json(200, [{ order: 1, query: url.split('?')[1] }])
      if (path === '/teapot') return json(418, { error: 'short and stout' })
      if (path === '/text') {
        response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' })
        return response.end('hello')
      }
      if (path === '/slow') {
        setTimeout(() => json(200, { slow: true }), 2500)
        return
      }
      if (path === '/flaky') {
        // The first call of each request dies without an answer; the second one succeeds.
        if (++flakyCalls % 2 === 1) return request.socket.destroy()
        return json(200, { flaky: 'recovered', calls: flakyCalls })
      }
      json(404, { error: 'no such upstream path' })
    })
  })
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)))
}

beforeAll(async () => {
  upstream = await startUpstream()
  const port = (upstream.address() as AddressInfo).port
  project = copyProject(join(REPO, 'test/fixtures/projects/http-family'))
  const result = await build({ manifest: join(project, '.fusio.yml') })
  if (!result.ok) throw new Error(renderDiagnostics(result.diagnostics))
  app = await startApp(project, { UPSTREAM_URL: `http://127.0.0.1:${port}`, UPSTREAM_PORT: String(port), UPSTREAM_KEY: 'k-123' })
})

afterAll(async () => {
  await app?.close()
  upstream?.closeAllConnections()
  await new Promise((resolve) => upstream?.close(resolve))
  removeProject(project)
})

beforeEach(() => {
  seen = []
  flakyCalls = 0
})

describe('http-processor', () => {
  it('forwards path parameters, query and headers, and adds the connection’s headers and Fusio’s context', async () => {
    const response = await app.inject({
      method: 'GET',
      url: '/users/7?expand=orders',
      headers: { authorization: 'Bearer not-for-upstream', 'x-fusio-user-id': 'forged', 'x-trace': 't-1', 'x-forwarded-for': '10.0.0.1', 'x-api-key': 'client-forged' },
    })
    expect(response.statusCode).toBe(200)
    expect(response.json()).toEqual({ id: '7', name: 'Ada' })
    expect(response.headers).toMatchObject({ etag: '"v1"', 'x-upstream': 'yes', 'content-type': expect.stringContaining('application/json') })
    expect(seen).toHaveLength(1)
    const [request] = seen
    expect(request.url).toBe('/users/7?expand=orders&source=fusio')
    expect(request.headers).toMatchObject({
      'x-api-key': 'k-123',
      'x-trace': 't-1',
      'x-fusio-operation-id': 'user.get',
      'x-fusio-user-anonymous': '1',
      'x-fusio-remote-ip': '127.0.0.1',
      'x-forwarded-for': '10.0.0.1, 127.0.0.1',
      'x-request-id': response.headers['x-request-id'],
    })
    expect(request.headers.authorization).toBeUndefined()
    expect(request.headers['x-fusio-user-id']).toBeUndefined()
  })

  it('refuses a path parameter that would step out of the upstream path', async () => {
    // Over a raw socket: inject() and fetch() would resolve the URL's dot segments themselves, as browsers do.
    await app.listen({ port: 0, host: '127.0.0.1' })
    const { port } = app.server.address() as AddressInfo
    for (const id of ['%2e%2e', '%2E']) {
      const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const call = httpRequest({ host: '127.0.0.1', port, path: `/users/${id}` }, (response) => {
          let text = ''
          response.on('data', (chunk: Buffer) => (text += chunk))
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }))
        })
        call.on('error', reject)
        call.end()
      })
      expect(status).toBe(400)
      expect(JSON.parse(body)).toMatchObject({ errors: [{ in: 'path', field: 'id' }] })
    }
    expect(seen).toEqual([])
  })

  it('sends the body as JSON or as a form, and passes the upstream status through', async () => {
    const json = await app.inject({ method: 'POST', url: '/users', payload: { name: 'Grace', tags: ['a'] } })
    expect(json.statusCode).toBe(201)
    expect(json.json()).toEqual({ received: '{"name":"Grace","tags":["a"]}', type: 'application/json' })
    const form = await app.inject({ method: 'POST', url: '/form-users', payload: { name: 'Grace Hopper', level: 3 } })
    expect(form.json()).toEqual({ received: 'name=Grace+Hopper&level=3', type: 'application/x-www-form-urlencoded' })
    const teapot = await app.inject({ url: '/teapot' })
    expect(teapot.statusCode).toBe(418)
    expect(teapot.json()).toEqual({ error: 'short and stout' })
  })

  it('passes a non-JSON answer through with its content type (an http:// action reference)', async () => {
    const response = await app.inject({ url: '/text' })
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toBe('text/plain; charset=utf-8')
    expect(response.body).toBe('hello')
  })

  it('answers 504 as problem+json when the upstream is too slow, and keeps serving', async () => {
    const started = Date.now()
    const slow = await app.inject({ url: '/slow' })
    expect(slow.statusCode).toBe(504)
    expect(slow.headers['content-type']).toContain('application/problem+json')
    expect(slow.json()).toMatchObject({ type: 'urn:fusio:error:upstream-timeout', status: 504, success: false })
    expect(Date.now() - started).toBeLessThan(2400)
    expect((await app.inject({ url: '/users/1' })).statusCode).toBe(200)
  })

  it('answers 502 as problem+json when the upstream cannot be reached, without naming its address', async () => {
    for (const method of ['GET', 'POST'] as const) {
      const down = await app.inject({ method, url: '/down', ...(method === 'POST' ? { payload: {} } : {}) })
      expect(down.statusCode).toBe(502)
      expect(down.json()).toMatchObject({ type: 'urn:fusio:error:upstream-unavailable', title: 'Bad Gateway' })
      expect(down.body).not.toContain('nothing')
    }
  })

  it('retries an idempotent request whose connection died, and never a POST', async () => {
    const get = await app.inject({ url: '/flaky' })
    expect(get.statusCode).toBe(200)
    expect(get.json()).toEqual({ flaky: 'recovered', calls: 2 })
    expect(seen.map((s) => s.method)).toEqual(['GET', 'GET'])
    seen = []
    flakyCalls = 0
    const post = await app.inject({ method: 'POST', url: '/flaky', payload: { once: true } })
    expect(post.statusCode).toBe(502)
    expect(seen.map((s) => s.method)).toEqual(['POST'])
  })
})

describe('http-raw', () => {
  it('renders the body template from arguments and payload (values JSON-encoded) and sends its own method and headers', async () => {
    const response = await app.inject({ method: 'POST', url: '/users/42/jobs', payload: { name: 'say "hi"', tags: ['x', 'y'] } })
    expect(response.statusCode).toBe(202)
    expect(response.json()).toEqual({ received: { user: '42', name: 'say "hi"', tags: ['x', 'y'] }, job: '1' })
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/jobs' })
    expect(seen[0].headers['content-type']).toBe('application/json')
  })
})

describe('http-composition', () => {
  it('calls every upstream in parallel and merges their bodies by name', async () => {
    const response = await app.inject({ url: '/profile/9' })
    expect(response.statusCode).toBe(200)
    expect(response.json()).toEqual({ user: { id: '9', name: 'Ada' }, orders: [{ order: 1, query: 'user=9' }] })
    expect(seen.map((s) => s.url.split('?')[0]).sort()).toEqual(['/orders', '/users/9'])
  })
})

describe('http-load-balancer', () => {
  it('moves past an upstream that is down, whichever one it picks first', async () => {
    for (let i = 0; i < 6; i++) {
      const response = await app.inject({ url: `/balanced/${i}` })
      expect(response.statusCode).toBe(200)
      expect(response.json()).toEqual({ id: String(i), name: 'Ada' })
    }
    expect(seen).toHaveLength(6)
  })
})
