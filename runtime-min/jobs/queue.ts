/**
 * The durable queue behind `async: true` actions: the caller gets 202 once the job row is stored in
 * the service database (FUSIO_DATABASE_URL; SQLite under .fusio/ by default), and workers in every
 * instance claim jobs with a lease. A job whose worker died is claimed again when its lease runs out,
 * so a restart loses nothing; a failing job is retried with growing pauses, then kept as `failed`.
 */
import { randomUUID } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { FastifyBaseLogger } from 'fastify'
import type { SqlConnection } from '../connections/sql.js'
import type { RuntimeEnvironment } from '../config.js'
import type { ServiceDatabase } from '../service-database.js'
import type { ActionRequest } from '../types.js'
import { withSqlErrors } from '../actions/sql-shared.js'

/** What a worker needs to run a job again later: the request as the action saw it, minus credential headers. */
export interface Job {
  readonly id: string
  readonly action: string
  readonly request: ActionRequest
  readonly attempts: number
}

export interface JobQueue {
  enqueue(action: string, request: ActionRequest): Promise<string>
  /** Starts claiming jobs; `run` executes one and throws to have it retried. */
  start(run: (job: Job) => Promise<void>): void
  /** Stops claiming and waits for running jobs (the service database closes after). */
  stop(): Promise<void>
  readonly connection: SqlConnection
}

export interface QueueOptions {
  readonly concurrency: number
  /** Seconds a claimed job stays with its worker before another may take it. */
  readonly leaseSeconds: number
  readonly maxAttempts: number
  readonly pollMs: number
}

const TABLE = 'fusio_job'
/** Headers that look like credentials are not written to the job table. */
const NOT_STORED = /authorization|cookie|token|secret|password|api-?key|session/i

export function queueOptions(env: RuntimeEnvironment['env']): QueueOptions {
  const number = (name: string, fallback: number) => (Number(env[name]) > 0 ? Number(env[name]) : fallback)
  return {
    concurrency: number('FUSIO_JOB_CONCURRENCY', 4),
    leaseSeconds: number('FUSIO_JOB_LEASE', 300),
    maxAttempts: number('FUSIO_JOB_ATTEMPTS', 3),
    pollMs: number('FUSIO_JOB_POLL_MS', 1000),
  }
}

