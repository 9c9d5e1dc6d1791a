/**
 * HTTP-Composition: sends the request to several upstreams at once and answers with one object,
 * each upstream's body under its name (or its URL, as Fusio does for a plain list).
 */
import { decodeBody } from '../connections/http.js'
import { FusioError } from '../errors.js'
import type { ActionDefinition } from '../types.js'
import { forward } from './http-processor.js'
import { httpClientOf, httpConfigProperties, type HttpActionConfig } from './http-shared.js'

export interface HttpCompositionConfig extends HttpActionConfig {
  readonly url: readonly string[] | Readonly<Record<string, string>>
}

export const httpComposition: ActionDefinition<HttpCompositionConfig> = {
  name: 'http-composition',
  aliases: ['HTTP-Composition', 'Fusio\\Adapter\\Http\\Action\\HttpComposition', 'HttpComposition'],
  description: 'Sends the request to several upstreams in parallel and merges their bodies into one object',
  connection: 'http',
  configSchema: {
    type: 'object',
    properties: {
      url: {
        anyOf: [
          { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1 },
          { type: 'object', additionalProperties: { type: 'string', minLength: 1 }, minProperties: 1 },
        ],
        description: 'upstream URLs, as a list (keyed by URL) or a map of name → URL',
      },
      ...httpConfigProperties,
    },
    required: ['url'],
    additionalProperties: false,
  },
  create(config, deps) {
    const send = forward(config, httpClientOf(deps, config.connection))
    const targets: [string, string][] = Array.isArray(config.url) ? config.url.map((u) => [u, u]) : Object.entries(config.url)
    return async (request, context) => {
      const answers = await Promise.allSettled(targets.map(([, url]) => send(url, request, context)))
      const merged: Record<string, unknown> = {}
      for (const [index, answer] of answers.entries()) {
        const [name] = targets[index]
        if (answer.status === 'rejected') {
          const error = answer.reason
          // Name the part that failed, keeping the 502/504 distinction of the first failure.
          if (error instanceof FusioError) throw new FusioError(error.code, `${name}: ${error.message}`, { cause: error })
          throw error
        }
        const body = decodeBody(answer.value.headers['content-type'], answer.value.body)
        merged[name] = Buffer.isBuffer(body) ? body.toString('utf8') : (body ?? null)
      }
      return merged
    }
  },
}
