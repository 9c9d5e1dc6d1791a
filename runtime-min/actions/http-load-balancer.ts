/**
 * HTTP-Load-Balancer: forwards each request to one of several upstreams picked at random. When the
 * picked one cannot be reached, an idempotent request moves on to the next; others fail with 502.
 */
import { IDEMPOTENT } from '../connections/http.js'
import { FusioError } from '../errors.js'
import type { ActionDefinition } from '../types.js'
import { forward } from './http-processor.js'
import { httpClientOf, httpConfigProperties, passThrough, type HttpActionConfig } from './http-shared.js'

export interface HttpLoadBalancerConfig extends HttpActionConfig {
  readonly url: readonly string[]
}

export const httpLoadBalancer: ActionDefinition<HttpLoadBalancerConfig> = {
  name: 'http-load-balancer',
  aliases: ['HTTP-Load-Balancer', 'Fusio\\Adapter\\Http\\Action\\HttpLoadBalancer', 'HttpLoadBalancer'],
  description: 'Forwards each request to a randomly chosen upstream, moving on when one is down',
  connection: 'http',
  configSchema: {
    type: 'object',
    properties: { url: { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1, description: 'upstream URLs' }, ...httpConfigProperties },
    required: ['url'],
    additionalProperties: false,
  },
  create(config, deps) {
    // Moving on to another upstream replaces retrying the same one.
    const send = forward({ ...config, retries: 0 }, httpClientOf(deps, config.connection))
    const urls = config.url
    return async (request, context) => {
      const start = Math.floor(Math.random() * urls.length)
      const tries = IDEMPOTENT.has(request.method) ? urls.length : 1
      for (let i = 0; ; i++) {
        try {
          return passThrough(await send(urls[(start + i) % urls.length], request, context), context)
        } catch (error) {
          const down = error instanceof FusioError && error.code === 'FUSIO_ERR_UPSTREAM_UNAVAILABLE'
          if (!down || i + 1 >= tries) throw error
          context.log.warn({ upstream: i }, 'upstream unreachable, trying the next one')
        }
      }
    }
  },
}
