/**
 * onRequest, first step of each operation: answers 410 for inactive (or legacy closed) operations and
 * sets the operation's headers: X-Operation-Id, X-Stability, and the legacy Warning of
 * development/deprecated routes. Undefined means the call goes on.
 */
import type { FastifyReply } from 'fastify'
import { FusioError } from '../errors.js'
import type { RouteDefinition } from '../types.js'

export function createStatusGate(route: RouteDefinition): (reply: FastifyReply) => FusioError | undefined {
  const headers: Record<string, string> = { 'x-operation-id': route.operationId }
  if (route.stability) headers['x-stability'] = route.stability
  if (route.warning) headers.warning = route.warning
  if (!route.active) {
    return (reply) => {
      reply.headers(headers)
      return new FusioError('FUSIO_ERR_OPERATION_GONE', `operation ${route.operationId} is no longer available`)
    }
  }
  return (reply) => {
    reply.headers(headers)
    return undefined
  }
}
