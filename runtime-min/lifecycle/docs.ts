/**
 * routes: the API reference page (Swagger UI over openapi.json) at the docs URL (`service.docs`,
 * default `/` below the base path), and its files under /system/docs/. The docs URL negotiates: a
 * browser (Accept: text/html) gets the page, any other client Fusio's about document. Files come
 * from dist/, where `fusio build` copies templates/docs/ and Swagger UI (one copy, which the
 * developer portal uses too); nothing is fetched from another origin.
 */
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { extname, join } from 'node:path'
import { promisify } from 'node:util'
import { gzip } from 'node:zlib'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { FusioError } from '../errors.js'
import type { DocsDefinition } from '../types.js'

/** dist/ folders: Swagger UI's browser files (from npm) and the reference page (templates/docs/). */
export const SWAGGER_UI_DIR = 'swagger-ui'
export const SWAGGER_UI_FILES = ['swagger-ui-bundle.js', 'swagger-ui.css'] as const
export const DOCS_DIR = 'docs'

/** Swagger UI sets styles inline; everything else comes from this origin, and no referrer leaves it. */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
}

/** Where the docs' files are served, below the base path (inside /system/, which manifests cannot use). */
const ASSET_PREFIX = '/system/docs/'

/** Asset name in its URL → file in dist/. */
const ASSETS: Readonly<Record<string, string>> = {
  'docs.js': `${DOCS_DIR}/docs.js`,
  ...Object.fromEntries(SWAGGER_UI_FILES.map((name) => [name, `${SWAGGER_UI_DIR}/${name}`])),
}

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
}

export interface DistFile {
  readonly body: Buffer
  readonly type: string
  readonly etag: string
}

/** Files of dist/, read on first request and kept in memory, answered with an ETag (304 on a match). */
export interface DistFiles {
  load(file: string): Promise<DistFile | undefined>
  send(request: FastifyRequest, reply: FastifyReply, file: string, cacheControl: string, headers?: Readonly<Record<string, string>>): Promise<FastifyReply>
}

/** A file with its type and a strong ETag from its content. */
function distFile(body: Buffer, type: string): DistFile {
  return { body, type, etag: `"${createHash('sha1').update(body).digest('base64url')}"` }
}

export function createDistFiles(distDir: string): DistFiles {
  const files = new Map<string, Promise<DistFile | undefined>>()
  const load = (file: string) => {
    let found = files.get(file)
    if (!found) {
      found = readFile(join(distDir, file)).then(
        (body) => distFile(body, TYPES[extname(file)] ?? 'application/octet-stream'),
        () => {
          // Misses are not kept: requests for made-up names must not grow the map.
          files.delete(file)
          return undefined
        },
      )
      files.set(file, found)
    }
    return found
  }
  return {
    load,
    async send(request, reply, file, cacheControl, headers = {}) {
      return sendFile(request, reply, file, await load(file), cacheControl, headers)
    },
  }
}

/** Gzipped copies of text files, made on first demand (Swagger UI's script shrinks from 1.7 MB to about a third). */
const gzipped = new WeakMap<DistFile, Promise<Buffer>>()
const gzipAsync = promisify(gzip)
const COMPRESSIBLE = /^(text\/|application\/json|image\/svg)/

async function sendFile(request: FastifyRequest, reply: FastifyReply, name: string, found: DistFile | undefined, cacheControl: string, headers: Readonly<Record<string, string>>): Promise<FastifyReply> {
  if (!found) throw new FusioError('FUSIO_ERR_ROUTE_NOT_FOUND', `${name} is not part of this build; run fusio build`)
  const compressible = found.body.length > 1024 && COMPRESSIBLE.test(found.type)
  const compress = compressible && /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''))
  // Each encoding is its own representation, with its own validator.
  const etag = compress ? `${found.etag.slice(0, -1)}-gzip"` : found.etag
  reply.headers(headers).header('content-type', found.type).header('etag', etag).header('cache-control', cacheControl)
  if (compressible) {
    const vary = reply.getHeader('vary')
    reply.header('vary', vary ? `${String(vary)}, accept-encoding` : 'accept-encoding')
  }
  if (request.headers['if-none-match'] === etag) return reply.code(304).send()
  if (!compress) return reply.send(found.body)
  let body = gzipped.get(found)
  if (!body) {
    body = gzipAsync(found.body)
    gzipped.set(found, body)
  }
  return reply.header('content-encoding', 'gzip').send(await body)
}

