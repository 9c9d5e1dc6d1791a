/**
 * Util-Condition: evaluates an expression over the request and runs the `true` or the `false`
 * action. The language is Symfony's ExpressionLanguage subset (see expression.ts), never eval.
 */
import { FusioError } from '../errors.js'
import type { ActionDefinition, ActionRequest } from '../types.js'
import { actionProperty } from './compose.js'
import { compileExpression, ExpressionError } from './expression.js'
import { argument, argumentsOf } from './inputs.js'

export interface ConditionConfig {
  readonly expression?: string
  /** Fusio's key for the expression. */
  readonly condition?: string
  readonly true: string
  readonly false: string
}

/** What an expression can read: Fusio's request and context accessors, and plain data beside them. */
function scopeOf(request: ActionRequest): Record<string, unknown> {
  const user = request.user
  const userView = {
    id: user?.subject ?? null,
    anonymous: user === undefined,
    scopes: user?.scopes ?? [],
    getId: () => user?.subject ?? null,
    isAnonymous: () => user === undefined,
    getName: () => (user?.claims.name as string | undefined) ?? null,
    getPlanId: () => (user?.claims.plan_id as unknown) ?? null,
  }
  return {
    request: {
      get: (name: string) => argument(request, name) ?? null,
      // Fusio's payload of a request without a body is an empty record.
      getPayload: () => request.body ?? {},
      getHeader: (name: string) => request.headers[String(name).toLowerCase()] ?? null,
      method: request.method,
      arguments: argumentsOf(request),
      payload: request.body ?? null,
    },
    context: { getUser: () => userView, getOperationId: () => request.operationId, operationId: request.operationId },
    user: userView,
  }
}

export const utilCondition: ActionDefinition<ConditionConfig> = {
  name: 'condition',
  aliases: ['Util-Condition', 'Fusio\\Adapter\\Util\\Action\\UtilCondition', 'Condition'],
  description: 'Runs the `true` or the `false` action, depending on an expression over the request',
  actionKeys: ['true', 'false'],
  configSchema: {
    type: 'object',
    properties: {
      expression: { type: 'string', minLength: 1, description: 'e.g. request.get("id") == 1 and not user.anonymous' },
      condition: { type: 'string', minLength: 1, description: 'Fusio’s name for expression' },
      true: actionProperty,
      false: actionProperty,
    },
    required: ['true', 'false'],
    oneOf: [{ required: ['expression'] }, { required: ['condition'] }],
    additionalProperties: false,
  },
  checkConfig(config) {
    const key = config.expression === undefined ? 'condition' : 'expression'
    try {
      compileExpression((config.expression ?? config.condition)!)
      return []
    } catch (error) {
      return [{ key, message: error instanceof Error ? error.message : String(error) }]
    }
  },
  create(config, deps) {
    const expression = compileExpression((config.expression ?? config.condition)!)
    return (request, context) => {
      let outcome: unknown
      try {
        outcome = expression.evaluate(scopeOf(request))
      } catch (error) {
        // A value of the wrong type in this request is the request's fault, not the service's.
        if (error instanceof ExpressionError) throw new FusioError('FUSIO_ERR_CONDITION_FAILED', `the condition cannot be evaluated: ${error.message}`, { cause: error })
        throw error
      }
      return deps.action(outcome ? config.true : config.false)(request, context)
    }
  },
}
