// The throughput bench's API (bench/projects/throughput/.fusio.yml) written by hand with Fastify 5, the
// way a careful developer would: JSON Schemas for requests and responses, kysely, undici, jose and
// @fastify/rate-limit — the libraries the generated service uses.
// Usage: DATABASE_URL=sqlite:///… | postgres://… UPSTREAM_URL=… JWT_SECRET=… PORT=… node bench/baselines/fastify.mjs
import { readFileSync } from 'node:fs'
import rateLimit from '@fastify/rate-limit'
import Ajv from 'ajv'
import addFormats from 'ajv-formats'
import Fastify from 'fastify'
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

// The manifest's schemas.
const Item = {
  type: 'object',
  properties: { id: { type: 'integer' }, name: { type: 'string' }, price: { type: 'number' }, tags: { type: 'array', items: { type: 'string' } }, active: { type: 'boolean' } },
  required: ['id', 'name'],
}
const Message = { type: 'object', properties: { success: { type: 'boolean' }, message: { type: 'string' }, id: { type: ['string', 'integer'] } } }
const Small = {
  type: 'object',
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 100 },
    price: { type: 'number', minimum: 0 },
    tags: { type: 'array', items: { type: 'string', maxLength: 20 }, maxItems: 10 },
    active: { type: 'boolean' },
    email: { type: 'string', format: 'email' },
  },
  required: ['name', 'price'],
  additionalProperties: false,
}
const Large = JSON.parse(readFileSync(new URL('../projects/throughput/schemas/large.json', import.meta.url), 'utf8'))
const ItemCreate = {
  type: 'object',
  properties: { name: { type: 'string', minLength: 1, maxLength: 100 }, price: { type: 'number', minimum: 0 }, active: { type: 'boolean' } },
  required: ['name', 'price'],
  additionalProperties: false,
}
const Search = {
  type: 'object',
  properties: {
    q: { type: 'string', minLength: 1, maxLength: 50 },
    limit: { type: 'integer', minimum: 1, maximum: 100 },
    sort: { type: 'string', enum: ['name', 'price', 'created'] },
    active: { type: 'boolean' },
  },
  required: ['q'],
}
const Paging = { type: 'object', properties: { startIndex: { type: 'integer', minimum: 0, default: 0 }, count: { type: 'integer', minimum: 1, maximum: 16 } } }
const nullable = (type) => ({ type: [type, 'null'] })
const ItemList = {
  type: 'object',
  properties: {
    totalResults: { type: 'integer' },
    itemsPerPage: { type: 'integer' },
    startIndex: { type: 'integer' },
    entry: {
      type: 'array',
      items: { type: 'object', properties: { id: { type: 'integer' }, name: { type: 'string' }, price: nullable('number'), active: nullable('boolean'), created_at: nullable('string') } },
    },
  },
}

const item = { id: 1, name: 'bench', price: 9.5, tags: ['a', 'b', 'c'], active: true }
const accepted = { success: true, message: 'accepted' }

const app = Fastify({ logger: false })
// Bodies are checked strictly, as the generated service does (Fastify's default ajv would coerce "1" to 1
// and silently drop extra properties); query strings are text, so only they are coerced.
const ajvOptions = { useDefaults: true, removeAdditional: false, allErrors: false }
const bodyAjv = addFormats(new Ajv({ ...ajvOptions, coerceTypes: false }))
const queryAjv = addFormats(new Ajv({ ...ajvOptions, coerceTypes: 'array' }))
app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? bodyAjv : queryAjv).compile(schema))
await app.register(rateLimit, { global: false })
app.addHook('onClose', async () => Promise.all([db.destroy(), agent.close()]))

app.get('/static', { schema: { response: { 200: Item } } }, async () => item)
app.post('/small', { schema: { body: Small, response: { 200: Message } } }, async () => accepted)
app.post('/large', { schema: { body: Large, response: { 200: Message } } }, async () => accepted)
app.get('/search', { schema: { querystring: Search, response: { 200: Message } } }, async () => accepted)

