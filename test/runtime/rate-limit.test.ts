/** Which rate applies to a call: allocation by operation, plan, app and authenticated, highest priority first. */
import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from 'fastify'
import { describe, expect, it } from 'vitest'
import { memoryCounters } from '../../runtime-min/lifecycle/counters.js'
import { createRateLimit } from '../../runtime-min/lifecycle/rate-limit.js'
import { sameWindow } from '../helpers/service.js'
import type { Principal, RateDefinition } from '../../runtime-min/types.js'

const RATES: RateDefinition[] = [
  { name: 'Partner', priority: 9, limit: 1000, windowSeconds: 60, allocations: [{ app: 'partner-app' }] },
  { name: 'Search', priority: 5, limit: 2, windowSeconds: 60, allocations: [{ operation: 'todo.search' }] },
  { name: 'Pro', priority: 3, limit: 100, windowSeconds: 60, allocations: [{ plan: 'Pro', authenticated: true }] },
  { name: 'Anonymous', priority: 2, limit: 5, windowSeconds: 60, allocations: [{ authenticated: false }] },
  { name: 'Default', priority: 0, limit: 10, windowSeconds: 60, allocations: [] },
]

const log = { warn() {} } as unknown as FastifyBaseLogger

/** Runs the hook for one call and returns the limit it applied (and whether it refused). */
function run(operationId: string, principal?: Partial<Principal> & { plan?: string }, ip = '10.0.0.1') {
  const hook = createRateLimit({ operationId }, RATES, counters, log)
  if (!hook) return Promise.resolve({ limit: undefined, refused: false })
  const headers: Record<string, unknown> = {}
  const reply = { header: (name: string, value: unknown) => ((headers[name] = value), reply) } as unknown as FastifyReply
  const request = {
    ip,
    fusioUser: principal ? { subject: principal.subject ?? '1', scopes: [], claims: { plan: principal.plan }, ...(principal.clientId ? { clientId: principal.clientId } : {}) } : undefined,
  } as unknown as FastifyRequest
  return new Promise<{ limit: unknown; refused: boolean }>((resolve) =>
    (hook as (q: FastifyRequest, r: FastifyReply, d: (e?: Error) => void) => void)(request, reply, (error) => resolve({ limit: headers['ratelimit-limit'], refused: Boolean(error) })),
  )
}

const counters = memoryCounters()

describe('rate allocation', () => {
  it('picks the matching rate with the highest priority', async () => {
    expect((await run('todo.getAll', { clientId: 'partner-app', plan: 'Pro' })).limit).toBe(1000)
    expect((await run('todo.getAll', { clientId: 'other', plan: 'Pro' })).limit).toBe(100)
    expect((await run('todo.getAll', { clientId: 'other', plan: 'Free' })).limit).toBe(10)
    expect((await run('todo.getAll')).limit).toBe(5)
    expect((await run('todo.search', { clientId: 'other', plan: 'Pro' })).limit).toBe(2)
  })

  it('counts per user and app with a token and per IP without, across the operations of a rate', async () => {
    await sameWindow(60)
    const calls = []
    for (let i = 0; i < 3; i++) calls.push((await run('todo.search', { subject: '7', clientId: 'c' })).refused)
    expect(calls).toEqual([false, false, true])
    expect((await run('todo.search', { subject: '8', clientId: 'c' })).refused).toBe(false)
    const anonymous = []
    for (let i = 0; i < 6; i++) anonymous.push((await run(i % 2 ? 'todo.getAll' : 'todo.get', undefined, '10.9.9.9')).refused)
    expect(anonymous).toEqual([false, false, false, false, false, true])
    expect((await run('todo.get', undefined, '10.9.9.10')).refused).toBe(false)
  })
})
