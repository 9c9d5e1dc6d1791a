// The throughput bench's API (bench/projects/throughput/.fusio.yml) written by hand with Fastify 5, the
// way a careful developer would: JSON Schemas for requests and responses, kysely, undici, jose and
// @fastify/rate-limit — the libraries the generated service uses.
// Usage: DATABASE_URL=sqlite:///… | postgres://… UPSTREAM_URL=… JWT_SECRET=… PORT=… node bench/baselines/fastify.mjs
import { readFileSync } from 'node:fs'
import rateLimit from '@fastify/rate-limit'
import Ajv from 'ajv'
import addFormats from 'ajv-formats'
import Fastify from 'fastify'
import { accepted, closeAgent, insertItem, item, listItems, openDatabase, proxyUser, verifyBearer } from './shared.mjs'

const database = await openDatabase(process.env.DATABASE_URL)
const upstream = new URL(process.env.UPSTREAM_URL).origin
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

const app = Fastify({ logger: false })
// Bodies are checked strictly, as the generated service does (Fastify's default ajv would coerce "1" to 1
// and silently drop extra properties); query strings are text, so only they are coerced.
const ajvOptions = { useDefaults: true, removeAdditional: false, allErrors: false }
const bodyAjv = addFormats(new Ajv({ ...ajvOptions, coerceTypes: false }))
const queryAjv = addFormats(new Ajv({ ...ajvOptions, coerceTypes: 'array' }))
app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? bodyAjv : queryAjv).compile(schema))
await app.register(rateLimit, { global: false })
app.addHook('onClose', async () => Promise.all([database.db.destroy(), closeAgent()]))

app.get('/static', { schema: { response: { 200: Item } } }, async () => item)
app.post('/small', { schema: { body: Small, response: { 200: Message } } }, async () => accepted)
app.post('/large', { schema: { body: Large, response: { 200: Message } } }, async () => accepted)
app.get('/search', { schema: { querystring: Search, response: { 200: Message } } }, async () => accepted)

app.get('/item', { schema: { querystring: Paging, response: { 200: ItemList } } }, async (request) => listItems(database, request.query))
app.post('/item', { schema: { body: ItemCreate, response: { 201: Message } } }, async (request, reply) => reply.code(201).send(await insertItem(database, request.body)))
app.get('/users/:id', async (request, reply) => {
  const response = await proxyUser(upstream, { id: request.params.id, url: request.url, headers: request.headers, ip: request.ip, requestId: request.id })
  // An upstream that cannot be reached is a bad gateway (502, as the generated service answers), not our 500.
  if (!response) return reply.code(502).send({ error: 'upstream unavailable' })
  reply.code(response.statusCode).header('content-type', response.contentType)
  return response.body
})

app.decorateRequest('user', undefined)
async function authenticate(request, reply) {
  const checked = await verifyBearer(request.headers.authorization, key)
  if (!checked.payload) return reply.code(checked.status).headers(checked.challenge ? { 'www-authenticate': checked.challenge } : {}).send({ error: checked.error })
  request.user = checked.payload
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
