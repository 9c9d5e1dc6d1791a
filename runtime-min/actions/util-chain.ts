/** Util-Chain: runs several actions in order on the same request and answers with the last one's result. */
import type { ActionDefinition } from '../types.js'
import { actionProperty } from './compose.js'

export interface ChainConfig {
  readonly actions?: readonly string[]
  /** Fusio's form: up to four actions under a, b, c, d. */
  readonly a?: string
  readonly b?: string
  readonly c?: string
  readonly d?: string
}

export const utilChain: ActionDefinition<ChainConfig> = {
  name: 'chain',
  aliases: ['Util-Chain', 'Fusio\\Adapter\\Util\\Action\\UtilChain'],
  description: 'Runs actions one after another; the last one answers',
  actionKeys: ['actions', 'a', 'b', 'c', 'd'],
  configSchema: {
    type: 'object',
    properties: { actions: { type: 'array', items: actionProperty, minItems: 1 }, a: actionProperty, b: actionProperty, c: actionProperty, d: actionProperty },
    anyOf: [{ required: ['actions'] }, { required: ['a'] }],
    additionalProperties: false,
  },
  create(config, deps) {
    const names = config.actions ?? [config.a, config.b, config.c, config.d].filter((n): n is string => n !== undefined)
    return async (request, context) => {
      let result: unknown
      for (const name of names) result = await deps.action(name)(request, context)
      return result
    }
  },
}
