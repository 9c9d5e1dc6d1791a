/**
 * Registers the product API from its catalog (api.ts): each operation gets its route, the token
 * check for its scope, its precompiled body validator and its handler. An operation without a
 * handler, or a handler without an operation, stops start-up.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify'
import { FusioError } from '../../errors.js'
import { createAuthenticate } from '../../lifecycle/authenticate.js'
import { Precompiled } from '../../lifecycle/validate.js'
import { PRODUCT_OPERATIONS } from '../api.js'
import type { ProductContext } from '../context.js'

export type ProductHandler = (request: FastifyRequest, reply: FastifyReply, context: ProductContext) => Promise<unknown>
export type ProductHandlers = Readonly<Record<string, ProductHandler>>

export function registerProductOperations(app: FastifyInstance, context: ProductContext, handlers: ProductHandlers): void {
  const unused = new Set(Object.keys(handlers))
  // Any valid token, whatever its scopes: the optional check of public operations, then required.
  const optional = createAuthenticate({ public: true, scopes: [] }, context.verifier)
  const anyToken: onRequestHookHandler = function (this: FastifyInstance, request, reply, done) {
    optional.call(this, request, reply, (error?: Error) => {
      if (error) return done(error)
      done(request.fusioUser ? undefined : new FusioError('FUSIO_ERR_AUTH_TOKEN_MISSING', 'this operation needs a valid access token (Authorization: Bearer …)', { headers: { 'www-authenticate': 'Bearer realm="Fusio"' } }))
    })
  }
  for (const operation of PRODUCT_OPERATIONS) {
    const handler = handlers[operation.id]
    if (!handler) throw new FusioError('FUSIO_ERR_CONFIG_INVALID', `product operation ${operation.id} has no handler`)
    unused.delete(operation.id)
    // The token endpoint checks its own body, to answer in OAuth's error shape.
    const validator = operation.body && operation.id !== 'authorization.token' ? context.settings.validators[operation.body] : undefined
    if (operation.body && operation.id !== 'authorization.token' && !validator) {
      throw new FusioError('FUSIO_ERR_CONFIG_INVALID', `the validator of ${operation.body} was not generated; rebuild the service`)
    }
    const status = operation.status ?? 200
    const hooks = [...(operation.perIp ? [perIp(context, operation.id, operation.perIp)] : []), ...(operation.access === 'public' ? [] : [operation.access === 'token' ? anyToken : createAuthenticate({ public: false, scopes: [operation.access] }, context.verifier)])]
    app.route({
      method: operation.method,
      url: operation.path,
      ...(validator ? { schema: { body: new Precompiled(validator) } } : {}),
      onRequest: hooks,
      handler: async (request, reply) => {
        reply.header('cache-control', 'no-store')
        const result = await handler(request, reply, context)
        if (reply.sent) return reply
        if (status !== 200 && reply.statusCode === 200) reply.code(status)
        return result
      },
    })
  }
  if (unused.size > 0) throw new FusioError('FUSIO_ERR_CONFIG_INVALID', `handlers without a product operation: ${[...unused].join(', ')}`)
}

/** Limits how often one IP may call an operation that sends mail or stores rows for anyone. */
function perIp(context: ProductContext, id: string, rule: { limit: number; windowSeconds: number }): onRequestHookHandler {
  return async (request) => {
    const { count, resetMs } = await context.counters.hit(`product:${id}:${request.ip}`, rule.windowSeconds)
    if (count > rule.limit) {
      const retry = Math.ceil(resetMs / 1000)
      throw new FusioError('FUSIO_ERR_RATE_LIMITED', `at most ${rule.limit} calls per ${rule.windowSeconds} s from one address; try again in ${retry} s`, {
        headers: { 'retry-after': String(retry) },
      })
    }
  }
}
