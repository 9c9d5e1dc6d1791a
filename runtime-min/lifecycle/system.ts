/**
 * routes: Fusio's meta endpoints below the base path — GET /system/about (title, version, scopes,
 * links), /system/health (every connection pinged; 503 when one fails), /system/route (path → method
 * → operation id), /system/generator/spec-openapi (dist/openapi.json) — and the docs URL (docs.ts).
 * Like Fusio's `system` category they are not in openapi.json, which describes the manifest's API
 * only; SYSTEM_SCHEMAS describes their bodies.
 */
import type { FastifyInstance, FastifyReply } from 'fastify'
import type { ConnectionSet } from '../connections/registry.js'
import type { JsonSchema, RouteDefinition, ServiceDefinition } from '../types.js'
import { docsPath, registerDocs, type DistFiles } from './docs.js'
import { checkConnections } from './health.js'

/** Fusio's categories besides `default` and `system`: the product layer's APIs. */
const PRODUCT_CATEGORIES = ['authorization', 'backend', 'consumer']

const METHOD_ORDER = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']

const stringList = { type: 'array', items: { type: 'string' } } as const

/** The bodies of the /system endpoints, as JSON Schemas (Fusio's System_About, System_Health, System_Route). */
export const SYSTEM_SCHEMAS: Readonly<Record<'About' | 'Health' | 'Route', JsonSchema>> = {
  About: {
    type: 'object',
    properties: {
      apiVersion: { type: 'string', description: 'service.version of the manifest' },
      title: { type: 'string' },
      description: { type: 'string' },
      categories: stringList,
      scopes: stringList,
      links: {
        type: 'array',
        items: { type: 'object', properties: { rel: { type: 'string' }, href: { type: 'string' } }, required: ['rel', 'href'], additionalProperties: false },
      },
    },
    required: ['apiVersion', 'title', 'categories', 'scopes', 'links'],
    additionalProperties: false,
  },
  Health: {
    type: 'object',
    properties: {
      healthy: { type: 'boolean' },
      checks: {
        type: 'object',
        description: 'connection name → its ping result',
        additionalProperties: {
          type: 'object',
          properties: { healthy: { type: 'boolean' }, error: { type: 'string' } },
          required: ['healthy'],
          additionalProperties: false,
        },
      },
    },
    required: ['healthy', 'checks'],
    additionalProperties: false,
  },
  Route: {
    type: 'object',
    properties: {
      routes: {
        type: 'object',
        description: 'path (Fusio syntax, below the base path) → method → operation id',
        additionalProperties: { type: 'object', additionalProperties: { type: 'string' } },
      },
    },
    required: ['routes'],
    additionalProperties: false,
  },
}

export interface AboutDocument {
  readonly apiVersion: string
  readonly title: string
  readonly description?: string
  readonly categories: readonly string[]
  readonly scopes: readonly string[]
  readonly links: readonly { readonly rel: string; readonly href: string }[]
}

/**
 * Fusio's about document. `origin` prefixes the links (FUSIO_PUBLIC_URL); without it they are paths
 * on the service's own origin. Scopes are the API's own: the product layer's are categories of their own.
 */
export function buildAbout(service: ServiceDefinition, origin = ''): AboutDocument {
  const base = `${origin}${service.basePath}`
  const product = service.product
  const scopes = new Set(service.routes.flatMap((route) => route.scopes))
  for (const scope of product?.scopes ?? []) scopes.add(scope.name)
  for (const category of PRODUCT_CATEGORIES) scopes.delete(category)
  const docs = docsPath(service.docs)
  const links = [
    { rel: 'root', href: `${base}/` },
    ...(docs ? [{ rel: 'docs', href: `${base}${docs}` }] : []),
    { rel: 'openapi', href: `${base}/system/generator/spec-openapi` },
    { rel: 'route', href: `${base}/system/route` },
    { rel: 'health', href: `${base}/system/health` },
    ...(product
      ? [
          { rel: 'oauth2', href: `${base}/authorization/token` },
          { rel: 'whoami', href: `${base}/authorization/whoami` },
          { rel: 'oauth-authorization-server', href: `${base}/.well-known/oauth-authorization-server` },
          { rel: 'oauth-protected-resource', href: `${base}/.well-known/oauth-protected-resource` },
          { rel: 'openid-configuration', href: `${base}/.well-known/openid-configuration` },
          ...(product.portal ? [{ rel: 'developer', href: `${base}/developer/` }] : []),
        ]
      : []),
  ]
  return {
    apiVersion: service.version,
    title: service.title,
    ...(service.description ? { description: service.description } : {}),
    categories: [...(product ? PRODUCT_CATEGORIES : []), 'default', 'system'],
    scopes: [...scopes].sort(),
    links,
  }
}

