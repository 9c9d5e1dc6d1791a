/**
 * Fusio's /system endpoints and the API reference page on built copies of examples/todo: the
 * default build (docs at /), one with basePath /api and docs at /docs, one with docs off. Bodies
 * are checked against the model the compiler built and against the endpoints' JSON Schemas.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { gunzipSync } from 'node:zlib'
import { Ajv } from 'ajv'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { build, validate, type PipelineResult } from '../../compiler/index.js'
import type { Model } from '../../compiler/model/types.js'
import { prefersHtml } from '../../runtime-min/lifecycle/docs.js'
import { buildRouteTable, SYSTEM_SCHEMAS } from '../../runtime-min/lifecycle/system.js'
import type { RouteDefinition } from '../../runtime-min/types.js'
import { copyProject, removeProject, REPO } from '../helpers/projects.js'
import { JWT_SECRET, startApp } from '../helpers/service.js'

const HTML = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'
const ajv = new Ajv({ allErrors: true })
const schemaOf = (name: keyof typeof SYSTEM_SCHEMAS) => ajv.compile(SYSTEM_SCHEMAS[name])

/** A copy of examples/todo with its manifest changed by `edit`, or undefined to keep it. */
function todoCopy(edit: (manifest: string) => string): string {
  const dir = copyProject(join(REPO, 'examples/todo'), 'todo')
  const file = join(dir, '.fusio.yml')
  writeFileSync(file, edit(readFileSync(file, 'utf8')))
  return dir
}

/** Adds lines to the manifest's service section. */
const withService = (lines: string) => (manifest: string) => manifest.replace('service:\n', `service:\n${lines}`)

async function built(dir: string): Promise<PipelineResult> {
  const result = await build({ manifest: join(dir, '.fusio.yml') })
  if (!result.ok) throw new Error(`the todo copy does not build: ${JSON.stringify(result.diagnostics)}`)
  return result
}

/** The route table as the model has it: Fusio paths → method → operation id. */
function expectedRoutes(model: Model): Record<string, Record<string, string>> {
  const table: Record<string, Record<string, string>> = {}
  for (const op of model.operations) (table[op.path] ??= {})[op.method] = op.id
  return table
}

