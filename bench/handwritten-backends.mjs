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
app.get('/users/:id', async (request, reply) => {
  const response = await agent.request({ origin: upstream.origin, path: `/users/${encodeURIComponent(request.params.id)}`, method: 'GET' })
  reply.code(response.statusCode).header('content-type', response.headers['content-type'])
  return Buffer.from(await response.body.arrayBuffer())
})
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' })
