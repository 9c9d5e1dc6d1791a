/** routes: /health (the process is up) and /ready (every connection answers; 503 otherwise). */
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { FusioError } from '../errors.js'
import type { ConnectionSet } from '../connections/registry.js'
import { sendProblem } from './problem.js'

export const healthPlugin = fp(
  async (app: FastifyInstance, options: { connections: ConnectionSet }) => {
    app.get('/health', async () => ({ status: 'ok' }))
    app.get('/ready', async (request, reply) => {
      const checks: Record<string, string> = {}
      let ready = true
      await Promise.all(
        options.connections.entries().map(async ([name, connection]) => {
          try {
            await connection.ping()
            checks[name] = 'ok'
          } catch (error) {
            ready = false
            checks[name] = error instanceof Error ? error.message : 'unavailable'
          }
        }),
      )
      if (!ready) {
        const failing = Object.keys(checks).filter((k) => checks[k] !== 'ok')
        return sendProblem(request, reply, new FusioError('FUSIO_ERR_CONNECTION_UNAVAILABLE', `not ready: ${failing.join(', ')} unavailable`))
      }
      return { status: 'ready', connections: checks }
    })
  },
  { name: 'fusio-health', dependencies: ['fusio-problem'] },
)
