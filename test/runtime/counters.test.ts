/** Rate-limit counters: fixed windows in memory, Redis shared by two clients, and the fallback when the shared store fails. */
import { randomUUID } from 'node:crypto'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { memoryCounters, redisCounters, withFallback, type Counters } from '../../runtime-min/lifecycle/counters.js'
import { grantScopes } from '../../runtime-min/product/tokens.js'
import { probeService, SERVICES } from '../helpers/services.js'

const redis = await probeService('redis')
const opened: Counters[] = []
afterAll(async () => {
  await Promise.all(opened.map((c) => c.close()))
})

describe('memory counters', () => {
  it('count per key within a window and start again in the next one', async () => {
    vi.useFakeTimers({ now: 1_800_000_000_000 })
    const counters = memoryCounters()
    opened.push(counters)
    expect(await counters.hit('a', 60)).toEqual({ count: 1, resetMs: 60_000 - (1_800_000_000_000 % 60_000) })
    expect((await counters.hit('a', 60)).count).toBe(2)
    expect((await counters.peek('a', 60)).count).toBe(2)
    expect((await counters.hit('b', 60)).count).toBe(1)
    vi.advanceTimersByTime(60_000)
    expect((await counters.peek('a', 60)).count).toBe(0)
    expect((await counters.hit('a', 60)).count).toBe(1)
    vi.useRealTimers()
  })
})

describe(`Redis counters${redis.reason}`, () => {
  it.skipIf(!redis.available)('are shared by two clients of one prefix', async () => {
    const prefix = `fusio-test-${randomUUID()}`
    const one = await redisCounters(SERVICES.redis.url, prefix)
    const two = await redisCounters(SERVICES.redis.url, prefix)
    opened.push(one, two)
    expect((await one.hit('k', 60)).count).toBe(1)
    expect((await two.hit('k', 60)).count).toBe(2)
    expect((await one.peek('k', 60)).count).toBe(2)
  })
})

describe('counters with a fallback', () => {
  it('count locally while the shared store fails, and leave it alone for a pause', async () => {
    let calls = 0
    const broken: Counters = {
      shared: true,
      hit: async () => {
        calls++
        throw new Error('down')
      },
      peek: async () => {
        throw new Error('down')
      },
      close: async () => {},
    }
    const warnings: unknown[] = []
    const counters = withFallback(broken, memoryCounters(), (error) => warnings.push(error), 60_000)
    opened.push(counters)
    expect((await counters.hit('k', 60)).count).toBe(1)
    expect((await counters.hit('k', 60)).count).toBe(2)
    expect(calls).toBe(1)
    expect(warnings).toHaveLength(1)
  })
})

describe('grantScopes', () => {
  it('gives what is asked when every allowed set covers it, a dot-less scope covering its sub-scopes', () => {
    expect(grantScopes(['todo.write'], ['todo', 'other'], ['todo'])).toEqual(['todo.write'])
    expect(grantScopes(undefined, ['a', 'b', 'c'], ['b', 'c', 'd'])).toEqual(['b', 'c'])
    expect(() => grantScopes(['backend'], ['todo'])).toThrow('"backend" not allowed')
    expect(() => grantScopes(['todo'], ['todo.write'])).toThrow('not allowed')
  })
})
