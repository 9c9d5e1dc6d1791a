/**
 * Fixed-window counters for rate limits and login throttling: in memory, or in Redis when
 * FUSIO_REDIS_URL is set so that every instance counts against one limit (keys start with
 * FUSIO_REDIS_PREFIX, default `fusio`, so services can share a Redis). A window is aligned to the
 * epoch, so all instances agree on where it starts; its key expires with it.
 */
import type { FastifyBaseLogger } from 'fastify'
import type { Redis } from 'ioredis'
import { redisConnection } from '../connections/redis.js'
import { FusioError } from '../errors.js'
import type { Connection } from '../types.js'

export interface WindowCount {
  readonly count: number
  /** Milliseconds until the window ends. */
  readonly resetMs: number
}

export interface Counters {
  readonly shared: boolean
  /** Counts one more call (or adds `delta`, which may be negative) in the current window of `windowSeconds`. */
  hit(key: string, windowSeconds: number, delta?: number): WindowCount | Promise<WindowCount>
  /** The current count without adding to it. */
  peek(key: string, windowSeconds: number): WindowCount | Promise<WindowCount>
  close(): Promise<void>
}

/** Seconds until the window of `counted` ends: what Retry-After and RateLimit-Reset say. */
export const secondsLeft = (counted: WindowCount): number => Math.ceil(counted.resetMs / 1000)

/** The 429 problem for a call beyond a window's limit; `detail` gets the seconds until the next window. */
export function overLimit(code: 'FUSIO_ERR_RATE_LIMITED' | 'FUSIO_ERR_ACCOUNT_THROTTLED', counted: WindowCount, detail: (retry: number) => string): FusioError {
  const retry = secondsLeft(counted)
  return new FusioError(code, detail(retry), { headers: { 'retry-after': String(retry) } })
}

function window(windowSeconds: number, now = Date.now()) {
  const length = windowSeconds * 1000
  const index = Math.floor(now / length)
  return { index, resetMs: (index + 1) * length - now, length }
}

export function memoryCounters(): Counters {
  const counts = new Map<string, { count: number; ends: number }>()
  const sweep = setInterval(() => {
    const now = Date.now()
    for (const [key, entry] of counts) if (entry.ends <= now) counts.delete(key)
  }, 60_000)
  sweep.unref()
  const read = (key: string, windowSeconds: number, add: number): WindowCount => {
    const now = Date.now()
    const { index, resetMs } = window(windowSeconds, now)
    const slot = `${key}#${index}`
    let entry = counts.get(slot)
    if (!entry) {
      if (add === 0) return { count: 0, resetMs }
      entry = { count: 0, ends: now + resetMs }
      counts.set(slot, entry)
    }
    entry.count += add
    return { count: entry.count, resetMs }
  }
  return {
    shared: false,
    hit: (key, windowSeconds, delta = 1) => read(key, windowSeconds, delta),
    peek: (key, windowSeconds) => read(key, windowSeconds, 0),
    async close() {
      clearInterval(sweep)
      counts.clear()
    },
  }
}

// One round trip: the first hit of a window sets its expiry.
const HIT = "local c = redis.call('INCRBY', KEYS[1], ARGV[2]) if c == tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end return c"

export async function redisCounters(url: string, prefix: string): Promise<Counters> {
  const connection = (await redisConnection.create({ url })) as Connection<Redis>
  const client = connection.client
  client.defineCommand('fusioHit', { numberOfKeys: 1, lua: HIT })
  // Connected now rather than by the first call, which would otherwise pay for (or time out on) it.
  void connection.ping().catch(() => {})
  const hitCommand = client as Redis & { fusioHit(key: string, ttl: number, delta: number): Promise<number> }
  return {
    shared: true,
    async hit(key, windowSeconds, delta = 1) {
      const { index, resetMs, length } = window(windowSeconds)
      const count = await hitCommand.fusioHit(`${prefix}:count:${key}#${index}`, length, delta)
      return { count: Number(count), resetMs }
    },
    async peek(key, windowSeconds) {
      const { index, resetMs } = window(windowSeconds)
      const value = await client.get(`${prefix}:count:${key}#${index}`)
      return { count: Number(value ?? 0), resetMs }
    },
    close: () => connection.close(),
  }
}

/**
 * Shared counters that fall back to this instance's own while the shared store fails: limits then
 * hold per instance instead of vanishing, and nothing fails with the store. After a failure the
 * store is left alone for `pauseMs`, so calls do not each wait for it to time out.
 */
export function withFallback(shared: Counters, local: Counters, warn: (error: unknown) => void, pauseMs = 5_000): Counters {
  let pausedUntil = 0
  const guarded =
    (method: 'hit' | 'peek') =>
    async (key: string, windowSeconds: number, delta?: number): Promise<WindowCount> => {
      if (Date.now() < pausedUntil) return local[method](key, windowSeconds, delta)
      try {
        return await shared[method](key, windowSeconds, delta)
      } catch (error) {
        pausedUntil = Date.now() + pauseMs
        warn(error)
        return local[method](key, windowSeconds, delta)
      }
    }
  return {
    shared: true,
    hit: guarded('hit'),
    peek: guarded('peek'),
    async close() {
      await Promise.all([shared.close(), local.close()])
    },
  }
}

/** Redis when FUSIO_REDIS_URL is set (with this instance's memory while Redis fails), memory otherwise. */
export async function createCounters(env: Readonly<Record<string, string | undefined>>, log: FastifyBaseLogger): Promise<Counters> {
  if (!env.FUSIO_REDIS_URL) return memoryCounters()
  let lastWarning = 0
  return withFallback(await redisCounters(env.FUSIO_REDIS_URL, env.FUSIO_REDIS_PREFIX || 'fusio'), memoryCounters(), (error) => {
    if (Date.now() - lastWarning < 10_000) return
    lastWarning = Date.now()
    log.warn({ err: error }, 'Redis counters are unavailable; this instance counts alone until Redis is back')
  })
}
