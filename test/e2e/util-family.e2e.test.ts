/** The util family, composing other actions inside a built service: chain, condition, cache, json-patch, redirect, template. */
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { build, renderDiagnostics } from '../../compiler/index.js'
import { copyProject, removeProject, REPO } from '../helpers/projects.js'
import { startApp } from '../helpers/service.js'

let project: string
let app: FastifyInstance

beforeAll(async () => {
  project = copyProject(join(REPO, 'test/fixtures/projects/util-family'))
  const result = await build({ manifest: join(project, '.fusio.yml') })
  if (!result.ok) throw new Error(renderDiagnostics(result.diagnostics))
  app = await startApp(project)
})

afterAll(async () => {
  await app?.close()
  removeProject(project)
})

const calls = async (): Promise<number> => (await app.inject({ url: '/counter' })).json().calls

describe('util actions', () => {
  it('chain runs every action in order and answers with the last one', async () => {
    const before = await calls()
    const response = await app.inject({ method: 'POST', url: '/chained', payload: {} })
    expect(response.statusCode).toBe(201)
    expect(response.headers['x-made']).toBe('yes')
    expect(response.json()).toEqual({ made: true })
    expect(await calls()).toBe(before + 2)
  })

  it('condition picks the true or the false action from an expression over the request', async () => {
    expect((await app.inject({ url: '/chosen/1' })).json()).toEqual({ hello: '<world>', tags: ['a'] })
    expect((await app.inject({ url: '/chosen/2' })).statusCode).toBe(201)
    expect((await app.inject({ method: 'POST', url: '/chosen/2', payload: { amount: 150 } })).json()).toMatchObject({ hello: '<world>' })
    const wrong = await app.inject({ method: 'POST', url: '/chosen/2', payload: { amount: 'lots' } })
    expect(wrong.statusCode).toBe(400)
    expect(wrong.json()).toMatchObject({ type: 'urn:fusio:error:condition-failed' })
  })

  it('cache keeps a GET answer until it expires, and never caches other methods', async () => {
    const first = (await app.inject({ url: '/cached?page=1' })).json().calls
    expect((await app.inject({ url: '/cached?page=1' })).json().calls).toBe(first)
    // Another URL is another entry.
    expect((await app.inject({ url: '/cached?page=2' })).json().calls).toBeGreaterThan(first)
    const posted = (await app.inject({ method: 'POST', url: '/cached', payload: {} })).json().calls
    expect((await app.inject({ method: 'POST', url: '/cached', payload: {} })).json().calls).toBe(posted + 1)
    await new Promise((resolve) => setTimeout(resolve, 1100))
    expect((await app.inject({ url: '/cached?page=1' })).json().calls).toBeGreaterThan(first)
  })

  it('json-patch patches the request before the inner action and its response after', async () => {
    const response = await app.inject({ method: 'POST', url: '/patched/5', payload: { name: 'Ada', secret: 'x' } })
    expect(response.statusCode).toBe(200)
    expect(response.json()).toEqual({ body: { name: 'Ada', added: 2 }, params: { id: '5' }, patched: true })
    const unfit = await app.inject({ method: 'POST', url: '/patched/5', payload: { name: 'no secret to remove' } })
    expect(unfit.statusCode).toBe(400)
    expect(unfit.headers['content-type']).toContain('application/problem+json')
    expect(unfit.json().detail).toContain('the body does not fit the patch')
  })

  it('redirect answers with the status and a location built from path parameters', async () => {
    const response = await app.inject({ url: '/moved/a%20b' })
    expect(response.statusCode).toBe(308)
    expect(response.headers.location).toBe('https://example.org/items/a%20b')
    expect(response.body).toBe('')
  })

  it('template renders HTML from another action’s result and the request, escaping every value unless marked raw', async () => {
    const response = await app.inject({ url: '/page?name=%3Cscript%3E' })
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(response.body).toBe('<h1>&lt;world&gt;</h1><p>&lt;script&gt;</p><b>kept</b>')
  })
})
