/** Util-Redirect: answers with a redirect to `location`, where `:name` / `{name}` take path parameters. */
import type { ActionDefinition } from '../types.js'
import { substitute } from './http-shared.js'

export interface RedirectConfig {
  readonly location: string
  readonly statusCode?: 301 | 302 | 303 | 307 | 308
}

export const utilRedirect: ActionDefinition<RedirectConfig> = {
  name: 'redirect',
  aliases: ['Util-Redirect', 'Fusio\\Adapter\\Util\\Action\\UtilRedirect'],
  description: 'Redirects to a URL (307 by default, which keeps the method and body)',
  configSchema: {
    type: 'object',
    properties: {
      location: { type: 'string', minLength: 1, description: 'target URL; :name takes a path parameter' },
      statusCode: { type: 'integer', enum: [301, 302, 303, 307, 308] },
    },
    required: ['location'],
    additionalProperties: false,
  },
  create(config) {
    const statusCode = config.statusCode ?? 307
    return (request, context) => context.response.build(statusCode, { location: substitute(config.location, request.params) }, undefined)
  },
}
