/**
 * `fusio client` for examples/todo (the copy the global setup built), imported as it was written and
 * called against the service running from that build: reads, a write with a token, and the errors a
 * caller meets (404, 400 naming the field, 401 without a token) as FusioApiError.
 */
import type { ChildProcess } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import ClientCommand from '../../compiler/cli/client.js'
import { REPO } from '../helpers/projects.js'
import { JWT_SECRET, spawnService, token } from '../helpers/service.js'

// The generated module has the shape of the todo snapshot (test/client-snapshots.test.ts keeps them equal).
type Generated = typeof import('../../snapshots/todo/client/index.js')

let service: { child: ChildProcess; url: string }
let out: string
let generated: Generated

beforeAll(async () => {
  const project = inject('builtExamples').todo
  out = mkdtempSync(join(tmpdir(), 'fusio-client-e2e-'))
  // The package's own oclif config (its root), not @oclif/core's, which lacks the help plugins.
  await ClientCommand.run(['--manifest', join(project, '.fusio.yml'), '--out', join(out, 'client'), '--json'], REPO)
  generated = (await import(pathToFileURL(join(out, 'client/index.ts')).href)) as Generated
  // Its own ${dir.src}, so its SQLite file is this test's alone.
  service = await spawnService(project, { FUSIO_JWT_SECRET: JWT_SECRET, FUSIO_DIR_SRC: mkdtempSync(join(tmpdir(), 'fusio-src-')) })
})
afterAll(() => {
  service?.child.kill('SIGTERM')
  rmSync(out, { recursive: true, force: true })
})

/** The error a call rejects with. */
const failure = (call: Promise<unknown>) => call.then(() => expect.unreachable('the call succeeded'), (error: unknown) => error)

describe('the todo client against the running service', () => {
  it('is written by fusio client as three files', () => {
    expect(readdirSync(join(out, 'client')).sort()).toEqual(['index.ts', 'runtime.ts', 'types.ts'])
  })

  it('lists, pages and gets by id', async () => {
    const client = generated.createClient({ baseUrl: service.url })
    const page = await client.todo.getAll()
    expect(page).toMatchObject({ totalResults: 3, startIndex: 0 })
    expect(page.entry.map((t) => t.id)).toEqual([3, 2, 1])
    const sorted = await client.todo.getAll({ query: { count: 2, sortBy: 'title', sortOrder: 'asc' } })
    expect(sorted.entry.map((t) => t.title)).toEqual(['Read the Fusio manifest reference', 'Run fusio build'])
    expect(await client.todo.get({ id: 2 })).toMatchObject({ id: 2, title: 'Run fusio build', done: false })
    expect((await client.todo.search({ query: { q: 'fusio' } })).entry.map((t) => t.id)).toEqual([2, 1])
  })

  it('creates with a token that has the scope, asked for before each call', async () => {
    let asked = 0
    const writer = generated.createClient({
      baseUrl: service.url,
      token: () => {
        asked += 1
        return token({ scope: 'todo' })
      },
    })
    const created = await writer.todo.create({ body: { title: 'Call the service from its client' } })
    expect(created).toEqual({ success: true, message: 'Entry successfully created', id: expect.any(Number) })
    const id = Number(created.id)
    expect(await writer.todo.get({ id })).toMatchObject({ id, title: 'Call the service from its client', done: false })
    expect(await writer.todo.update({ id, body: { done: true } })).toMatchObject({ success: true, id })
    expect(await writer.todo.delete({ id })).toMatchObject({ success: true, id })
    expect(asked).toBe(4)
  })

  it('throws FusioApiError with the problem for a missing item (404)', async () => {
    const client = generated.createClient({ baseUrl: service.url })
    const error = await failure(client.todo.get({ id: 999 }))
    expect(error).toBeInstanceOf(generated.FusioApiError)
    expect(error).toMatchObject({ status: 404, operationId: 'todo.get', title: 'Not Found' })
    expect((error as InstanceType<Generated['FusioApiError']>).problem).toMatchObject({ status: 404, success: false, message: 'Entry not available', instance: '/todo/999' })
  })

  it('throws a 400 that names the failing field, for the body and for the query', async () => {
    const writer = generated.createClient({ baseUrl: service.url, token: await token({ scope: 'todo' }) })
    const body = await failure(writer.todo.create({ body: { title: 'x'.repeat(201) } }))
    expect(body).toMatchObject({ status: 400, operationId: 'todo.create', type: 'urn:fusio:error:validation-body' })
    expect((body as InstanceType<Generated['FusioApiError']>).errors).toEqual([{ in: 'body', field: 'title', pointer: '/title', message: 'must NOT have more than 200 characters' }])
    const query = await failure(writer.todo.getAll({ query: { count: 100 } }))
    expect(query).toMatchObject({ status: 400, problem: { code: 'FUSIO_ERR_VALIDATION_QUERY', errors: [expect.objectContaining({ in: 'query', field: 'count' })] } })
  })

  it('throws a 401 for a private operation called without a token', async () => {
    const client = generated.createClient({ baseUrl: service.url })
    const error = await failure(client.todo.create({ body: { title: 'x' } }))
    expect(error).toMatchObject({ status: 401, operationId: 'todo.create', problem: { code: 'FUSIO_ERR_AUTH_TOKEN_MISSING', success: false } })
  })
})
