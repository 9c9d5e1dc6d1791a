/** What the util actions that wrap other actions share: one shape for any action's result. */
import { isActionResponse } from '../response.js'
import type { ActionContext, JsonSchema } from '../types.js'

/** A result with its status when the action gave one; plain bodies keep the operation's own status. */
export interface Outcome {
  readonly statusCode?: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: unknown
}

export function outcomeOf(result: unknown): Outcome {
  if (isActionResponse(result)) return { statusCode: result.statusCode, headers: result.headers, body: result.body }
  return { headers: {}, body: result }
}

export function resultOf(outcome: Outcome, context: ActionContext): unknown {
  return outcome.statusCode === undefined ? outcome.body : context.response.build(outcome.statusCode, outcome.headers, outcome.body)
}

export const actionProperty: JsonSchema = { type: 'string', minLength: 1, description: 'name of a declared action' }
