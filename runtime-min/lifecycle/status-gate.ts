/**
 * onRequest, per operation: answers 410 for inactive (or legacy closed) operations and sets the
 * operation's headers: X-Operation-Id, X-Stability, and the legacy Warning of development/deprecated routes.
 */
import type { onRequestHookHandler } from 'fastify'
import { FusioError } from '../errors.js'
import type { RouteDefinition } from '../types.js'

export function createStatusGate(route: RouteDefinition): onRequestHookHandler {
  const headers: Record<string, string> = { 'x-operation-id': route.operationId }
  if (route.stability) headers['x-stability'] = route.stability
  if (route.warning) headers.warning = route.warning
  if (!route.active) {
    return (_request, reply, done) => {
      reply.headers(headers)
      done(new FusioError('FUSIO_ERR_OPERATION_GONE', `operation ${route.operationId} is no longer available`))
    }
  }
  return (_request, reply, done) => {
    reply.headers(headers)
    done()
  }
}