// SQLite keeps booleans as 0/1 and times as zone-less text: one JSON shape on both databases.
const row = (r) => ({ ...r, active: r.active === null ? null : Boolean(r.active), created_at: r.created_at === null ? null : new Date(`${r.created_at.replace(' ', 'T')}Z`).toISOString() })
app.get('/item', { schema: { querystring: Paging, response: { 200: ItemList } } }, async (request) => {
  const startIndex = Math.max(0, Number(request.query.startIndex) || 0)
  const count = Math.min(Math.max(Number(request.query.count) || 16, 1), 16)
  const total = await db.selectFrom('bench_item').select((eb) => eb.fn.countAll().as('total')).executeTakeFirst()
  const rows = await db.selectFrom('bench_item').selectAll().orderBy('id', 'desc').limit(count).offset(startIndex).execute()
  return { totalResults: Number(total.total), itemsPerPage: count, startIndex, entry: rows.map(row) }
})
app.post('/item', { schema: { body: ItemCreate, response: { 201: Message } } }, async (request, reply) => {
  const { name, price, active } = request.body
  // better-sqlite3 cannot bind booleans.
  const values = active === undefined ? { name, price } : { name, price, active: sqlite ? Number(active) : active }
  const { id } = await db.insertInto('bench_item').values(values).returning('id').executeTakeFirstOrThrow()
  return reply.code(201).send({ success: true, message: 'Entry successfully created', id })
})

// The same request upstream as the generated proxy sends: the client's headers minus hop-by-hop ones
// and credentials, and Fusio's context headers.
const dropped = new Set(['connection', 'keep-alive', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host', 'authorization', 'cookie', 'content-length', 'user-agent', 'accept-encoding'])
app.get('/users/:id', async (request, reply) => {
  const headers = {}
  for (const [name, value] of Object.entries(request.headers)) if (!dropped.has(name) && !name.startsWith('x-fusio-')) headers[name] = value
  headers['x-fusio-operation-id'] = 'user.get'
  headers['x-fusio-user-anonymous'] = '1'
  headers['x-fusio-remote-ip'] = request.ip
  headers['x-request-id'] = request.id
  headers['x-forwarded-for'] = request.ip
  headers['x-forwarded-host'] = request.headers.host
  headers['user-agent'] = 'fusio-ts'
  const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : ''
  let response
  try {
    response = await agent.request({ origin: upstream.origin, path: `/users/${encodeURIComponent(request.params.id)}${query}`, method: 'GET', headers })
  } catch {
    // An upstream that cannot be reached is a bad gateway (502, as the generated service answers), not our 500.
    return reply.code(502).send({ error: 'upstream unavailable' })
  }
  reply.code(response.statusCode).header('content-type', response.headers['content-type'])
  return Buffer.from(await response.body.arrayBuffer())
})

app.decorateRequest('user', undefined)
async function authenticate(request, reply) {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')
  if (!match) return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'token missing' })
  let payload
  try {
    ;({ payload } = await jwtVerify(match[1], key, { algorithms: ['HS256'], requiredClaims: ['sub', 'exp'] }))
  } catch {
    return reply.code(401).header('www-authenticate', 'Bearer error="invalid_token"').send({ error: 'token invalid' })
  }
  const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ') : []
  if (!scopes.includes('bench')) return reply.code(403).send({ error: 'scope bench missing' })
  request.user = payload
}
app.get(
  '/private',
  {
    schema: { response: { 200: Item } },
    // The rate limit's own onRequest hook runs after this route's, so it can key by the token.
    onRequest: authenticate,
    config: { rateLimit: { max: 1_000_000_000, timeWindow: '1 hour', keyGenerator: (request) => `${request.user.sub}:${request.user.client_id ?? ''}` } },
  },
  async () => item,
)

await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' })
for (const signal of ['SIGTERM', 'SIGINT']) process.once(signal, () => app.close().then(() => process.exit(0)))
