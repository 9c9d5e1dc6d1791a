/**
 * emitClient: the generated client run in process against a fake fetch (nesting, paths, query, body,
 * token, errors), its types checked by the TypeScript compiler with `// @ts-expect-error` lines that
 * fail the test when a type is too loose, and the same model giving the same bytes.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import ts from 'typescript'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Cache } from '../../../compiler/cache/index.js'
import { emitClient } from '../../../compiler/emit/client/index.js'
import { createMemoryHost } from '../../../compiler/host/index.js'
import { validate } from '../../../compiler/index.js'
import { load } from '../../../compiler/load/index.js'
import { buildModel, type Model } from '../../../compiler/model/index.js'
import { resolve } from '../../../compiler/resolve/index.js'
import { REPO } from '../../helpers/projects.js'

const MANIFEST = `
schema:
  Item:
    type: object
    description: An item
    properties: { name: { type: string } }
    required: [name]
    additionalProperties: false
action:
  S: { class: static-response }
  Later: { class: static-response, async: true }
operation:
  job.run: { httpMethod: POST, httpPath: /jobs, public: true, action: Later }
  hello: { httpMethod: GET, httpPath: /hello/:name, public: true, description: Greets, action: S }
  item.create: { httpMethod: POST, httpPath: /item, httpCode: 201, public: false, scopes: [item], description: Creates an item, incoming: Item, outgoing: Item, action: S }
  item.get: { httpMethod: GET, httpPath: '/item/$id<[0-9]+>', public: true, parameters: { id: { type: integer } }, outgoing: Item, action: S }
  item.search:
    httpMethod: GET
    httpPath: /item/search
    public: true
    parameters: { q: { type: string, required: true }, page: { type: integer } }
    outgoing: Item
    action: S
  files.read: { httpMethod: GET, httpPath: /files/*path, public: true, action: S }
  shop.v2.order.list: { httpMethod: GET, httpPath: /orders, public: true, stability: 1, action: S }
`

function modelOf(text: string): Model {
  const host = createMemoryHost({ '/p/.fusio.yml': text })
  const loaded = load(host, '/p/.fusio.yml')
  const resolved = resolve(loaded.value!)
  expect(resolved.diagnostics.filter((d) => d.severity === 'error')).toEqual([])
  return buildModel(resolved.value!).value!
}

const freshCache = () => new Cache('test', { host: createMemoryHost(), dir: '/cache' })

const folders: string[] = []
afterAll(() => folders.forEach((dir) => rmSync(dir, { recursive: true, force: true })))

/** Writes the client of `model` into a fresh folder (its `client/`) and returns that folder. */
async function writeClient(model: Model): Promise<string> {
  const { files, diagnostics } = await emitClient(model, freshCache())
  expect(diagnostics).toEqual([])
  const dir = mkdtempSync(join(tmpdir(), 'fusio-client-'))
  folders.push(dir)
  mkdirSync(join(dir, 'client'))
  for (const file of files) writeFileSync(join(dir, 'client', file.path), file.contents)
  return dir
}

/** The TypeScript diagnostics of `consumer` (a module next to `client/`), as `line: message`. */
function typeErrors(dir: string, consumer: string, lib: 'dom' | 'node'): string[] {
  const file = join(dir, `consumer-${lib}.ts`)
  writeFileSync(file, consumer)
  const program = ts.createProgram([file], {
    strict: true,
    exactOptionalPropertyTypes: true,
    noUnusedLocals: true,
    noUnusedParameters: true,
    noImplicitOverride: true,
    verbatimModuleSyntax: true,
    erasableSyntaxOnly: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    noEmit: true,
    ...(lib === 'dom' ? { lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'], types: [] } : { lib: ['lib.es2022.d.ts'], types: ['node'], typeRoots: [join(REPO, 'node_modules/@types')] }),
  })
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const line = d.file && d.start !== undefined ? `${d.file.fileName.slice(dir.length + 1)}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}` : ''
    return `${line}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`
  })
}

interface Sent {
  url: string
  method: string
  headers: Record<string, string>
  body?: string
}

