// The throughput bench's API written the way a user would without fusio-ts: Express 5, requests checked
// by express-openapi-validator against the generated service's OpenAPI document, kysely, undici, jose
// and express-rate-limit.
// Usage: DATABASE_URL=sqlite:///… | postgres://… UPSTREAM_URL=… JWT_SECRET=… OPENAPI_FILE=dist/openapi.json PORT=… node bench/baselines/express.mjs
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import express from 'express'
import * as OpenApiValidator from 'express-openapi-validator'
import { rateLimit } from 'express-rate-limit'
import { accepted, closeAgent, insertItem, item, listItems, openDatabase, proxyUser, verifyBearer } from './shared.mjs'

const database = await openDatabase(process.env.DATABASE_URL)
const upstream = new URL(process.env.UPSTREAM_URL).origin
const key = new TextEncoder().encode(process.env.JWT_SECRET)

const app = express()
// Neither the generated service nor Fastify sends these; computing an ETag hashes every body.
app.disable('x-powered-by')
app.disable('etag')
app.use(express.json())
app.use(
  OpenApiValidator.middleware({
    apiSpec: JSON.parse(readFileSync(process.env.OPENAPI_FILE, 'utf8')),
    validateRequests: { allowUnknownQueryParameters: true },
    validateResponses: false,
    validateSecurity: false,
  }),
)

app.get('/static', (request, response) => response.json(item))
app.post('/small', (request, response) => response.json(accepted))
app.post('/large', (request, response) => response.json(accepted))
app.get('/search', (request, response) => response.json(accepted))

app.get('/item', async (request, response) => response.json(await listItems(database, request.query)))
app.post('/item', async (request, response) => response.status(201).json(await insertItem(database, request.body)))
app.get('/users/:id', async (request, response) => {
  // Express has no request id of its own: a random one.
  const upstreamResponse = await proxyUser(upstream, { id: request.params.id, url: request.url, headers: request.headers, ip: request.ip, requestId: randomUUID() })
  // An upstream that cannot be reached is a bad gateway (502, as the generated service answers), not our 500.
  if (!upstreamResponse) return response.status(502).json({ error: 'upstream unavailable' })
  // setHeader, not set: Express would append a charset to the upstream's content type.
  response.status(upstreamResponse.statusCode).setHeader('content-type', upstreamResponse.contentType)
  response.end(upstreamResponse.body)
})

async function authenticate(request, response, next) {
  const checked = await verifyBearer(request.headers.authorization, key)
  if (!checked.payload) return response.status(checked.status).set(checked.challenge ? { 'www-authenticate': checked.challenge } : {}).json({ error: checked.error })
  request.user = checked.payload
  next()
}
// Keyed by user and app, after authentication; the manifest's limit (never reached) and the generated service's headers.
const limit = rateLimit({ windowMs: 60 * 60 * 1000, limit: 1_000_000_000, standardHeaders: 'draft-6', legacyHeaders: false, keyGenerator: (request) => `${request.user.sub}:${request.user.client_id ?? ''}` })
app.get('/private', authenticate, limit, (request, response) => response.json(item))

// Validation (and JSON parse) errors carry a status; anything else is the server's fault.
app.use((error, request, response, next) => {
  response.status(error.status ?? 500).json({ message: error.message, errors: error.errors })
})

const server = app.listen(Number(process.env.PORT), '127.0.0.1')
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, () => {
    server.close(() => Promise.all([database.db.destroy(), closeAgent()]).then(() => process.exit(0)))
    server.closeIdleConnections()
  })
}
