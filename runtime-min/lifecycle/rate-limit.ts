/**
 * onRequest, after authentication: the rate limit of Fusio's `rate` section. The matching rate with
 * the highest priority applies (allocation by operation, plan, app, authenticated); callers are
 * counted per user and app with a token, per IP without one, across all operations of that rate.
 * Answers carry RateLimit-Limit/-Remaining/-Reset; over the limit is a 429 problem with Retry-After.
 * Counting never reads the usage log. Counters that fail (they fall back to memory first, see
 * counters.ts) let the call pass with a warning rather than fail it.
 */
import type { FastifyBaseLogger, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify'
import type { FusioError } from '../errors.js'
import type { Principal, RateAllocation, RateDefinition, RouteDefinition } from '../types.js'
import { overLimit, secondsLeft, type Counters, type WindowCount } from './counters.js'

function matches(allocation: RateAllocation, principal: Principal | undefined): boolean {
  if (allocation.authenticated !== undefined && allocation.authenticated !== (principal !== undefined)) return false
  if (allocation.plan !== undefined && principal?.claims.plan !== allocation.plan) return false
  if (allocation.app !== undefined && principal?.clientId !== allocation.app) return false
  return true
}

/** The rates that can apply to an operation, highest priority first (the list arrives sorted). */
export function ratesFor(operationId: string, rates: readonly RateDefinition[]): RateDefinition[] {
  return rates.filter((rate) => rate.allocations.length === 0 || rate.allocations.some((a) => a.operation === undefined || a.operation === operationId))
}

export function createRateLimit(
  route: Pick<RouteDefinition, 'operationId'>,
  rates: readonly RateDefinition[],
  counters: Counters,
  log: FastifyBaseLogger,
): onRequestHookHandler | undefined {
  const candidates = ratesFor(route.operationId, rates)
  if (candidates.length === 0) return undefined
  let lastWarning = 0
  const pick = (principal: Principal | undefined) =>
    candidates.find(
      (rate) => rate.allocations.length === 0 || rate.allocations.some((a) => (a.operation === undefined || a.operation === route.operationId) && matches(a, principal)),
    )
  const apply = (rate: RateDefinition, reply: FastifyReply, counted: WindowCount): FusioError | undefined => {
    reply.header('ratelimit-limit', rate.limit)
    reply.header('ratelimit-remaining', Math.max(0, rate.limit - counted.count))
    reply.header('ratelimit-reset', secondsLeft(counted))
    if (counted.count <= rate.limit) return undefined
    return overLimit('FUSIO_ERR_RATE_LIMITED', counted, (retry) => `rate limit exceeded: ${rate.limit} calls per ${rate.windowSeconds} s (${rate.name}); try again in ${retry} s`)
  }
  return (request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void) => {
    const principal = request.fusioUser
    const rate = pick(principal)
    if (!rate) return done()
    const caller = principal ? `u:${principal.subject}:${principal.clientId ?? ''}` : `ip:${request.ip}`
    const counted = counters.hit(`${rate.name}:${caller}`, rate.windowSeconds)
    if (!(counted instanceof Promise)) return done(apply(rate, reply, counted))
    counted.then(
      (value) => done(apply(rate, reply, value)),
      (error: unknown) => {
        if (Date.now() - lastWarning > 10_000) {
          lastWarning = Date.now()
          log.warn({ err: error }, 'rate limit counters failed; calls pass uncounted')
        }
        done()
      },
    )
  }
}
