/**
 * preClose / onRequest / onSend / onClose: while Fastify drains in-flight requests, their responses
 * carry `Connection: close` so keep-alive sockets end with them, new requests get a 503 problem, and
 * then every connection is closed.
 */
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { FusioError } from '../errors.js'
import type { ConnectionSet } from '../connections/registry.js'

export const shutdownPlugin = fp(
  async (app: FastifyInstance, options: { connections: ConnectionSet }) => {
    let draining = false
    app.addHook('preClose', (done) => {
      draining = true
      done()
    })
    // Requests that reach a draining service (on kept-alive sockets) get a 503 problem, not Fastify's plain one.
    app.addHook('onRequest', (_request, _reply, done) => {
      done(draining ? new FusioError('FUSIO_ERR_SHUTTING_DOWN', 'the service is shutting down; retry against another instance') : undefined)
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
