/**
 * onRequest: cross-origin requests as `service.cors` allows them (@fastify/cors). Preflights are
 * answered before authentication; an OPTIONS without Access-Control-Request-Method is no preflight
 * and reaches the route, which answers `Allow`. Scripts may read the headers clients need
 * (request id, rate limit state, Retry-After, Location).
 */
import cors, { type FastifyCorsOptions } from '@fastify/cors'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { CorsDefinition } from '../types.js'

const ALLOWED = ['Accept', 'Accept-Language', 'Authorization', 'Content-Language', 'Content-Type', 'X-Request-Id']
const EXPOSED = ['Location', 'Retry-After', 'RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset', 'X-Operation-Id', 'X-Request-Id', 'X-Stability', 'Warning']

export const corsPlugin = fp(
  async (app: FastifyInstance, definition: CorsDefinition) => {
    const options: FastifyCorsOptions = {
      origin: definition.origins === '*' ? '*' : [...definition.origins],
      credentials: definition.credentials ?? false,
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
      allowedHeaders: [...ALLOWED, ...(definition.headers ?? [])],
      exposedHeaders: [...EXPOSED, ...(definition.exposeHeaders ?? [])],
      ...(definition.maxAge !== undefined ? { maxAge: definition.maxAge } : {}),
      strictPreflight: false,
    }
    const plain: FastifyCorsOptions = { ...options, preflight: false }
    await app.register(cors, () => (request: FastifyRequest, callback: (error: Error | null, options: FastifyCorsOptions) => void) => callback(null, request.headers['access-control-request-method'] ? options : plain))
  },
  { name: 'fusio-cors' },
)
