/**
 * Util-Template: renders a Liquid (Twig-syntax) template, with the result of an optional `context`
 * action as data beside the request, and answers it with its content type (HTML by default).
 */
import type { ActionDefinition } from '../types.js'
import { actionProperty, outcomeOf } from './compose.js'
import { argumentsOf } from './inputs.js'
import { compileTemplate } from './template-engine.js'

export interface TemplateConfig {
  readonly template: string
  readonly content_type?: string
  readonly context?: string
}

export const utilTemplate: ActionDefinition<TemplateConfig> = {
  name: 'template',
  aliases: ['Util-Template', 'Fusio\\Adapter\\Util\\Action\\UtilTemplate'],
  description: 'Renders a template over the request and another action’s result',
  actionKeys: ['context'],
  configSchema: {
    type: 'object',
    properties: {
      template: { type: 'string', description: 'Liquid/Twig template, e.g. <h1>{{ context.title }}</h1>; values are HTML-escaped (| raw opts out)' },
      content_type: { type: 'string', description: 'default text/html; charset=utf-8' },
      context: actionProperty,
    },
    required: ['template'],
    additionalProperties: false,
  },
  create(config, deps) {
    const render = compileTemplate(config.template, 'html')
    const contentType = config.content_type ?? 'text/html; charset=utf-8'
    return async (request, context) => {
      const data = config.context ? outcomeOf(await deps.action(config.context)(request, context)).body : null
      const text = await render({
        context: data,
        request: { arguments: argumentsOf(request), payload: request.body ?? null, method: request.method },
      })
      // Bytes are sent as they are, never re-serialized as JSON.
      return context.response.build(200, { 'content-type': contentType }, Buffer.from(text, 'utf8'))
    }
  },
}