/** A short content hash for asset URLs (from the ETag). */
const versionOf = (found: DistFile) => found.etag.slice(1, 13)

/** The docs URL below the base path, or undefined when the docs are off. */
export function docsPath(docs: DocsDefinition | false | undefined): string | undefined {
  return docs === false ? undefined : (docs?.path ?? '/')
}

/** True when the client asks for HTML at least as much as for JSON: browsers do, curl and fetch() do not. */
export function prefersHtml(accept: string | undefined): boolean {
  const quality = (type: string) => {
    for (const part of (accept ?? '').split(',')) {
      const [range, ...params] = part.trim().toLowerCase().split(';')
      if (range?.trim() !== type) continue
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='))
      return q ? Number(q.slice(2)) || 0 : 1
    }
    return 0
  }
  const html = quality('text/html')
  return html > 0 && html >= quality('application/json')
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

export interface DocsOptions {
  readonly path: string
  readonly basePath: string
  readonly title: string
  readonly files: DistFiles
  /** What the docs URL answers clients that do not ask for HTML (Fusio's `GET /`). */
  readonly about: (request: FastifyRequest, reply: FastifyReply) => unknown
}

/**
 * Registers the docs URL and its files on an app whose prefix is the base path. Asset URLs carry a
 * hash of their content, so they are cached for good and a new build is fetched at once.
 */
export function registerDocs(app: FastifyInstance, options: DocsOptions): void {
  const versioned = async (name: string) => {
    const found = await options.files.load(ASSETS[name]!)
    return `${options.basePath}${ASSET_PREFIX}${name}${found ? `?v=${versionOf(found)}` : ''}`
  }
  let page: Promise<DistFile | undefined> | undefined
  const render = async (): Promise<DistFile | undefined> => {
    const template = await options.files.load(`${DOCS_DIR}/index.html`)
    if (!template) return undefined
    const slots: Record<string, string> = {
      title: escapeHtml(options.title),
      spec: escapeHtml(`${options.basePath}/system/generator/spec-openapi`),
      css: escapeHtml(await versioned('swagger-ui.css')),
      bundle: escapeHtml(await versioned('swagger-ui-bundle.js')),
      script: escapeHtml(await versioned('docs.js')),
    }
    const body = Buffer.from(template.body.toString('utf8').replace(/\{\{(\w+)\}\}/g, (_, slot: string) => slots[slot] ?? ''))
    return distFile(body, template.type)
  }
  app.get(options.path, async (request, reply) => {
    reply.header('vary', 'accept')
    if (!prefersHtml(request.headers.accept)) return options.about(request, reply)
    page ??= render()
    const found = await page
    // A build without the page is not remembered, so the next request looks again.
    if (!found) page = undefined
    return sendFile(request, reply, `${DOCS_DIR}/index.html`, found, 'no-cache', PAGE_HEADERS)
  })
  app.get(`${ASSET_PREFIX}:file`, async (request, reply) => {
    const name = (request.params as { file: string }).file
    const file = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined
    if (!file) throw new FusioError('FUSIO_ERR_ROUTE_NOT_FOUND', 'no such file')
    const found = await options.files.load(file)
    // Only the URL the page names (with the content's hash) may be kept for good.
    const cache = found && (request.query as { v?: string }).v === versionOf(found) ? 'public, max-age=31536000, immutable' : 'no-cache'
    return sendFile(request, reply, file, found, cache, PAGE_HEADERS)
  })
}
