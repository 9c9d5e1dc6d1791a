/**
 * The developer portal under /developer: a static single-page app and the API reference (Swagger UI
 * from npm, no CDN) that `fusio build` copies into dist/developer/, plus the service's openapi.json.
 * Paths that are not files answer the page itself, so links from mails (/developer/activate?token=…)
 * open the right view. Files are read on first request and kept in memory.
 */
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { extname, join } from 'node:path'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { FusioError } from '../errors.js'
import type { ProductContext } from './context.js'

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
}

/** Swagger UI sets styles inline; everything else comes from this origin. Tokens travel in URLs of this page, so no referrer leaves it. */
const HEADERS = {
  'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
}

interface Asset {
  readonly body: Buffer
  readonly type: string
  readonly etag: string
}

export function registerPortal(app: FastifyInstance, context: ProductContext): void {
  const distDir = context.distDir
  const assets = new Map<string, Promise<Asset | undefined>>()
  const load = (file: string) => {
    let found = assets.get(file)
    if (!found) {
      found = readFile(join(distDir, file)).then(
        (body) => ({ body, type: TYPES[extname(file)] ?? 'application/octet-stream', etag: `"${createHash('sha1').update(body).digest('base64url')}"` }),
        () => {
          // Misses are not kept: requests for made-up names must not grow the map.
          assets.delete(file)
          return undefined
        },
      )
      assets.set(file, found)
    }
    return found
  }
  const send = async (request: FastifyRequest, reply: FastifyReply, file: string, cache: string) => {
    const asset = await load(file)
    if (!asset) throw new FusioError('FUSIO_ERR_ROUTE_NOT_FOUND', `the developer portal is not part of this build (${file} is missing); run fusio build`)
    reply.headers(HEADERS).header('content-type', asset.type).header('etag', asset.etag).header('cache-control', cache)
    if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send()
    return reply.send(asset.body)
  }
  app.get('/developer', (_request, reply) => reply.redirect(`${context.basePath}/developer/`, 301))
  app.get('/developer/openapi.json', (request, reply) => send(request, reply, 'openapi.json', 'no-cache'))
  app.get('/developer/assets/:file', (request, reply) => {
    const file = (request.params as { file: string }).file
    if (!/^[A-Za-z0-9._-]+$/.test(file) || file.startsWith('.')) throw new FusioError('FUSIO_ERR_ROUTE_NOT_FOUND', 'no such file')
    return send(request, reply, `developer/${file}`, 'public, max-age=3600')
  })
  app.get('/developer/*', (request, reply) => send(request, reply, 'developer/index.html', 'no-cache'))
}
