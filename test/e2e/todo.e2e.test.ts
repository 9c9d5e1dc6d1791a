/** examples/todo, built once by the global setup, exercised through its bundle's createApp. */
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { startApp, token } from '../helpers/service.js'

let app: FastifyInstance
let writer: string

beforeAll(async () => {
  app = await startApp(inject('builtExamples').todo)
  writer = `Bearer ${await token({ scope: 'todo' })}`
})
afterAll(() => app?.close())

/** A JSON request with an optional Authorization header. */
const send = (method: 'POST' | 'PUT', url: string, payload: unknown, authorization?: string) =>
  app.inject({ method, url, headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) }, payload: JSON.stringify(payload) })

describe('todo: reads', () => {
  it('lists with the Fusio envelope, newest first, and operation headers', async () => {
    const res = await app.inject({ method: 'GET', url: '/todo' })
    expect(res.statusCode).toBe(200)
    expect(res.headers['x-operation-id']).toBe('todo.getAll')
    expect(res.headers['x-stability']).toBe('stable')
    // A per-process random prefix and a counter: the next request of this service gets the next id.
    const [prefix, count] = String(res.headers['x-request-id']).split('-')
    expect(prefix).toMatch(/^[0-9a-f]{16}$/)
    expect((await app.inject({ method: 'GET', url: '/todo' })).headers['x-request-id']).toBe(`${prefix}-${(parseInt(count!, 36) + 1).toString(36)}`)
    const body = res.json()
    expect(body).toMatchObject({ totalResults: 3, itemsPerPage: 16, startIndex: 0 })
    expect(body.entry.map((t: { id: number }) => t.id)).toEqual([3, 2, 1])
    expect(body.entry[2]).toEqual({ id: 1, title: 'Read the Fusio manifest reference', done: true, created: expect.any(String) })
  })

  it('pages, sorts and filters with Fusio query parameters', async () => {
    const page = (await app.inject({ url: '/todo?startIndex=1&count=1&sortBy=title&sortOrder=asc' })).json()
    expect(page).toMatchObject({ totalResults: 3, itemsPerPage: 1, startIndex: 1 })
    expect(page.entry.map((t: { title: string }) => t.title)).toEqual(['Run fusio build'])
    const filtered = (await app.inject({ url: '/todo?filterBy=title&filterOp=startsWith&filterValue=Run' })).json()
    expect(filtered.entry.map((t: { id: number }) => t.id)).toEqual([2])
    const equals = (await app.inject({ url: '/todo?filterBy=done&filterOp=equals&filterValue=1' })).json()
    expect(equals.totalResults).toBe(1)
  })

  it('rejects paging beyond the limit and unknown sort columns with the failing field named', async () => {
    const res = await app.inject({ url: '/todo?count=100&sortBy=secret' })
    expect(res.statusCode).toBe(400)
    expect(res.headers['content-type']).toContain('application/problem+json')
    const problem = res.json()
    expect(problem).toMatchObject({ status: 400, success: false, code: 'FUSIO_ERR_VALIDATION_QUERY' })
    expect(problem.errors.map((e: { field: string }) => e.field).sort()).toEqual(['count', 'sortBy'])
  })

  it('returns one row, and 404 problem+json for a missing one', async () => {
    expect((await app.inject({ url: '/todo/2' })).json()).toMatchObject({ id: 2, title: 'Run fusio build', done: false })
    const missing = await app.inject({ url: '/todo/999' })
    expect(missing.statusCode).toBe(404)
    expect(missing.json()).toMatchObject({ title: 'Not Found', message: 'Entry not available', success: false, instance: '/todo/999' })
  })

  it('matches $id<[0-9]+> only for digits', async () => {
    const res = await app.inject({ url: '/todo/abc' })
    expect(res.statusCode).toBe(404)
    expect(res.json().code).toBe('FUSIO_ERR_ROUTE_NOT_FOUND')
  })

  it('runs the custom handler with its typed context', async () => {
    expect((await app.inject({ url: '/todo/stats' })).json()).toEqual({ open: 2, done: 1, total: 3 })
  })

  it('binds raw SQL parameters and requires declared ones', async () => {
    const found = (await app.inject({ url: '/todo/search?q=fusio' })).json()
    expect(found.entry.map((t: { id: number }) => t.id)).toEqual([2, 1])
    const missing = await app.inject({ url: '/todo/search' })
    expect(missing.statusCode).toBe(400)
    expect(missing.json().errors).toEqual([{ in: 'query', field: 'q', pointer: '/q', message: 'is required' }])
  })
})

describe('todo: SQL injection attempts stay data', () => {
  it.each([
    ["/todo/search?q=%25' OR '1'='1", 0],
    ['/todo/search?q=%25', 0],
    ['/todo/search?q=_', 0],
    ["/todo?filterBy=title&filterValue=' OR 1=1 --", 0],
    ['/todo?filterBy=title&filterOp=equals&filterValue=x%27%3B%20DROP%20TABLE%20todo%3B%20--', 0],
  ])('%s matches %i rows', async (url, rows) => {
    const res = await app.inject({ url })
    expect(res.statusCode).toBe(200)
    expect(res.json().totalResults).toBe(rows)
  })

  it('refuses identifiers that are not columns', async () => {
    const res = await app.inject({ url: '/todo?sortBy=id%3B%20DROP%20TABLE%20todo' })
    expect(res.statusCode).toBe(400)
    expect((await app.inject({ url: '/todo' })).json().totalResults).toBeGreaterThan(0)
  })
})

