/**
 * routes: one Fastify route per operation URL (GET also answers HEAD), wired through the lifecycle
 * (onRequest: status gate, authenticate, rate limit, as one hook; preValidation: rest parameter;
 * validation; handler: the action; serialization). OPTIONS and the URL's other methods are answered
 * from the allow table (allow.ts) by the not-found handler.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler, onResponseHookHandler, RouteShorthandOptions } from 'fastify'
import fp from 'fastify-plugin'
import { FusioError } from '../errors.js'
import { isActionResponse, responseFactory } from '../response.js'
import type { ActionContext, ActionHandler, ActionRequest, Connector, RouteDefinition } from '../types.js'
import { answeredMethods } from './allow.js'
import { createAuthenticate, type TokenVerifier } from './authenticate.js'
import { createStatusGate } from './status-gate.js'
import { Precompiled } from './validate.js'

export interface OperationsOptions {
  readonly routes: readonly RouteDefinition[]
  readonly handlers: ReadonlyMap<string, ActionHandler>
  readonly connector: Connector
  readonly verifier: TokenVerifier | undefined
  /** The rate-limit hook of an operation (rate-limit.ts), when the service has rates. */
  readonly rateLimit?: (route: RouteDefinition) => onRequestHookHandler | undefined
  /** The product layer's usage log, per operation. */
  readonly usageHook?: (operationId: string) => onResponseHookHandler
}

export const operationsPlugin = fp(
  async (app: FastifyInstance, options: OperationsOptions) => {
    app.decorateRequest('fusioUser', undefined)
    for (const route of options.routes) {
      const handler = options.handlers.get(route.action)
      if (!handler) throw new FusioError('FUSIO_ERR_CONFIG_INVALID', `operation ${route.operationId} names an unknown action "${route.action}"`)
      const method = [...answeredMethods(route.method)]
      for (const url of route.urls) app.route({ method, url, ...routeOptions(route, options), handler: createHandler(route, handler, options.connector) })
    }
  },
  { name: 'fusio-operations', dependencies: ['fusio-problem'] },
)

/** The operation's onRequest steps in one hook: one call per request instead of one per step. */
function createOnRequest(route: RouteDefinition, options: OperationsOptions): onRequestHookHandler {
  const gate = createStatusGate(route)
  const authenticate = createAuthenticate(route, options.verifier)
  const rateLimit = options.rateLimit?.(route)
  if (!rateLimit) {
    return function (request, reply, done) {
      const gone = gate(reply)
      if (gone) return done(gone)
      authenticate(request, reply, done)
    }
  }
  return function (request, reply, done) {
    const gone = gate(reply)
    if (gone) return done(gone)
    authenticate(request, reply, (error) => (error ? done(error) : rateLimit.call(this, request, reply, done)))
  }
}

function routeOptions(route: RouteDefinition, options: OperationsOptions): RouteShorthandOptions {
  const schema: Record<string, unknown> = {}
  if (route.validate.body) schema.body = new Precompiled(route.validate.body)
  if (route.validate.query) schema.querystring = new Precompiled(route.validate.query)
  if (route.validate.params) schema.params = new Precompiled(route.validate.params)
  const response: Record<string, Precompiled<unknown>> = {}
  for (const [status, serialize] of Object.entries(route.serialize)) response[status] = new Precompiled(serialize)
  if (Object.keys(response).length > 0) schema.response = response
  const rest = route.restParam
  return {
    schema,
    onRequest: createOnRequest(route, options),
    ...(options.usageHook ? { onResponse: options.usageHook(route.operationId) } : {}),
    // find-my-way names the rest of the path `*`; handlers and validators see the manifest's name.
    ...(rest
      ? {
          preValidation: (request: FastifyRequest, _reply: FastifyReply, done: () => void) => {
            const params = request.params as Record<string, string>
            params[rest] = params['*']
            delete params['*']
            done()
          },
        }
      : {}),
  }
}

/** Sends what an action returned: a plain body with the operation's status, a Fusio response, or 204 for nothing. */
function answer(reply: FastifyReply, httpCode: number, result: unknown): void {
  if (isActionResponse(result)) {
    reply.code(result.statusCode)
    for (const name in result.headers) reply.header(name, result.headers[name])
    reply.send(result.body)
  } else if (result === undefined) reply.code(204).send()
  else reply.code(httpCode).send(result)
}

const isThenable = (value: unknown): value is PromiseLike<unknown> => typeof (value as PromiseLike<unknown> | null)?.then === 'function'

function createHandler(route: RouteDefinition, action: ActionHandler, connector: Connector) {
  const { operationId, method, httpCode } = route
  return (request: FastifyRequest, reply: FastifyReply): Promise<void> | undefined => {
    const actionRequest: ActionRequest = {
      operationId,
      method,
      url: request.url,
      body: request.body,
      query: request.query as Record<string, unknown>,
      params: request.params as Record<string, string>,
      headers: request.headers,
      ip: request.ip,
      user: request.fusioUser,
    }
    const context: ActionContext = { operationId, requestId: request.id, connector, response: responseFactory, log: request.log }
    const result = action(actionRequest, context)
    // An action that answers at once (a static response) is sent without a promise or a microtask.
    if (!isThenable(result)) {
      answer(reply, httpCode, result)
      return undefined
    }
    return Promise.resolve(result).then((value) => answer(reply, httpCode, value))
  }
}
