// Throughput and latency per route kind: the generated service (bench/projects/throughput) next to
// the same API by hand in Fastify, in Express + express-openapi-validator, and in raw node:http for
// the static route (bench/baselines/). SQL kinds run on SQLite and on PostgreSQL (a scratch schema).
// Run alone: node bench/throughput.mjs [--quick]; `npm run bench` runs it with the rest.
import { cpSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { SignJWT } from 'jose'
import pg from 'pg'
import { compare, fusioBuild, root, round, scratchSchema, serve, settingsFrom, stop, stopAll } from './lib/harness.mjs'

const ROWS = 100
const SECRET = 'bench-secret-0123456789abcdef0123456789abcdef'

/** A valid 50-field body for schemas/large.json: six kinds of field in turn. */
const large = Object.fromEntries(
  Array.from({ length: 50 }, (_, i) => [`field${String(i).padStart(2, '0')}`, [`text ${i}`, i * 1000, i + 0.5, i % 2 === 0, 'green', `user${i}@example.com`][i % 6]]),
)

/** The route kinds, in the order they run (SQL reads before SQL writes, which grow the table). */
const KINDS = [
  { kind: 'static', label: 'static response', request: { path: '/static' }, baselines: ['fastify', 'express', 'node-http'] },
  { kind: 'post-small', label: 'validated POST, 5 fields', request: { method: 'POST', path: '/small', body: { name: 'bench', price: 9.5, tags: ['a', 'b'], active: true, email: 'bench@example.com' } } },
  { kind: 'post-large', label: 'validated POST, 50 fields', request: { method: 'POST', path: '/large', body: large } },
  { kind: 'query', label: 'validated query parameters', request: { path: '/search?q=bench&limit=20&sort=price&active=true' } },
  { kind: 'http-processor', label: 'http-processor to a local upstream', request: { path: '/users/42' } },
  { kind: 'private', label: 'private: JWT + rate limit', request: { path: '/private' }, token: true },
  { kind: 'sql-select-all', label: 'sql-select-all, 16 of 100 rows', backend: 'sqlite', request: { path: '/item' } },
  { kind: 'sql-insert', label: 'sql-insert', backend: 'sqlite', request: { method: 'POST', path: '/item', body: { name: 'bench', price: 9.5, active: true } } },
  { kind: 'sql-select-all', label: 'sql-select-all, 16 of 100 rows', backend: 'postgres', request: { path: '/item' } },
  { kind: 'sql-insert', label: 'sql-insert', backend: 'postgres', request: { method: 'POST', path: '/item', body: { name: 'bench', price: 9.5, active: true } } },
]

const ddl = {
  sqlite: 'create table bench_item (id integer primary key, name varchar(100) not null, price decimal(10,2), active boolean, created_at datetime)',
  postgres: 'create table bench_item (id serial primary key, name varchar(100) not null, price numeric(10,2), active boolean, created_at timestamp)',
}
const row = (i) => [`item ${i}`, i * 1.25, i % 2 === 1, '2024-05-01 10:20:30']

async function sqliteDatabase(work) {
  const file = join(work, 'bench.db')
  const db = new Database(file)
  db.exec(ddl.sqlite)
  const insert = db.prepare('insert into bench_item (name, price, active, created_at) values (?, ?, ?, ?)')
  for (let i = 0; i < ROWS; i++) insert.run(...row(i).map((v) => (typeof v === 'boolean' ? Number(v) : v)))
  db.close()
  return `sqlite:///${file}`
}

/** bench_item with its rows in a scratch schema: the schema's URL, version and drop(). */
async function postgresDatabase(name) {
  const scratch = await scratchSchema(name)
  const client = new pg.Client({ connectionString: scratch.url })
  await client.connect()
  try {
    await client.query(ddl.postgres)
    for (let i = 0; i < ROWS; i++) await client.query('insert into bench_item (name, price, active, created_at) values ($1, $2, $3, $4)', row(i))
    return scratch
  } catch (error) {
    await scratch.drop()
    throw error
  } finally {
    await client.end()
  }
}

/** An RFC 9068 access token with scope bench, signed with the key both services verify. */
const accessToken = () =>
  new SignJWT({ scope: 'bench', client_id: 'bench-app', jti: 'bench' })
    .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' })
    .setSubject('bench-user')
    .setIssuedAt()
    .setExpirationTime('2h')
    .sign(new TextEncoder().encode(SECRET))

/** The services of one database backend: the generated one and each baseline, side by side. */
async function startServices(project, databaseUrl, upstreamUrl, withNodeHttp) {
  const env = { DATABASE_URL: databaseUrl, UPSTREAM_URL: upstreamUrl }
  const services = {
    generated: await serve(join(project, 'dist/server.mjs'), { ...env, FUSIO_JWT_SECRET: SECRET, FUSIO_DIR_SRC: project }, { path: '/health' }),
    fastify: await serve(join(root, 'bench/baselines/fastify.mjs'), { ...env, JWT_SECRET: SECRET }),
    express: await serve(join(root, 'bench/baselines/express.mjs'), { ...env, JWT_SECRET: SECRET, OPENAPI_FILE: join(project, 'dist/openapi.json') }),
  }
  if (withNodeHttp) services['node-http'] = await serve(join(root, 'bench/baselines/node-http.mjs'))
  return services
}

export async function measureThroughput(settings, log = console.log) {
  const work = mkdtempSync(join(tmpdir(), 'fusio-bench-throughput-'))
  const project = join(work, 'project')
  const rows = []
  let postgres
  try {
    cpSync(join(root, 'bench/projects/throughput'), project, { recursive: true })
    fusioBuild(join(project, '.fusio.yml'))
    const token = await accessToken()
    const upstream = await serve(join(root, 'bench/upstream.mjs'), {}, { path: '/users/1' })
    postgres = await postgresDatabase(`fusio_bench_${process.pid}`)
    const databases = { sqlite: await sqliteDatabase(work), postgres: postgres.url }
    for (const backend of ['sqlite', 'postgres']) {
      const kinds = KINDS.filter((k) => (k.backend ?? 'sqlite') === backend)
      const all = await startServices(project, databases[backend], upstream.url, kinds.some((k) => k.baselines?.includes('node-http')))
      for (const kind of kinds) {
        const names = ['generated', ...(kind.baselines ?? ['fastify', 'express'])]
        const services = Object.fromEntries(names.map((name) => [name, all[name]]))
        const request = kind.token ? { ...kind.request, headers: { authorization: `Bearer ${token}` } } : kind.request
        const implementations = await compare(services, request, settings)
        const ratios = Object.fromEntries(names.slice(1).map((name) => [name, round(implementations.generated.rps / implementations[name].rps, 2)]))
        const label = `${kind.label} (${request.method ?? 'GET'} ${request.path.split('?')[0]})`
        rows.push({ kind: kind.kind, label, backend: kind.backend ?? null, implementations, ratios })
        log(
          `${`${kind.kind}${kind.backend ? ` (${kind.backend})` : ''}`.padEnd(28)} ${names
            .map((n) => `${n} ${implementations[n].rps} req/s p99 ${implementations[n].p99} ms ${implementations[n].cpuUs} µs/req`)
            .join(' | ')}  ratios ${JSON.stringify(ratios)}`,
        )
      }
      await stop(...Object.values(all))
    }
    await stop(upstream)
  } finally {
    await stopAll()
    await postgres?.drop().catch((error) => log(`cannot drop the scratch schema: ${error.message}`))
    rmSync(work, { recursive: true, force: true })
  }
  return { rows, postgresVersion: postgres.version }
}

if (process.argv[1] === import.meta.filename) await measureThroughput(settingsFrom(process.argv))
