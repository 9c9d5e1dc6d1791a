/**
 * Fixed-window counters for rate limits and login throttling: in memory, or in Redis when
 * FUSIO_REDIS_URL is set so that every instance counts against one limit. A window is aligned to
 * the epoch, so all instances agree on where it starts; its key expires with it.
 */
import type { Redis } from 'ioredis'
import { redisConnection } from '../connections/redis.js'
import type { Connection } from '../types.js'

export interface WindowCount {
  readonly count: number
  /** Milliseconds until the window ends. */
  readonly resetMs: number
}

export interface Counters {
  readonly shared: boolean
  /** Counts one more call in the current window of `windowSeconds`. */
  hit(key: string, windowSeconds: number): WindowCount | Promise<WindowCount>
  /** The current count without adding to it. */
  peek(key: string, windowSeconds: number): WindowCount | Promise<WindowCount>
  close(): Promise<void>
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
    hit: (key, windowSeconds) => read(key, windowSeconds, 1),
    peek: (key, windowSeconds) => read(key, windowSeconds, 0),
    async close() {
      clearInterval(sweep)
      counts.clear()
    },
  }
}

// One round trip: the first hit of a window sets its expiry.
const HIT = "local c = redis.call('INCR', KEYS[1]) if c == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end return c"

export async function redisCounters(url: string): Promise<Counters> {
  const connection = (await redisConnection.create({ url })) as Connection<Redis>
  const client = connection.client
  client.defineCommand('fusioHit', { numberOfKeys: 1, lua: HIT })
  const hitCommand = client as Redis & { fusioHit(key: string, ttl: number): Promise<number> }
  return {
    shared: true,
    async hit(key, windowSeconds) {
      const { index, resetMs, length } = window(windowSeconds)
      const count = await hitCommand.fusioHit(`fusio:count:${key}#${index}`, length)
      return { count: Number(count), resetMs }
    },
    async peek(key, windowSeconds) {
      const { index, resetMs } = window(windowSeconds)
      const value = await client.get(`fusio:count:${key}#${index}`)
      return { count: Number(value ?? 0), resetMs }
    },
    close: () => connection.close(),
  }
}

/** Redis when FUSIO_REDIS_URL is set, memory otherwise. */
export function createCounters(env: Readonly<Record<string, string | undefined>>): Counters | Promise<Counters> {
  return env.FUSIO_REDIS_URL ? redisCounters(env.FUSIO_REDIS_URL) : memoryCounters()
}
