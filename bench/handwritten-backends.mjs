// The hand-written Fastify service the generated one is measured against: the same two routes, the
// same libraries (kysely with the same driver, undici), written the way a careful developer would.
// Usage: DATABASE_URL=… UPSTREAM_URL=… PORT=… node bench/handwritten-backends.mjs
import Fastify from 'fastify'
import { Kysely, MysqlDialect, PostgresDialect, SqliteDialect } from 'kysely'
import { Agent } from 'undici'

const url = process.env.DATABASE_URL
let dialect
if (url.startsWith('sqlite:')) {
  const { default: Database } = await import('better-sqlite3')
  dialect = new SqliteDialect({ database: new Database(url.replace(/^sqlite:\/\/\//, '')) })
} else if (url.startsWith('postgres')) {
  const { default: pg } = await import('pg')
  dialect = new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 10 }) })
} else {
  const { default: mysql } = await import('mysql2')
  dialect = new MysqlDialect({ pool: mysql.createPool({ uri: url, connectionLimit: 10 }) })
}
const db = new Kysely({ dialect })
const agent = new Agent({ connections: 64 })
const upstream = new URL(process.env.UPSTREAM_URL)

const app = Fastify({ logger: false })
app.get('/item', async (request) => {
  const startIndex = Math.max(0, Number(request.query.startIndex) || 0)
  const count = Math.min(Math.max(Number(request.query.count) || 16, 1), 16)
  const total = await db.selectFrom('bench_item').select((eb) => eb.fn.countAll().as('total')).executeTakeFirst()
  const rows = await db.selectFrom('bench_item').selectAll().orderBy('id', 'desc').limit(count).offset(startIndex).execute()
  return { totalResults: Number(total.total), itemsPerPage: count, startIndex, entry: rows }
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
  const response = await agent.request({ origin: upstream.origin, path: `/users/${encodeURIComponent(request.params.id)}${query}`, method: 'GET', headers })
  reply.code(response.statusCode).header('content-type', response.headers['content-type'])
  return Buffer.from(await response.body.arrayBuffer())
})
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' })
