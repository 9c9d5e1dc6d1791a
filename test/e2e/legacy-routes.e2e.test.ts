/** examples/legacy-routes: a Fusio 1–3 deploy file with versions and statuses, served from its bundle. */
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { inject } from 'vitest'
import { startApp, token } from '../helpers/service.js'

let app: FastifyInstance
beforeAll(async () => {
  app = await startApp(inject('builtExamples')['legacy-routes'])
})
afterAll(() => app?.close())

describe('legacy routes', () => {
  it('serves every version under /v{N} and the newest one unprefixed', async () => {
    const v1 = await app.inject({ url: '/v1/product' })
    const v2 = await app.inject({ url: '/v2/product' })
    const latest = await app.inject({ url: '/product' })
    expect([v1.headers['x-operation-id'], v2.headers['x-operation-id'], latest.headers['x-operation-id']]).toEqual(['v1.product.get', 'v2.product.get', 'v2.product.get'])
    expect(latest.json()).toMatchObject({ totalResults: 2, entry: [{ id: 1, name: 'Keyboard', price: 49.5 }, { id: 2, name: 'Mouse', price: 19.9 }] })
  })

  it('sends the Warning header for deprecated and development routes, none for production', async () => {
    expect((await app.inject({ url: '/v1/product' })).headers.warning).toBe('199 fusio "Resource is deprecated"')
    expect((await app.inject({ url: '/product/1' })).headers.warning).toBe('199 fusio "Resource is in development"')
    expect((await app.inject({ url: '/v2/product' })).headers.warning).toBeUndefined()
  })

  it('answers closed routes with 410 problem+json', async () => {
    const res = await app.inject({ url: '/v1/catalog' })
    expect(res.statusCode).toBe(410)
    expect(res.json()).toMatchObject({ code: 'FUSIO_ERR_OPERATION_GONE', success: false })
  })

  it('validates query parameters from a named schema (legacy `parameters: Schema`)', async () => {
    expect((await app.inject({ url: '/product?count=1' })).json().itemsPerPage).toBe(1)
    expect((await app.inject({ url: '/product?count=99' })).statusCode).toBe(400)
  })

  it('keeps a private method private and accepts the version scope', async () => {
    const body = { name: 'Screen', price: 120 }
    const anonymous = await app.inject({ method: 'POST', url: '/product', payload: body })
    expect(anonymous.statusCode).toBe(401)
    const authorization = `Bearer ${await token({ scope: 'product' })}`
    const created = await app.inject({ method: 'POST', url: '/v2/product', payload: body, headers: { authorization } })
    expect(created.statusCode).toBe(201)
    // draft-04 `exclusiveMinimum: true` was translated: a price of 0 is refused.
    const free = await app.inject({ method: 'POST', url: '/product', payload: { name: 'Free', price: 0 }, headers: { authorization } })
    expect(free.json().errors).toEqual([{ in: 'body', field: 'price', pointer: '/price', message: 'must be > 0' }])
  })
})
