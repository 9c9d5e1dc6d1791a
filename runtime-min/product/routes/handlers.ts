/**
 * Registers the product API from its catalog (api.ts): each operation gets its route, the token
 * check for its scope, its precompiled body validator and its handler. An operation without a
 * handler, or a handler without an operation, stops start-up.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify'
import { FusioError } from '../../errors.js'
import { createAuthenticate } from '../../lifecycle/authenticate.js'
import { overLimit } from '../../lifecycle/counters.js'
import { Precompiled } from '../../lifecycle/validate.js'
import { PRODUCT_OPERATIONS, type ProductOperation } from '../api.js'
import type { ProductContext } from '../context.js'

export type ProductHandler = (request: FastifyRequest, reply: FastifyReply, context: ProductContext) => Promise<unknown>
export type ProductHandlers = Readonly<Record<string, ProductHandler>>

export async function registerProductOperations(app: FastifyInstance, context: ProductContext, handlers: ProductHandlers): Promise<void> {
  const missing = PRODUCT_OPERATIONS.filter((op) => !handlers[op.id]).map((op) => op.id)
  if (missing.length > 0) throw new FusioError('FUSIO_ERR_CONFIG_INVALID', `product operations without a handler: ${missing.join(', ')}`)
  const unused = Object.keys(handlers).filter((id) => !PRODUCT_OPERATIONS.some((op) => op.id === id))
  if (unused.length > 0) throw new FusioError('FUSIO_ERR_CONFIG_INVALID', `handlers without a product operation: ${unused.join(', ')}`)
  const anyToken = requireAnyToken(context)
  const route = (scope: FastifyInstance, operation: ProductOperation) => {
    const handler = handlers[operation.id]
    const routeValidates = operation.body !== undefined && !operation.bodyCheckedByHandler
    const validator = routeValidates ? context.settings.validators[operation.body!] : undefined
    if (routeValidates && !validator) {
      throw new FusioError('FUSIO_ERR_CONFIG_INVALID', `the validator of ${operation.body} was not generated; rebuild the service`)
    }
    const status = operation.status ?? 200
    const access = operation.access === 'public' ? [] : [operation.access === 'token' ? anyToken : createAuthenticate({ public: false, scopes: [operation.access] }, context.verifier)]
    scope.route({
      method: operation.method,
      url: operation.path,
      ...(validator ? { schema: { body: new Precompiled(validator) } } : {}),
      onRequest: [...(operation.perIp ? [perIp(context, operation.id, operation.perIp)] : []), ...access],
      handler: async (request, reply) => {
        reply.header('cache-control', 'no-store')
        const result = await handler(request, reply, context)
        if (reply.sent) return reply
        if (status !== 200 && reply.statusCode === 200) reply.code(status)
        return result
      },
    })
  }
  for (const operation of PRODUCT_OPERATIONS) if (!operation.form) route(app, operation)
  // OAuth clients post forms: only the operations that say so read them (like JSON bodies).
  await app.register(async (forms) => {
    forms.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)))
    })
    for (const operation of PRODUCT_OPERATIONS) if (operation.form) route(forms, operation)
  })
}

/** Any valid token, whatever its scopes: the optional check of public operations, then required. */
function requireAnyToken(context: ProductContext): onRequestHookHandler {
  const optional = createAuthenticate({ public: true, scopes: [] }, context.verifier)
  return function (this: FastifyInstance, request, reply, done) {
    optional.call(this, request, reply, (error?: Error) => {
      if (error) return done(error)
      done(request.fusioUser ? undefined : new FusioError('FUSIO_ERR_AUTH_TOKEN_MISSING', 'this operation needs a valid access token (Authorization: Bearer …)', { headers: { 'www-authenticate': 'Bearer realm="Fusio"' } }))
    })
  }
}

/** Limits how often one IP may call an operation that sends mail or stores rows for anyone. */
function perIp(context: ProductContext, id: string, rule: { limit: number; windowSeconds: number }): onRequestHookHandler {
  return async (request) => {
    const counted = await context.counters.hit(`product:${id}:${request.ip}`, rule.windowSeconds)
    if (counted.count > rule.limit) {
      throw overLimit('FUSIO_ERR_RATE_LIMITED', counted, (retry) => `at most ${rule.limit} calls per ${rule.windowSeconds} s from one address; try again in ${retry} s`)
    }
  }
}