describe('system endpoints of the todo service', () => {
  let app: FastifyInstance
  let model: Model
  let dist: string

  beforeAll(async () => {
    const project = inject('builtExamples').todo
    dist = join(project, 'dist')
    const validated = await validate({ manifest: join(project, '.fusio.yml') })
    model = validated.model!
    app = await startApp(project)
  })
  afterAll(() => app?.close())

  it('GET /system/about describes the service as Fusio does, with links that answer', async () => {
    const res = await app.inject({ url: '/system/about' })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toContain('application/json')
    expect(res.headers['x-operation-id']).toBe('meta.getAbout')
    const about = res.json()
    expect(schemaOf('About')(about)).toBe(true)
    expect(about).toMatchObject({
      apiVersion: model.service.version,
      title: 'Todo API',
      description: model.service.description,
      categories: ['default', 'system'],
      scopes: ['todo'],
    })
    const links = Object.fromEntries(about.links.map((l: { rel: string; href: string }) => [l.rel, l.href]))
    expect(links).toEqual({
      root: '/',
      docs: '/',
      openapi: '/system/generator/spec-openapi',
      route: '/system/route',
      health: '/system/health',
    })
    for (const href of Object.values(links)) expect((await app.inject({ url: href as string })).statusCode, href as string).toBe(200)
  })

  it('GET /system/route lists every operation of the model by Fusio path and method', async () => {
    const res = await app.inject({ url: '/system/route' })
    expect(res.statusCode).toBe(200)
    expect(res.headers['x-operation-id']).toBe('meta.getRoutes')
    const body = res.json()
    expect(schemaOf('Route')(body)).toBe(true)
    expect(body.routes).toEqual(expectedRoutes(model))
    expect(body.routes['/todo/$id<[0-9]+>']).toEqual({ GET: 'todo.get', PUT: 'todo.update', DELETE: 'todo.delete' })
    expect(Object.keys(body.routes['/todo'])).toEqual(['GET', 'POST'])
    expect(Object.keys(body.routes)).toEqual([...Object.keys(body.routes)].sort())
  })

  it('GET /system/health pings the SQLite connection', async () => {
    const res = await app.inject({ url: '/system/health' })
    expect(res.statusCode).toBe(200)
    expect(res.headers['cache-control']).toBe('no-store')
    expect(res.headers['x-operation-id']).toBe('meta.getHealth')
    expect(schemaOf('Health')(res.json())).toBe(true)
    expect(res.json()).toEqual({ healthy: true, checks: { Default: { healthy: true } } })
  })

  it('GET /system/health answers 503 with the failing connection when SQLite cannot open its file', async () => {
    const { createApp } = (await import(pathToFileURL(join(dist, 'server.mjs')).href)) as { createApp(options: object): Promise<FastifyInstance> }
    // ${dir.src} is a plain file, so the folder of todo.db can be neither found nor made.
    const notAFolder = join(mkdtempSync(join(tmpdir(), 'fusio-system-')), 'file')
    writeFileSync(notAFolder, '')
    const broken = await createApp({ logger: false, migrate: false, env: { FUSIO_JWT_SECRET: JWT_SECRET, FUSIO_DIR_SRC: notAFolder } })
    try {
      const res = await broken.inject({ url: '/system/health' })
      expect(res.statusCode).toBe(503)
      const body = res.json()
      expect(schemaOf('Health')(body)).toBe(true)
      expect(body).toEqual({ healthy: false, checks: { Default: { healthy: false, error: expect.any(String) } } })
      expect(body.checks.Default.error.length).toBeGreaterThan(0)
      // /ready reads the same checks.
      expect((await broken.inject({ url: '/ready' })).statusCode).toBe(503)
    } finally {
      await broken.close()
      rmSync(dirname(notAFolder), { recursive: true, force: true })
    }
  })

  it('serves the OpenAPI document at Fusio\'s generator URL, with an ETag', async () => {
    const res = await app.inject({ url: '/system/generator/spec-openapi' })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8')
    expect(res.headers['cache-control']).toBe('no-cache')
    expect(res.body).toBe(readFileSync(join(dist, 'openapi.json'), 'utf8'))
    const again = await app.inject({ url: '/system/generator/spec-openapi', headers: { 'if-none-match': String(res.headers.etag) } })
    expect(again.statusCode).toBe(304)
    // The system endpoints are not part of the API's own document.
    expect(Object.keys(res.json().paths).filter((p) => p.startsWith('/system'))).toEqual([])
  })

  it('answers / with the API reference page to a browser', async () => {
    const res = await app.inject({ url: '/', headers: { accept: HTML } })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(res.headers['cache-control']).toBe('no-cache')
    expect(res.headers.vary).toContain('accept')
    expect(res.headers['content-security-policy']).toContain("default-src 'self'")
    expect(res.body).toContain('<title>Todo API · API reference</title>')
    expect(res.body).toContain('data-spec="/system/generator/spec-openapi"')
    expect(res.body).not.toMatch(/https?:\/\//)
    expect((await app.inject({ url: '/', headers: { accept: HTML, 'if-none-match': String(res.headers.etag) } })).statusCode).toBe(304)
  })

  it('serves the page\'s files with their types, for good when the URL carries their hash', async () => {
    const page = (await app.inject({ url: '/', headers: { accept: HTML } })).body
    const assets = [...page.matchAll(/(?:src|href)="(\/system\/docs\/[^"]+)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&'))
    expect(assets.map((a) => a.split('?')[0]).sort()).toEqual(['/system/docs/docs.js', '/system/docs/swagger-ui-bundle.js', '/system/docs/swagger-ui.css'])
    const types: Record<string, string> = { js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' }
    for (const asset of assets) {
      expect(asset).toMatch(/\?v=[A-Za-z0-9_-]{12}$/)
      const res = await app.inject({ url: asset })
      expect(res.statusCode, asset).toBe(200)
      expect(res.headers['content-type']).toBe(types[asset.split('?')[0]!.split('.').pop()!])
      expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable')
      // Without the hash (or with an old one) the file must be revalidated.
      expect((await app.inject({ url: `${asset.split('?')[0]}?v=old` })).headers['cache-control']).toBe('no-cache')
    }
    const bundle = readFileSync(join(dist, 'swagger-ui/swagger-ui-bundle.js'))
    const plain = await app.inject({ url: '/system/docs/swagger-ui-bundle.js' })
    expect(plain.rawPayload.equals(bundle)).toBe(true)
    expect(plain.headers.vary).toBe('accept-encoding')
    // A client that takes gzip gets about a third of the bytes, with an ETag of its own.
    const zipped = await app.inject({ url: '/system/docs/swagger-ui-bundle.js', headers: { 'accept-encoding': 'gzip, deflate, br' } })
    expect(zipped.headers['content-encoding']).toBe('gzip')
    expect(gunzipSync(zipped.rawPayload).equals(bundle)).toBe(true)
    expect(zipped.rawPayload.length).toBeLessThan(bundle.length / 2)
    expect(zipped.headers.etag).not.toBe(plain.headers.etag)
    expect((await app.inject({ url: '/system/docs/swagger-ui-bundle.js', headers: { 'accept-encoding': 'gzip', 'if-none-match': String(zipped.headers.etag) } })).statusCode).toBe(304)
    expect((await app.inject({ url: '/system/docs/index.html' })).statusCode).toBe(404)
    expect((await app.inject({ url: '/system/docs/..%2Fopenapi.json' })).statusCode).toBe(404)
  })

  it('answers / with the about document to JSON clients and to curl', async () => {
    const about = (await app.inject({ url: '/system/about' })).body
    for (const accept of ['application/json', '*/*', undefined, 'application/json, text/html;q=0.5']) {
      const res = await app.inject({ url: '/', headers: accept ? { accept } : {} })
      expect(res.statusCode, String(accept)).toBe(200)
      expect(res.headers['content-type']).toContain('application/json')
      expect(res.body).toBe(about)
    }
  })
})

describe('docs at a configured path below a base path', () => {
  let project: string
  let app: FastifyInstance
  let model: Model

  beforeAll(async () => {
    project = todoCopy(withService('  basePath: /api\n  docs: { path: /docs }\n'))
    model = (await built(project)).model!
    app = await startApp(project)
  })
  afterAll(async () => {
    await app?.close()
    removeProject(project)
  })

  it('writes the setting into the service definition', () => {
    expect(model.service.docs).toEqual({ path: '/docs' })
    expect(readFileSync(join(project, 'generated/service.ts'), 'utf8')).toContain("docs: { path: '/docs' }")
  })

  it('serves the page at /api/docs with files below /api/system/docs/, and / is left free', async () => {
    const res = await app.inject({ url: '/api/docs', headers: { accept: HTML } })
    expect(res.statusCode).toBe(200)
    expect(res.body).toContain('data-spec="/api/system/generator/spec-openapi"')
    const assets = [...res.body.matchAll(/(?:src|href)="(\/api\/system\/docs\/[^"]+)"/g)].map((m) => m[1]!)
    expect(assets).toHaveLength(3)
    for (const asset of assets) expect((await app.inject({ url: asset })).statusCode, asset).toBe(200)
    expect((await app.inject({ url: '/api/docs' })).json().title).toBe('Todo API')
    for (const url of ['/', '/api', '/api/', '/docs']) expect((await app.inject({ url, headers: { accept: HTML } })).statusCode, url).toBe(404)
  })

  it('puts the base path in the about links, not in the route table', async () => {
    const about = (await app.inject({ url: '/api/system/about' })).json()
    const links = Object.fromEntries(about.links.map((l: { rel: string; href: string }) => [l.rel, l.href]))
    expect(links).toMatchObject({ root: '/api/', docs: '/api/docs', openapi: '/api/system/generator/spec-openapi', health: '/api/system/health' })
    expect((await app.inject({ url: '/api/system/route' })).json().routes).toEqual(expectedRoutes(model))
    expect((await app.inject({ url: '/api/system/generator/spec-openapi' })).json().servers).toEqual([{ url: '/api' }])
    expect((await app.inject({ url: '/system/about' })).statusCode).toBe(404)
  })
})

describe('docs turned off', () => {
  let project: string
  let app: FastifyInstance

  beforeAll(async () => {
    project = todoCopy(withService('  docs: false\n'))
    await built(project)
    app = await startApp(project)
  })
  afterAll(async () => {
    await app?.close()
    removeProject(project)
  })

  it('serves no page and no about document at /, and names no docs link', async () => {
    for (const accept of [HTML, 'application/json']) expect((await app.inject({ url: '/', headers: { accept } })).statusCode, accept).toBe(404)
    expect((await app.inject({ url: '/system/docs/docs.js' })).statusCode).toBe(404)
    const about = (await app.inject({ url: '/system/about' })).json()
    expect(about.links.map((l: { rel: string }) => l.rel)).not.toContain('docs')
    expect((await app.inject({ url: '/system/generator/spec-openapi' })).statusCode).toBe(200)
  })

  it('leaves the page and Swagger UI out of dist/', () => {
    expect(existsSync(join(project, 'dist/docs'))).toBe(false)
    expect(existsSync(join(project, 'dist/swagger-ui'))).toBe(false)
    expect(existsSync(join(project, 'dist/openapi.json'))).toBe(true)
  })
})

describe('an operation on the docs URL', () => {
  const homeOperation = (manifest: string) =>
    manifest.replace('operation:\n', 'operation:\n  home.get: { httpMethod: GET, httpPath: /, public: true, outgoing: Todo_Stats, action: Todo_Stats }\n')
  const projects: string[] = []
  afterAll(() => projects.forEach(removeProject))
  const check = async (edit: (manifest: string) => string) => {
    const dir = todoCopy(edit)
    projects.push(dir)
    return validate({ manifest: join(dir, '.fusio.yml') })
  }

  it('keeps the default / and leaves the docs out, with a warning at the operation', async () => {
    const result = await check(homeOperation)
    expect(result.ok).toBe(true)
    expect(result.model!.service.docs).toBe(false)
    const warning = result.diagnostics.find((d) => d.code === 'FUSIO_RESOLVE_DOCS_YIELD')
    expect(warning).toMatchObject({ severity: 'warning', message: 'operation "home.get" answers GET /, so the API reference is not served' })
    expect(warning!.hint).toContain('service.docs: { path: /docs }')
    expect(warning!.location).toMatchObject({ file: '.fusio.yml', line: expect.any(Number) })
  })

  it('is an error at service.docs.path when that path was chosen', async () => {
    const result = await check(withService('  docs: { path: /todo }\n'))
    expect(result.ok).toBe(false)
    const error = result.diagnostics.find((d) => d.code === 'FUSIO_RESOLVE_DOCS_PATH_TAKEN')
    expect(error).toMatchObject({ severity: 'error', message: 'the API reference is set to GET /todo, which operation "todo.getAll" answers' })
    // `service:` is line 3 of the example; the setting is the line after it.
    expect(error!.location).toMatchObject({ file: '.fusio.yml', line: 4 })
  })

  it('refuses a docs path the service reserves, and one that is not a path', async () => {
    const reserved = await check(withService('  docs: { path: /system/docs }\n'))
    expect(reserved.diagnostics.map((d) => d.code)).toContain('FUSIO_RESOLVE_RESERVED_PATH')
    const malformed = await check(withService('  docs: { path: docs }\n'))
    expect(malformed.ok).toBe(false)
    expect(malformed.diagnostics.map((d) => d.code)).toContain('FUSIO_RESOLVE_INVALID_VALUE')
  })
})

describe('route table and negotiation rules', () => {
  const route = (operationId: string, method: RouteDefinition['method'], urls: string[], restParam?: string): RouteDefinition => ({
    operationId, method, urls, httpCode: 200, public: true, scopes: [], active: true, action: 'A', validate: {}, serialize: {}, ...(restParam ? { restParam } : {}),
  })

  it('writes legacy versions, regex and rest parameters in Fusio syntax below the base path', () => {
    const table = buildRouteTable(
      [
        route('v1.item.get', 'GET', ['/api/v1/item/:id(^[0-9]+$)', '/api/item/:id(^[0-9]+$)']),
        route('files.get', 'GET', ['/api/files/*'], 'path'),
        route('item.delete', 'DELETE', ['/api/item/:id(^[0-9]+$)']),
        route('home', 'POST', ['/api/']),
      ],
      '/api',
    )
    expect(table.routes).toEqual({
      '/': { POST: 'home' },
      '/files/*path': { GET: 'files.get' },
      '/item/$id<[0-9]+>': { GET: 'v1.item.get', DELETE: 'item.delete' },
      '/v1/item/$id<[0-9]+>': { GET: 'v1.item.get' },
    })
  })

  it.each([
    ['text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', true],
    ['text/html', true],
    ['application/json', false],
    ['*/*', false],
    ['', false],
    ['application/json, text/html;q=0.5', false],
    ['text/html;q=0, */*', false],
    ['TEXT/HTML; q=1', true],
  ])('Accept %j prefers HTML: %s', (accept, html) => {
    expect(prefersHtml(accept)).toBe(html)
  })
})