/** A route URL (Fastify syntax, with the base path) as Fusio writes it: `/todo/$id<[0-9]+>`, `/files/*path`. */
export function fusioPath(url: string, basePath: string, restParam?: string): string {
  const path = url.slice(basePath.length) || '/'
  return path
    .split('/')
    .map((segment) => {
      const pattern = /^:([A-Za-z_][A-Za-z0-9_]*)\(\^(.*)\$\)$/.exec(segment)
      if (pattern) return `$${pattern[1]}<${pattern[2]}>`
      return segment === '*' ? `*${restParam ?? 'path'}` : segment
    })
    .join('/')
}

/** Fusio's route list: path → method → operation id, paths sorted, methods in the usual order. */
export function buildRouteTable(routes: readonly RouteDefinition[], basePath: string): { readonly routes: Record<string, Record<string, string>> } {
  const table = new Map<string, Map<string, string>>()
  for (const route of routes) {
    for (const url of route.urls) {
      const path = fusioPath(url, basePath, route.restParam)
      const methods = table.get(path) ?? new Map<string, string>()
      methods.set(route.method, route.operationId)
      table.set(path, methods)
    }
  }
  const byMethod = ([a]: [string, string], [b]: [string, string]) => METHOD_ORDER.indexOf(a) - METHOD_ORDER.indexOf(b)
  return {
    routes: Object.fromEntries(
      [...table.keys()].sort().map((path) => [path, Object.fromEntries([...table.get(path)!.entries()].sort(byMethod))]),
    ),
  }
}

export interface SystemOptions {
  readonly service: ServiceDefinition
  readonly connections: ConnectionSet
  /** The bundle's files: openapi.json, docs/ and swagger-ui/ (shared with the portal). */
  readonly files: DistFiles
  readonly env: Readonly<Record<string, string | undefined>>
}

/** Registered with the base path as its prefix. */
export async function systemPlugin(app: FastifyInstance, options: SystemOptions): Promise<void> {
  const { service } = options
  const origin = options.env.FUSIO_PUBLIC_URL?.replace(/\/+$/, '') ?? ''
  // Both documents only change with a new build: serialized on first use, not at start-up.
  let about: string | undefined
  let routeTable: string | undefined
  const { files } = options
  const json = (reply: FastifyReply, operationId: string, body: string) =>
    reply.header('x-operation-id', operationId).type('application/json; charset=utf-8').send(body)
  const sendAbout = (_request: unknown, reply: FastifyReply) => json(reply, 'meta.getAbout', (about ??= JSON.stringify(buildAbout(service, origin))))

  app.get('/system/about', sendAbout)
  app.get('/system/route', (_request, reply) => json(reply, 'meta.getRoutes', (routeTable ??= JSON.stringify(buildRouteTable(service.routes, service.basePath)))))
  app.get('/system/health', async (_request, reply) => {
    const report = await checkConnections(options.connections)
    // Monitors read the status; the body says which connection failed, in Fusio's shape.
    return json(reply.code(report.healthy ? 200 : 503).header('cache-control', 'no-store'), 'meta.getHealth', JSON.stringify(report))
  })
  app.get('/system/generator/spec-openapi', (request, reply) => files.send(request, reply, 'openapi.json', 'no-cache'))
  const path = docsPath(service.docs)
  if (path) registerDocs(app, { path, basePath: service.basePath, title: service.title, files, about: sendAbout })
}
