/**
 * The developer portal under /developer: a static single-page app that `fusio build` copies into
 * dist/developer/, the API reference (Swagger UI from npm in dist/swagger-ui/, no CDN), plus the
 * service's openapi.json.
 * Paths that are not files answer the page itself, so links from mails (/developer/activate?token=…)
 * open the right view. Files are read on first request and kept in memory.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { FusioError } from '../errors.js'
import { PAGE_HEADERS, SWAGGER_UI_DIR, SWAGGER_UI_FILES } from '../lifecycle/docs.js'
import type { ProductContext } from './context.js'

/** Swagger UI's files are the one copy the API reference page uses too. */
const SWAGGER_UI = new Set<string>(SWAGGER_UI_FILES)

export function registerPortal(app: FastifyInstance, context: ProductContext): void {
  const { files } = context
  const send = (request: FastifyRequest, reply: FastifyReply, file: string, cache: string) => files.send(request, reply, file, cache, PAGE_HEADERS)
  app.get('/developer', (_request, reply) => reply.redirect(`${context.basePath}/developer/`, 301))
  app.get('/developer/openapi.json', (request, reply) => send(request, reply, 'openapi.json', 'no-cache'))
  app.get('/developer/assets/:file', (request, reply) => {
    const file = (request.params as { file: string }).file
    if (!/^[A-Za-z0-9._-]+$/.test(file) || file.startsWith('.')) throw new FusioError('FUSIO_ERR_ROUTE_NOT_FOUND', 'no such file')
    return send(request, reply, SWAGGER_UI.has(file) ? `${SWAGGER_UI_DIR}/${file}` : `developer/${file}`, 'public, max-age=3600')
  })
  app.get('/developer/*', (request, reply) => send(request, reply, 'developer/index.html', 'no-cache'))
}
