/** Util-Static-Response: a fixed JSON body, status code and headers. */
import type { ActionDefinition, Json } from '../types.js'

export interface StaticResponseConfig {
  readonly statusCode?: number
  /** Fusio stores the body as JSON text; a YAML value is taken as it is. */
  readonly response?: Json
  readonly headers?: Readonly<Record<string, string>>
}

export const staticResponse: ActionDefinition<StaticResponseConfig> = {
  name: 'static-response',
  aliases: ['Util-Static-Response', 'Fusio\\Adapter\\Util\\Action\\UtilStaticResponse', 'StaticResponse'],
  description: 'Answers with a fixed body, status code and headers',
  configSchema: {
    type: 'object',
    properties: {
      statusCode: { type: 'integer', minimum: 100, maximum: 599 },
      response: { description: 'the body: any JSON value, or JSON text' },
      headers: { type: 'object', additionalProperties: { type: 'string' } },
    },
    additionalProperties: false,
  },
  create(config, deps) {
    let body: unknown = config.response ?? null
    if (typeof body === 'string') {
      try {
        body = JSON.parse(body)
      } catch {
        // Plain text that is not JSON is sent as a JSON string.
      }
    }
    const statusCode = config.statusCode ?? 200
    const headers = config.headers ?? {}
    deps.log.debug({ statusCode }, 'static response ready')
    return (_request, context) => context.response.build(statusCode, headers, body)
  },
}
