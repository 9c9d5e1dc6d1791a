/**
 * The usage log: one row per call of an operation (operation, user, app, IP, method, path without
 * its query, status, duration, user agent), written off the request path in batches. Headers and
 * bodies are never stored, so neither are tokens or passwords. Old rows are pruned with the other
 * housekeeping (store.ts pruneExpired).
 */
import type { FastifyBaseLogger, FastifyReply, FastifyRequest, onResponseHookHandler } from 'fastify'
import type { Insertable, Kysely } from 'kysely'
import { prepareQuery } from '../actions/compiled-query.js'
import type { LogTable, ProductDb } from './store.js'

export interface UsageLog {
  hook(operationId: string): onResponseHookHandler
  flush(): Promise<void>
  stop(): Promise<void>
}

const BATCH = 200
const COLUMNS = ['operation', 'user_id', 'app_key', 'ip', 'method', 'path', 'status', 'duration_ms', 'user_agent', 'created_at'] as const
/** While the database is away, at most this many rows wait; older ones are dropped (and counted). */
const MAX_WAITING = 20_000

export function createUsageLog(db: ProductDb, env: Readonly<Record<string, string | undefined>>, log: FastifyBaseLogger): UsageLog {
  let waiting: Insertable<LogTable>[] = []
  // Full batches, the usual write under load, share one compiled statement of BATCH rows.
  const fullBatch = prepareQuery(
    (client, ...values) => client.insertInto('fusio_log').values(Array.from({ length: BATCH }, (_, row) => Object.fromEntries(COLUMNS.map((column, i) => [column, values[row * COLUMNS.length + i]])))),
    BATCH * COLUMNS.length,
  )
  let dropped = 0
  let writing: Promise<void> = Promise.resolve()
  const flushMs = Number(env.FUSIO_LOG_FLUSH_MS) > 0 ? Number(env.FUSIO_LOG_FLUSH_MS) : 1000

  const write = async () => {
    while (waiting.length > 0) {
      const batch = waiting.slice(0, BATCH)
      try {
        if (batch.length === BATCH) await fullBatch(db as Kysely<any>, ...batch.flatMap((row) => COLUMNS.map((column) => row[column])))
        else await db.insertInto('fusio_log').values(batch).execute()
        waiting = waiting.slice(batch.length)
      } catch (error) {
        log.warn({ err: error, waiting: waiting.length }, 'usage log rows could not be written; retrying later')
        return
      }
    }
    if (dropped > 0) {
      log.warn({ dropped }, 'usage log rows were dropped while the database was unavailable')
      dropped = 0
    }
  }
  let scheduled = false
  // One write in the queue at a time: rows that arrive meanwhile go with it or with the next one.
  const flush = () => {
    if (scheduled) return writing
    scheduled = true
    writing = writing.then(() => {
      scheduled = false
      return write()
    })
    return writing
  }
  const timer = setInterval(() => void flush(), flushMs)
  timer.unref()

  return {
    hook(operationId) {
      return (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
        const principal = request.fusioUser
        const url = request.url
        const query = url.indexOf('?')
        const agent = request.headers['user-agent']
        waiting.push({
          operation: operationId,
          user_id: principal && /^\d+$/.test(principal.subject) ? Number(principal.subject) : null,
          app_key: principal?.clientId?.slice(0, 64) ?? null,
          ip: request.ip.slice(0, 64),
          method: request.method,
          path: (query < 0 ? url : url.slice(0, query)).slice(0, 1024),
          status: reply.statusCode,
          duration_ms: Math.round(reply.elapsedTime),
          user_agent: typeof agent === 'string' ? agent.slice(0, 255) : null,
          created_at: Date.now(),
        })
        if (waiting.length > MAX_WAITING) {
          dropped += waiting.length - MAX_WAITING
          waiting = waiting.slice(waiting.length - MAX_WAITING)
        }
        if (waiting.length >= BATCH) void flush()
        done()
      }
    },
    flush,
    async stop() {
      clearInterval(timer)
      await flush()
    },
  }
}
