/** onClose: after Fastify has drained in-flight requests, every connection is closed. */
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { ConnectionSet } from '../connections/registry.js'

export const shutdownPlugin = fp(
  async (app: FastifyInstance, options: { connections: ConnectionSet }) => {
    app.addHook('onClose', async () => {
      await options.connections.closeAll()
    })
  },
  { name: 'fusio-shutdown' },
)
