/** HTTP-Processor: forwards the request to one upstream URL and passes its answer through. */
import type { ActionDefinition, ActionHandler, ActionDeps } from '../types.js'
import type { HttpClient } from '../connections/http.js'
import {
  contentTypeOf,
  encodeBody,
  forwardHeaders,
  httpClientOf,
  httpConfigProperties,
  passThrough,
  substitute,
  timeoutMs,
  withQuery,
  type HttpActionConfig,
} from './http-shared.js'

export interface HttpProcessorConfig extends HttpActionConfig {
  readonly url: string
}

/** One forwarded request to `url` (after `:name` substitution); shared by the processor and the load balancer. */
export function forward(config: HttpActionConfig, client: () => Promise<HttpClient>): (url: string, ...call: Parameters<ActionHandler>) => ReturnType<HttpClient['send']> {
  const type = contentTypeOf(config.type)
  return async (url, request, context) => {
    const { body, contentType } = encodeBody(request.method, request.body, type)
    const headers = forwardHeaders(request, context)
    if (contentType) headers['content-type'] = contentType
    const target = withQuery(substitute(url, request.params), request.url, config.query)
    return (await client()).send({ method: request.method, url: target, headers, ...(body === undefined ? {} : { body }) }, {
      retries: config.retries ?? 1,
      ...(config.timeout === undefined ? {} : { timeoutMs: timeoutMs(config) }),
    })
  }
}

export const httpProcessor: ActionDefinition<HttpProcessorConfig> = {
  name: 'http-processor',
  aliases: ['HTTP-Processor', 'Fusio\\Adapter\\Http\\Action\\HttpProcessor', 'HttpProcessor'],
  description: 'Forwards the request to an upstream URL (with :name path parameters) and passes its answer through',
  connection: 'http',
  configSchema: {
    type: 'object',
    properties: { url: { type: 'string', minLength: 1, description: 'absolute URL, or a path relative to the connection' }, ...httpConfigProperties },
    required: ['url'],
    additionalProperties: false,
  },
  create(config, deps: ActionDeps) {
    const send = forward(config, httpClientOf(deps, config.connection))
    return async (request, context) => passThrough(await send(config.url, request, context), context)
  },
}
