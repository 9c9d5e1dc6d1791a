/**
 * HTTP-Raw: one fully specified request, not a forward: method, URL, headers and a body rendered
 * from a template over the request's `arguments` (path and query) and `payload` (body).
 */
import type { ActionDefinition } from '../types.js'
import { contentTypeOf, httpClientOf, httpConfigProperties, passThrough, substitute, timeoutMs, type HttpActionConfig } from './http-shared.js'
import { argumentsOf } from './inputs.js'
import { compileTemplate } from './template-engine.js'

export interface HttpRawConfig extends HttpActionConfig {
  readonly method?: string
  readonly url: string
  readonly headers?: Readonly<Record<string, string>>
  readonly body?: string
}

export const httpRaw: ActionDefinition<HttpRawConfig> = {
  name: 'http-raw',
  aliases: ['HTTP-Raw', 'Fusio\\Adapter\\Http\\Action\\HttpRaw', 'HttpRaw'],
  description: 'Sends a request built from a method, URL, headers and a body template, and passes the answer through',
  connection: 'http',
  configSchema: {
    type: 'object',
    properties: {
      method: { type: 'string', enum: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'], description: 'default: the request’s method' },
      url: { type: 'string', minLength: 1, description: 'absolute URL or a path relative to the connection; :name takes path parameters' },
      headers: { type: 'object', additionalProperties: { type: 'string' } },
      body: { type: 'string', description: 'Liquid/Twig template over arguments, payload and context, e.g. {"name": {{ payload.name | json }}}' },
      ...httpConfigProperties,
    },
    required: ['url'],
    additionalProperties: false,
  },
  create(config, deps) {
    const client = httpClientOf(deps, config.connection)
    const render = config.body === undefined ? undefined : compileTemplate(config.body, 'none')
    const contentType = contentTypeOf(config.type)
    return async (request, context) => {
      const method = config.method ?? request.method
      const body = render
        ? await render({
            arguments: argumentsOf(request),
            payload: request.body ?? null,
            context: { operationId: request.operationId, user: request.user ? { id: request.user.subject, scopes: request.user.scopes } : null },
          })
        : undefined
      const headers = { ...(body === undefined ? {} : { 'content-type': contentType }), ...config.headers, 'x-request-id': context.requestId }
      const upstream = await (await client()).send(
        { method, url: substitute(config.url, request.params), headers, ...(body === undefined ? {} : { body }) },
        { retries: config.retries ?? 1, ...(config.timeout === undefined ? {} : { timeoutMs: timeoutMs(config) }) },
      )
      return passThrough(upstream, context)
    }
  },
}