/** A fetch that records each request and answers `status` with `body` (JSON unless a string). */
function fakeFetch(status: number, body: unknown, contentType = 'application/json') {
  const sent: Sent[] = []
  const fetch = async (url: string | URL | Request, init: RequestInit = {}) => {
    sent.push({ url: String(url), method: init.method ?? 'GET', headers: init.headers as Record<string, string>, ...(init.body ? { body: String(init.body) } : {}) })
    return new Response(typeof body === 'string' ? body : JSON.stringify(body), { status, headers: { 'content-type': contentType } })
  }
  return { sent, fetch: fetch as typeof globalThis.fetch }
}

describe('emitClient on a small manifest', () => {
  let dir: string
  // The generated module, loosely typed: its own types are what the type tests check.
  type Loose = ((args?: object, init?: object) => Promise<unknown>) & { readonly [member: string]: Loose }
  let generated: { createClient(options: object): Loose; FusioApiError: abstract new (...args: never[]) => Error }

  beforeAll(async () => {
    dir = await writeClient(modelOf(MANIFEST))
    generated = await import(pathToFileURL(join(dir, 'client/index.ts')).href)
  })

  it('groups methods by the dots of their ids; an id without a dot sits at the top', () => {
    const { fetch } = fakeFetch(200, {})
    const client = generated.createClient({ baseUrl: 'http://api.test', fetch })
    expect(Object.keys(client).sort()).toEqual(['files', 'hello', 'item', 'job', 'shop'])
    expect(typeof client.hello).toBe('function')
    expect(Object.keys(client.item).sort()).toEqual(['create', 'get', 'search'])
    expect(typeof client.shop.v2.order.list).toBe('function')
  })

  it('fills path parameters URL-encoded, for :name, $name<regex> and *rest', async () => {
    const { sent, fetch } = fakeFetch(200, { name: 'x' })
    const client = generated.createClient({ baseUrl: 'http://api.test/', fetch })
    await client.hello({ name: 'a b/c?' })
    await client.item.get({ id: 7 })
    await client.files.read({ path: 'docs/a b/ü.txt' })
    expect(sent.map((s) => s.url)).toEqual(['http://api.test/hello/a%20b%2Fc%3F', 'http://api.test/item/7', 'http://api.test/files/docs/a%20b/%C3%BC.txt'])
    await expect(client.item.get({})).rejects.toThrow('item.get needs the path parameter id')
  })

  it('sends the query, a JSON body and the bearer token, and returns the parsed body', async () => {
    const { sent, fetch } = fakeFetch(201, { name: 'made' })
    let asked = 0
    const client = generated.createClient({ baseUrl: 'http://api.test', fetch, headers: { 'x-app': 'test' }, token: async () => `token-${++asked}` })
    expect(await client.item.create({ body: { name: 'made' } })).toEqual({ name: 'made' })
    await client.item.search({ query: { q: 'a&b', page: 2, skipped: undefined } })
    await client.item.search({ query: { q: 'x' } }, { headers: { 'x-trace': '1' } })
    expect(sent[0]).toEqual({
      url: 'http://api.test/item',
      method: 'POST',
      headers: { accept: 'application/json', 'x-app': 'test', authorization: 'Bearer token-1', 'content-type': 'application/json' },
      body: '{"name":"made"}',
    })
    expect(sent[1].url).toBe('http://api.test/item/search?q=a%26b&page=2')
    expect(sent[1]).not.toHaveProperty('body')
    expect(sent[2].headers).toMatchObject({ 'x-trace': '1', authorization: 'Bearer token-3' })
    const fixed = generated.createClient({ baseUrl: 'http://api.test', fetch, token: 'fixed' })
    await fixed.shop.v2.order.list()
    expect(sent[3]).toMatchObject({ url: 'http://api.test/orders', method: 'GET', headers: { authorization: 'Bearer fixed' } })
  })

  it('throws FusioApiError with the problem, the status and the operation id outside 2xx', async () => {
    const problem = { type: 'urn:fusio:error:validation-body', title: 'Bad Request', status: 400, detail: 'name is required', errors: [{ in: 'body', field: 'name', pointer: '/name', message: 'is required' }] }
    const { fetch } = fakeFetch(400, problem, 'application/problem+json')
    const client = generated.createClient({ baseUrl: 'http://api.test', fetch })
    const error = await client.item.create({ body: {} }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(generated.FusioApiError)
    expect(error).toMatchObject({ name: 'FusioApiError', status: 400, operationId: 'item.create', problem, type: problem.type, title: 'Bad Request', detail: 'name is required', errors: problem.errors })
    expect((error as Error).message).toBe('item.create failed with 400 Bad Request: name is required')
  })

  it('makes a problem of an answer that is not one (a proxy page)', async () => {
    const { fetch } = fakeFetch(502, '<html>bad gateway</html>', 'text/html')
    const client = generated.createClient({ baseUrl: 'http://api.test', fetch })
    const error = await client.hello({ name: 'x' }).catch((e: unknown) => e)
    expect(error).toMatchObject({ status: 502, problem: { type: 'about:blank', status: 502, detail: '<html>bad gateway</html>' } })
  })

  it('documents each method: description, method and path, token and scopes, stability', async () => {
    const { files } = await emitClient(modelOf(MANIFEST), freshCache())
    // Each line without its indentation.
    const index = files.find((f) => f.path === 'index.ts')!.contents.replace(/^[ \t]+/gm, '')
    expect(index).toContain('* Creates an item\n*\n* `POST /item` (item.create), needs a token with the scope `item`.\n* Answers 201.\n')
    expect(index).toContain('* `GET /item/$id<[0-9]+>` (item.get), public.\n')
    expect(index).toContain('* `GET /files/*path` (files.read), public.\n')
    expect(index).toContain('* `GET /orders` (shop.v2.order.list), public.\n* Answers 200.\n* Experimental: it may still change.\n')
    expect(index).toContain('* `POST /jobs` (job.run), public.\n* Queued: the service answers 202 with the job id and runs the action later.\n')
  })

  it('types required parts as required, and lets a method with nothing required go without an argument', () => {
    const consumer = `
import { createClient, FusioApiError, type Item } from './client/index.js'

const client = createClient({ baseUrl: 'http://api.test' })

export async function calls(): Promise<void> {
  const made: Item = await client.item.create({ body: { name: 'x' } })
  const found = await client.item.get({ id: 1 })
  const name: string = found.name
  await client.item.search({ query: { q: 'x', page: 1 } })
  await client.hello({ name: made.name + name })
  await client.files.read({ path: 'a/b' })
  const anything: unknown = await client.shop.v2.order.list()
  const queued: { success: boolean; message: string; id?: string } = await client.job.run()
  void queued
  await client.shop.v2.order.list({})
  // @ts-expect-error the body is required
  await client.item.create({})
  // @ts-expect-error name is required in the body
  await client.item.create({ body: {} })
  // @ts-expect-error the id is required
  await client.item.get()
  // @ts-expect-error the id is an integer
  await client.item.get({ id: '1' })
  // @ts-expect-error q is required, so the query is
  await client.item.search({})
  // @ts-expect-error q is required
  await client.item.search({ query: { page: 1 } })
  // @ts-expect-error the rest of the path is required
  await client.files.read()
  // @ts-expect-error the operation takes no parameters
  await client.shop.v2.order.list({ id: 1 })
  // @ts-expect-error no such operation
  await client.item.remove({ id: 1 })
  try {
    void anything
  } catch (error) {
    if (error instanceof FusioApiError) {
      const status: number = error.status
      const field: string | undefined = error.errors[0]?.field
      void [status, field]
    }
  }
}
`
    expect(typeErrors(dir, consumer, 'dom')).toEqual([])
  })
})

describe('emitClient reports what cannot be a method', () => {
  it('an id that is also a group of methods, and a path parameter named like a member of the argument', async () => {
    const { files, diagnostics } = await emitClient(
      modelOf(`
action:
  S: { class: static-response }
operation:
  a.b: { httpMethod: GET, httpPath: /a, public: true, action: S }
  a.b.c: { httpMethod: GET, httpPath: /a/c, public: true, action: S }
  find: { httpMethod: GET, httpPath: /find/:query, public: true, action: S }
`),
      freshCache(),
    )
    expect(files).toEqual([])
    expect(diagnostics.map((d) => [d.code, d.message, d.location?.line])).toEqual([
      ['FUSIO_EMIT_CLIENT_NAME', 'operation "a.b.c" has no place in the client: "a.b" is an operation, so it cannot also be a group of methods', 6],
      ['FUSIO_EMIT_CLIENT_NAME', 'operation "find" has no place in the client: its path parameter "query" has the name of the argument\'s query member', 7],
    ])
  })
})

describe('emitClient on examples/todo', () => {
  let model: Model

  beforeAll(async () => {
    model = (await validate({ manifest: join(REPO, 'examples/todo/.fusio.yml') })).model!
  })

  it('gives the same bytes for the same model, each file bannered with the manifest', async () => {
    const first = await emitClient(model, freshCache())
    const second = await emitClient(model, freshCache())
    expect(first.files.map((f) => f.path)).toEqual(['index.ts', 'runtime.ts', 'types.ts'])
    expect(second.files).toEqual(first.files)
    for (const file of first.files) expect(file.contents.split('\n')[0]).toBe('// Generated by fusio from .fusio.yml. Do not edit.')
    expect(first.files.map((f) => f.contents).join('\n')).not.toMatch(/from '(?!\.\/)/)
  })

  it.each(['dom', 'node'] as const)('compiles for a consumer with the %s globals; wrong calls are type errors', async (lib) => {
    const dir = await writeClient(model)
    const consumer = `
import { createClient, FusioApiError, type Todo, type TodoCollection } from './client/index.js'

const reader = createClient({ baseUrl: 'http://127.0.0.1:8080' })
const writer = createClient({ baseUrl: 'http://127.0.0.1:8080', token: async () => 'jwt', headers: { 'x-app': 'web' }, fetch })

export async function calls(): Promise<void> {
  const page: TodoCollection = await reader.todo.getAll()
  const first: Todo | undefined = page.entry[0]
  await reader.todo.getAll({ query: { count: 2, sortBy: 'title', sortOrder: 'asc' } })
  const one = await reader.todo.get({ id: 1 }, { signal: AbortSignal.timeout(1000) })
  const title: string = one.title
  const done: boolean = one.done
  const stats = await reader.todo.stats()
  const open: number = stats.open
  await reader.todo.search({ query: { q: 'fusio' } })
  const created = await writer.todo.create({ body: { title: 'x' } })
  const id: string | number | undefined = created.id
  await writer.todo.update({ id: 1, body: { done: true } })
  await writer.todo.delete({ id: 1 })
  void [first, title, done, open, id]
  // @ts-expect-error the id is required
  await reader.todo.get()
  // @ts-expect-error the id is a number
  await reader.todo.get({ id: 'one' })
  // @ts-expect-error the body is required
  await writer.todo.create({})
  // @ts-expect-error the title is required in the body
  await writer.todo.create({ body: { done: true } })
  // @ts-expect-error the body does not take unknown members
  await writer.todo.create({ body: { title: 'x', owner: 'me' } })
  // @ts-expect-error q is required, so the query is
  await reader.todo.search()
  // @ts-expect-error sortBy is one of the columns
  await reader.todo.getAll({ query: { sortBy: 'secret' } })
  // @ts-expect-error the operation takes no parameters
  await reader.todo.stats({ id: 1 })
  // @ts-expect-error no such operation
  await reader.todo.remove({ id: 1 })
  // @ts-expect-error a todo is no page
  const wrong: TodoCollection = await reader.todo.get({ id: 1 })
  // @ts-expect-error the token is a string or a function
  createClient({ baseUrl: 'http://x', token: 5 })
  void wrong
  try {
    await reader.todo.get({ id: 999 })
  } catch (error) {
    if (!(error instanceof FusioApiError)) throw error
    const status: number = error.status
    const operation: string = error.operationId
    const detail: string | undefined = error.problem.detail
    const field: string | undefined = error.errors[0]?.field
    void [status, operation, detail, field]
  }
}
`
    expect(typeErrors(dir, consumer, lib)).toEqual([])
  })
})
