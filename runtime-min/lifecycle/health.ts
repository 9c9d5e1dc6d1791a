/**
 * routes: /health (the process is up) and /ready (every connection answers; 503 otherwise).
 * checkConnections is also what Fusio's /system/health reports (system.ts).
 */
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { FusioError } from '../errors.js'
import type { ConnectionSet } from '../connections/registry.js'
import { sendProblem } from './problem.js'

/** Fusio's health result: healthy when every connection answers its ping. */
export interface HealthReport {
  readonly healthy: boolean
  readonly checks: Readonly<Record<string, { readonly healthy: boolean; readonly error?: string }>>
}

/** Pings every connection at once; a failing one carries its error message. */
export async function checkConnections(connections: ConnectionSet): Promise<HealthReport> {
  const results = await Promise.all(
    connections.entries().map(async ([name, connection]) => {
      try {
        await connection.ping()
        return [name, { healthy: true }] as const
      } catch (error) {
        return [name, { healthy: false, error: error instanceof Error ? error.message : 'unavailable' }] as const
      }
    }),
  )
  return { healthy: results.every(([, check]) => check.healthy), checks: Object.fromEntries(results) }
}

export const healthPlugin = fp(
  async (app: FastifyInstance, options: { connections: ConnectionSet }) => {
    app.get('/health', async () => ({ status: 'ok' }))
    app.get('/ready', async (request, reply) => {
      const report = await checkConnections(options.connections)
      if (!report.healthy) {
        const failing = Object.keys(report.checks).filter((name) => !report.checks[name].healthy)
        return sendProblem(request, reply, new FusioError('FUSIO_ERR_CONNECTION_UNAVAILABLE', `not ready: ${failing.join(', ')} unavailable`))
      }
      return { status: 'ready', connections: Object.fromEntries(Object.keys(report.checks).map((name) => [name, 'ok'])) }
    })
  },
  { name: 'fusio-health', dependencies: ['fusio-problem'] },
)