async function createTable(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable(TABLE)
    .ifNotExists()
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('action', 'varchar(255)', (c) => c.notNull())
    .addColumn('request', 'text', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('available_at', 'bigint', (c) => c.notNull())
    .addColumn('locked_until', 'bigint')
    .addColumn('error', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('fusio_job_due').ifNotExists().on(TABLE).columns(['status', 'available_at']).execute()
}

function storable(request: ActionRequest): ActionRequest {
  const headers = Object.fromEntries(Object.entries(request.headers).filter(([name]) => !NOT_STORED.test(name)))
  return { ...request, headers }
}

export async function createJobQueue(database: ServiceDatabase, log: FastifyBaseLogger, options: QueueOptions): Promise<JobQueue> {
  const connection = await database.get()
  let ready: Promise<void> | undefined
  const db = async (): Promise<Kysely<any>> => {
    // Created on first use, and again after a failure (the database may have been down).
    ready ??= createTable(connection.client).catch((error: unknown) => {
      ready = undefined
      throw error
    })
    await ready
    return connection.client
  }
  const running = new Set<Promise<void>>()
  let pumping: Promise<void> | undefined
  let timer: NodeJS.Timeout | undefined
  let stopped = true
  let wake = () => {}

  /** Takes one due job, or a running one whose lease expired; the conditional update decides races between instances. */
  async function claim(): Promise<Job | undefined> {
    const now = Date.now()
    const client = await db()
    for (;;) {
      const candidate = await client
        .selectFrom(TABLE)
        .select(['id', 'action', 'request', 'attempts', 'status'])
        .where((eb) => eb.or([eb.and([eb('status', '=', 'queued'), eb('available_at', '<=', now)]), eb.and([eb('status', '=', 'running'), eb('locked_until', '<', now)])]))
        .orderBy('available_at')
        .limit(1)
        .executeTakeFirst()
      if (!candidate) return undefined
      // A job whose worker died on its last attempt (it may be what kills workers) is not run again.
      if (candidate.status === 'running' && Number(candidate.attempts) >= options.maxAttempts) {
        await client
          .updateTable(TABLE)
          .set({ status: 'failed', locked_until: null, error: 'its worker stopped during the last attempt' })
          .where('id', '=', candidate.id)
          .where('status', '=', 'running')
          .where('attempts', '=', candidate.attempts)
          .execute()
        continue
      }
      const result = await client
        .updateTable(TABLE)
        .set({ status: 'running', locked_until: now + options.leaseSeconds * 1000, attempts: Number(candidate.attempts) + 1 })
        .where('id', '=', candidate.id)
        .where('status', '=', candidate.status)
        .where('attempts', '=', candidate.attempts)
        .executeTakeFirst()
      if (result.numUpdatedRows === 1n) {
        return { id: candidate.id, action: candidate.action, request: JSON.parse(candidate.request), attempts: Number(candidate.attempts) + 1 }
      }
    }
  }

  async function release(job: Job): Promise<void> {
    const client = await db()
    await client.updateTable(TABLE).set({ status: 'queued', locked_until: null, attempts: job.attempts - 1 }).where('id', '=', job.id).where('attempts', '=', job.attempts).execute()
  }

  /** Extends the lease while the job runs, so only a worker that died loses its job. */
  function keepLease(job: Job): NodeJS.Timeout {
    const timer = setInterval(() => {
      db()
        .then((client) =>
          client
            .updateTable(TABLE)
            .set({ locked_until: Date.now() + options.leaseSeconds * 1000 })
            .where('id', '=', job.id)
            .where('attempts', '=', job.attempts)
            .execute(),
        )
        .catch((error: unknown) => log.warn({ err: error, job: job.id }, 'cannot extend the job lease'))
    }, (options.leaseSeconds * 1000) / 3)
    timer.unref()
    return timer
  }

  /** Records the outcome, unless the job was taken over (its lease ran out) in the meantime. */
  async function finish(job: Job, error: unknown): Promise<void> {
    const client = await db()
    const mine = client.updateTable(TABLE).where('id', '=', job.id).where('attempts', '=', job.attempts)
    if (error === undefined) {
      await mine.set({ status: 'done', locked_until: null, error: null }).execute()
      return
    }
    const message = error instanceof Error ? error.message : String(error)
    const last = job.attempts >= options.maxAttempts
    log.warn({ job: job.id, action: job.action, attempt: job.attempts, err: error }, last ? 'async action failed for good' : 'async action failed, will retry')
    await mine.set({ status: last ? 'failed' : 'queued', locked_until: null, error: message, available_at: Date.now() + 1000 * 2 ** job.attempts }).execute()
  }

  return {
    connection,
    async enqueue(action, request) {
      const id = randomUUID()
      const now = Date.now()
      // A service database that is down is a 503, as for any SQL connection.
      await withSqlErrors(async () =>
        (await db()).insertInto(TABLE).values({ id, action, request: JSON.stringify(storable(request)), status: 'queued', attempts: 0, available_at: now, created_at: now }).execute(),
      )
      wake()
      return id
    },
    start(run) {
      stopped = false
      const pump = async (): Promise<void> => {
        while (!stopped && running.size < options.concurrency) {
          const job = await claim()
          if (!job) return
          if (stopped) {
            // Claimed while the queue was stopping: handed back untouched for the next worker.
            await release(job)
            return
          }
          const heartbeat = keepLease(job)
          const work = run(job).finally(() => clearInterval(heartbeat)).then(
            () => finish(job, undefined),
            (error: unknown) => finish(job, error ?? new Error('failed')),
          )
          const tracked = work.catch((error: unknown) => log.error({ err: error, job: job.id }, 'job bookkeeping failed')).finally(() => {
            running.delete(tracked)
            wake()
          })
          running.add(tracked)
        }
      }
      wake = () => {
        if (stopped || pumping) return
        pumping = pump()
          .catch((error: unknown) => log.warn({ err: error }, 'job queue unavailable, trying again'))
          .finally(() => {
            pumping = undefined
          })
      }
      const tick = () => {
        wake()
        timer = setTimeout(tick, options.pollMs)
        // Polling alone never keeps the process alive.
        timer.unref()
      }
      tick()
    },
    async stop() {
      stopped = true
      if (timer) clearTimeout(timer)
      // A claim in progress finishes (and hands its job back) before the connections close.
      await pumping
      await Promise.allSettled([...running])
    },
  }
}
