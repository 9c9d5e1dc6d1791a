/**
 * preClose / onSend / onClose: while Fastify drains in-flight requests, their responses carry
 * `Connection: close` so keep-alive sockets end with them; then every connection is closed.
 */
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { ConnectionSet } from '../connections/registry.js'

export const shutdownPlugin = fp(
  async (app: FastifyInstance, options: { connections: ConnectionSet }) => {
    let draining = false
    app.addHook('preClose', (done) => {
      draining = true
      done()
    })
    app.addHook('onSend', (_request, reply, payload, done) => {
      if (draining) reply.header('connection', 'close')
      done(null, payload)
    })
    app.addHook('onClose', async () => {
      await options.connections.closeAll()
    })
  },
  { name: 'fusio-shutdown' },
)
