// The throughput bench's API written the way a user would without fusio-ts: Express 5, requests checked
// by express-openapi-validator against the generated service's OpenAPI document, kysely, undici, jose
// and express-rate-limit.
// Usage: DATABASE_URL=sqlite:///… | postgres://… UPSTREAM_URL=… JWT_SECRET=… OPENAPI_FILE=dist/openapi.json PORT=… node bench/baselines/express.mjs
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import express from 'express'
import * as OpenApiValidator from 'express-openapi-validator'
import { rateLimit } from 'express-rate-limit'
import { jwtVerify } from 'jose'
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely'
import { Agent } from 'undici'

const url = process.env.DATABASE_URL
const sqlite = url.startsWith('sqlite:')
let dialect
if (sqlite) {
  const { default: Database } = await import('better-sqlite3')
  const database = new Database(url.replace(/^sqlite:\/\/\//, ''))
  // WAL and NORMAL sync, as the generated service opens SQLite: inserts do not wait for a full fsync.
  database.pragma('journal_mode = WAL')
  database.pragma('synchronous = NORMAL')
  dialect = new SqliteDialect({ database })
} else {
  const { default: pg } = await import('pg')
  // numeric as a number and zone-less timestamps as text (read as UTC below), as the generated service answers.
  pg.types.setTypeParser(1700, Number)
  pg.types.setTypeParser(1114, (text) => text)
  dialect = new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 10 }) })
}
const db = new Kysely({ dialect })
const agent = new Agent({ connections: 64 })
const upstream = new URL(process.env.UPSTREAM_URL)
const key = new TextEncoder().encode(process.env.JWT_SECRET)

const item = { id: 1, name: 'bench', price: 9.5, tags: ['a', 'b', 'c'], active: true }
const accepted = { success: true, message: 'accepted' }

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

// SQLite keeps booleans as 0/1 and times as zone-less text: one JSON shape on both databases.
const row = (r) => ({ ...r, active: r.active === null ? null : Boolean(r.active), created_at: r.created_at === null ? null : new Date(`${r.created_at.replace(' ', 'T')}Z`).toISOString() })
app.get('/item', async (request, response) => {
  const startIndex = Math.max(0, Number(request.query.startIndex) || 0)
  const count = Math.min(Math.max(Number(request.query.count) || 16, 1), 16)
  const total = await db.selectFrom('bench_item').select((eb) => eb.fn.countAll().as('total')).executeTakeFirst()
  const rows = await db.selectFrom('bench_item').selectAll().orderBy('id', 'desc').limit(count).offset(startIndex).execute()
  response.json({ totalResults: Number(total.total), itemsPerPage: count, startIndex, entry: rows.map(row) })
})
app.post('/item', async (request, response) => {
  const { name, price, active } = request.body
  // better-sqlite3 cannot bind booleans.
  const values = active === undefined ? { name, price } : { name, price, active: sqlite ? Number(active) : active }
  const { id } = await db.insertInto('bench_item').values(values).returning('id').executeTakeFirstOrThrow()
  response.status(201).json({ success: true, message: 'Entry successfully created', id })
})

// The same request upstream as the generated proxy sends: the client's headers minus hop-by-hop ones
// and credentials, and Fusio's context headers.
const dropped = new Set(['connection', 'keep-alive', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host', 'authorization', 'cookie', 'content-length', 'user-agent', 'accept-encoding'])
app.get('/users/:id', async (request, response) => {
  const headers = {}
  for (const [name, value] of Object.entries(request.headers)) if (!dropped.has(name) && !name.startsWith('x-fusio-')) headers[name] = value
  headers['x-fusio-operation-id'] = 'user.get'
  headers['x-fusio-user-anonymous'] = '1'
  headers['x-fusio-remote-ip'] = request.ip
  headers['x-request-id'] = randomUUID()
  headers['x-forwarded-for'] = request.ip
  headers['x-forwarded-host'] = request.headers.host
  headers['user-agent'] = 'fusio-ts'
  const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : ''
  let upstreamResponse
  try {
    upstreamResponse = await agent.request({ origin: upstream.origin, path: `/users/${encodeURIComponent(request.params.id)}${query}`, method: 'GET', headers })
  } catch {
    // An upstream that cannot be reached is a bad gateway (502, as the generated service answers), not our 500.
    return response.status(502).json({ error: 'upstream unavailable' })
  }
  // setHeader, not set: Express would append a charset to the upstream's content type.
  response.status(upstreamResponse.statusCode).setHeader('content-type', upstreamResponse.headers['content-type'])
  response.end(Buffer.from(await upstreamResponse.body.arrayBuffer()))
})

async function authenticate(request, response, next) {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')
  if (!match) return response.status(401).set('www-authenticate', 'Bearer').json({ error: 'token missing' })
  let payload
  try {
    ;({ payload } = await jwtVerify(match[1], key, { algorithms: ['HS256'], requiredClaims: ['sub', 'exp'] }))
  } catch {
    return response.status(401).set('www-authenticate', 'Bearer error="invalid_token"').json({ error: 'token invalid' })
  }
  const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ') : []
  if (!scopes.includes('bench')) return response.status(403).json({ error: 'scope bench missing' })
  request.user = payload
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
    server.close(() => Promise.all([db.destroy(), agent.close()]).then(() => process.exit(0)))
    server.closeIdleConnections()
  })
}
