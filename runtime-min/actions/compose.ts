/** What the util actions that wrap other actions share: one shape for any action's result. */
import { decodeBody, isJson } from '../connections/http.js'
import { isActionResponse } from '../response.js'
import type { ActionContext, JsonSchema } from '../types.js'

/** A result with its status when the action gave one; plain bodies keep the operation's own status. */
export interface Outcome {
  readonly statusCode?: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: unknown
}

/** A proxied JSON answer arrives as bytes; actions that work on bodies see it parsed. */
export function outcomeOf(result: unknown): Outcome {
  if (!isActionResponse(result)) return { headers: {}, body: result }
  const { statusCode, headers, body } = result
  if (!Buffer.isBuffer(body) || !isJson(headers['content-type'])) return { statusCode, headers, body }
  const { 'content-type': _json, ...rest } = headers
  return { statusCode, headers: rest, body: decodeBody(headers['content-type'], body) }
}

export function resultOf(outcome: Outcome, context: ActionContext): unknown {
  return outcome.statusCode === undefined ? outcome.body : context.response.build(outcome.statusCode, outcome.headers, outcome.body)
}

export const actionProperty: JsonSchema = { type: 'string', minLength: 1, description: 'name of a declared action' }