describe('todo: writes need a token with the todo scope', () => {
  it('401 without a token, with WWW-Authenticate', async () => {
    const res = await send('POST', '/todo', { title: 'x' })
    expect(res.statusCode).toBe(401)
    expect(res.headers['www-authenticate']).toBe('Bearer realm="Fusio"')
    expect(res.json().code).toBe('FUSIO_ERR_AUTH_TOKEN_MISSING')
  })

  it.each([
    ['a token signed with another key', () => token({ scope: 'todo' }, 'another-secret-another-secret-another!')],
    ['an expired token', () => token({ scope: 'todo', expiresIn: '-1m' })],
    ['an unsigned token', async () => `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: 'x', scope: 'todo', exp: 9999999999 })).toString('base64url')}.`],
    ['a token with a pinned-out algorithm', () => token({ scope: 'todo' }, 'test-secret-that-is-long-enough-for-hs256!', 'HS512')],
  ])('401 for %s', async (_name, make) => {
    const res = await send('POST', '/todo', { title: 'x' }, `Bearer ${await make()}`)
    expect(res.statusCode).toBe(401)
    expect(res.json().code).toBe('FUSIO_ERR_AUTH_TOKEN_INVALID')
    expect(res.headers['www-authenticate']).toContain('error="invalid_token"')
  })

  it('403 when the token lacks the scope', async () => {
    const other = await token({ scope: 'user todox' })
    const res = await send('POST', '/todo', { title: 'x' }, `Bearer ${other}`)
    expect(res.statusCode).toBe(403)
    expect(res.headers['www-authenticate']).toContain('error="insufficient_scope", scope="todo"')
  })

  it('creates (201 Message), updates and deletes', async () => {
    const created = await send('POST', '/todo', { title: 'Write tests' }, writer)
    expect(created.statusCode).toBe(201)
    const message = created.json()
    expect(message).toEqual({ success: true, message: 'Entry successfully created', id: expect.any(Number) })
    const id = message.id as number
    expect((await app.inject({ url: `/todo/${id}` })).json()).toMatchObject({ id, title: 'Write tests', done: false })

    const updated = await send('PUT', `/todo/${id}`, { done: true }, writer)
    expect(updated.json()).toEqual({ success: true, message: 'Entry successfully updated', id })
    expect((await app.inject({ url: `/todo/${id}` })).json()).toMatchObject({ done: true, title: 'Write tests' })

    const deleted = await app.inject({ method: 'DELETE', url: `/todo/${id}`, headers: { authorization: writer } })
    expect(deleted.json()).toEqual({ success: true, message: 'Entry successfully deleted', id })
    expect((await app.inject({ method: 'DELETE', url: `/todo/${id}`, headers: { authorization: writer } })).statusCode).toBe(404)
    expect((await send('PUT', `/todo/${id}`, { done: true }, writer)).statusCode).toBe(404)
  })

  it.each([
    ['a missing required field', {}, [{ in: 'body', field: 'title', pointer: '/title', message: 'is required' }]],
    ['an unknown field', { title: 'ok', owner: 'me' }, [{ in: 'body', field: 'owner', pointer: '/owner', message: 'is not allowed' }]],
    ['a wrong type', { title: 5, done: 'yes' }, [
      { in: 'body', field: 'title', pointer: '/title', message: 'must be string' },
      { in: 'body', field: 'done', pointer: '/done', message: 'must be boolean' },
    ]],
    ['a too long title', { title: 'x'.repeat(201) }, [{ in: 'body', field: 'title', pointer: '/title', message: 'must NOT have more than 200 characters' }]],
  ])('400 naming the field for %s', async (_name, payload, errors) => {
    const res = await send('POST', '/todo', payload, writer)
    expect(res.statusCode).toBe(400)
    expect(res.json()).toMatchObject({ code: 'FUSIO_ERR_VALIDATION_BODY', type: 'urn:fusio:error:validation-body', errors })
  })

  it('400 for malformed JSON and 415 for another media type', async () => {
    const malformed = await app.inject({ method: 'POST', url: '/todo', headers: { authorization: writer, 'content-type': 'application/json' }, payload: '{"title":' })
    expect(malformed.statusCode).toBe(400)
    expect(malformed.json().code).toBe('FUSIO_ERR_BODY_MALFORMED')
    const text = await app.inject({ method: 'POST', url: '/todo', headers: { authorization: writer, 'content-type': 'text/csv' }, payload: 'a,b' })
    expect(text.statusCode).toBe(415)
  })

  it('rejects an update with no field (minProperties)', async () => {
    const res = await send('PUT', '/todo/1', {}, writer)
    expect(res.statusCode).toBe(400)
  })
})

describe('todo: protocol', () => {
  it('answers OPTIONS with Allow and other methods with 405', async () => {
    const options = await app.inject({ method: 'OPTIONS', url: '/todo' })
    expect(options.statusCode).toBe(204)
    expect(options.headers.allow).toBe('GET, HEAD, OPTIONS, POST')
    const patch = await app.inject({ method: 'PATCH', url: '/todo' })
    expect(patch.statusCode).toBe(405)
    expect(patch.headers.allow).toBe('GET, HEAD, OPTIONS, POST')
  })

  it('keeps a sane incoming X-Request-Id and replaces an unsafe one', async () => {
    expect((await app.inject({ url: '/todo', headers: { 'x-request-id': 'trace-42' } })).headers['x-request-id']).toBe('trace-42')
    expect((await app.inject({ url: '/todo', headers: { 'x-request-id': 'bad id\n' } })).headers['x-request-id']).not.toContain('bad')
  })

  it('reports health and readiness', async () => {
    expect((await app.inject({ url: '/health' })).json()).toEqual({ status: 'ok' })
    expect((await app.inject({ url: '/ready' })).json()).toEqual({ status: 'ready', connections: { Default: 'ok' } })
  })
})
