/**
 * Util-JSON-Patch: RFC 6902 patches (rfc6902) applied to the request body before the inner action
 * runs, and/or to its successful response body after. A patch that cannot apply to a request is a
 * 400; to a successful response, a 500 (the manifest and the inner action disagree).
 */
import { applyPatch, type Operation } from 'rfc6902'
import { FusioError } from '../errors.js'
import type { ActionDefinition, JsonSchema } from '../types.js'
import { actionProperty, outcomeOf, resultOf } from './compose.js'

export interface JsonPatchConfig {
  readonly action: string
  readonly patch?: readonly Operation[]
  readonly response_patch?: readonly Operation[]
}

const operations: JsonSchema = {
  type: 'array',
  items: {
    type: 'object',
    properties: {
      op: { enum: ['add', 'remove', 'replace', 'move', 'copy', 'test'] },
      path: { type: 'string' },
      from: { type: 'string' },
      value: {},
    },
    required: ['op', 'path'],
  },
}

/** Patches a copy: the request's own body and the inner action's result stay untouched. */
function patched(document: unknown, patch: readonly Operation[]): { value: unknown; failure?: string } {
  const copy = { root: structuredClone(document ?? null) }
  const rooted = patch.map((op) => ({ ...op, path: `/root${op.path}`, ...('from' in op ? { from: `/root${op.from}` } : {}) })) as Operation[]
  const failure = applyPatch(copy, rooted).find((error) => error !== null)
  return failure ? { value: document, failure: `${failure.name}: ${failure.message.replace(/\/root/g, '')}` } : { value: copy.root }
}

export const utilJsonPatch: ActionDefinition<JsonPatchConfig> = {
  name: 'json-patch',
  aliases: ['Util-JSON-Patch', 'Fusio\\Adapter\\Util\\Action\\UtilJsonPatch'],
  description: 'Applies RFC 6902 patches to the request body and/or the response body of another action',
  actionKeys: ['action'],
  configSchema: {
    type: 'object',
    properties: { action: actionProperty, patch: operations, response_patch: operations },
    required: ['action'],
    additionalProperties: false,
  },
  create(config, deps) {
    return async (request, context) => {
      let inner = request
      if (config.patch) {
        const { value, failure } = patched(request.body, config.patch)
        if (failure) throw new FusioError('FUSIO_ERR_VALIDATION_BODY', `the body does not fit the patch: ${failure}`, { errors: [{ in: 'body', field: '', pointer: '', message: failure }] })
        inner = { ...request, body: value }
      }
      const result = await deps.action(config.action)(inner, context)
      if (!config.response_patch) return result
      const outcome = outcomeOf(result)
      // An error answer has its own shape (a problem, an upstream's error): it passes unpatched.
      if ((outcome.statusCode ?? 200) >= 400) return result
      const { value, failure } = patched(outcome.body, config.response_patch)
      if (failure) throw new FusioError('FUSIO_ERR_INTERNAL', `the response patch does not apply: ${failure}`)
      return resultOf({ ...outcome, body: value }, context)
    }
  },
}
