/**
 * `async: true` actions: the route answers 202 as soon as the job is stored, and the queue's
 * workers run the action later (onReady starts them; onClose lets running jobs finish first).
 */
import type { FastifyInstance } from 'fastify'
import { createJobQueue, queueOptions } from '../jobs/queue.js'
import type { ServiceDatabase } from '../service-database.js'
import { isActionResponse, responseFactory } from '../response.js'
import type { ActionHandler, Connector, ServiceDefinition } from '../types.js'

/** The handlers routes should call: async actions replaced by one that enqueues. */
export async function deferAsyncActions(
  app: FastifyInstance,
  service: ServiceDefinition,
  handlers: ReadonlyMap<string, ActionHandler>,
  database: ServiceDatabase,
  env: Readonly<Record<string, string | undefined>>,
  connector: Connector,
): Promise<ReadonlyMap<string, ActionHandler>> {
  const deferred = Object.entries(service.actions)
    .filter(([, entry]) => entry.async)
    .map(([name]) => name)
  if (deferred.length === 0) return handlers
  const log = app.log.child({ component: 'jobs' })
  const queue = await createJobQueue(database, log, queueOptions(env))
  const routed = new Map(handlers)
  for (const name of deferred) {
    routed.set(name, async (request, context) => {
      const id = await queue.enqueue(name, request)
      return context.response.build(202, {}, { success: true, message: 'Request was queued for execution', id })
    })
  }
  app.addHook('onReady', async () => {
    queue.start(async (job) => {
      const handler = handlers.get(job.action)
      if (!handler) throw new Error(`action "${job.action}" is no longer part of this service`)
      const started = Date.now()
      const jobLog = log.child({ job: job.id, action: job.action })
      const result = await handler(job.request, { operationId: job.request.operationId, requestId: job.id, connector, response: responseFactory, log: jobLog })
      // An upstream's 5xx passed through as an answer is a failure to retry, like a thrown error.
      if (isActionResponse(result) && result.statusCode >= 500) throw new Error(`the action answered ${result.statusCode}`)
      jobLog.info({ attempt: job.attempts, ms: Date.now() - started }, 'async action done')
    })
  })
  app.addHook('onClose', () => queue.stop())
  return routed
}
