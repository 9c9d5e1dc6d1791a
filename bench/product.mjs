// The API-product layer under load, in one run: token issuance per second (client_credentials with
// HTTP Basic; each token a JWT plus a row in the service database, SQLite and PostgreSQL), and one
// cheap action (static-response) exposed public and private: the private call pays JWT verification,
// the rate limit (Redis round trip or memory counters) and the usage log. A hand-written Fastify
// service (bench/baselines/fastify-product.mjs: jose + @fastify/rate-limit) is the baseline.
// autocannon runs in this process; each service runs in its own process.
// Usage: node bench/product.mjs [--quick]   (needs the machine's Redis and PostgreSQL)
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import Redis from 'ioredis'
import { compare, fusioBuild, machine as machineInfo, root, round, scratchSchema, serve, settingsFrom, stop, stopAll } from './lib/harness.mjs'

const settings = settingsFrom(process.argv)
const ROUTE_CONNECTIONS = 32
// Each token is a signature plus several statements on one database (a file for SQLite): a few
// connections keep it busy without measuring only queueing.
const TOKEN_CONNECTIONS = 8
const REDIS_URL = 'redis://127.0.0.1:6379'

const work = mkdtempSync(join(tmpdir(), 'fusio-bench-product-'))
const project = join(work, 'project')
cpSync(join(root, 'bench/projects/product'), project, { recursive: true })
fusioBuild(join(project, '.fusio.yml'))
const server = join(project, 'dist/server.mjs')

const secret = randomBytes(32).toString('hex')
const password = 'bench password, long enough'
const prefix = `fusio-bench-${process.pid}-${Date.now()}`
const sqliteUrl = `sqlite:///${join(work, 'service.db')}`
const baseEnv = { FUSIO_JWT_SECRET: secret, FUSIO_DIR_SRC: work, FUSIO_PUBLIC_URL: 'http://bench.test', FUSIO_LOG_LEVEL: 'warn' }

async function json(response) {
  const text = await response.text()
  if (!response.ok) throw new Error(`${response.url}: ${response.status} ${text}`)
  return JSON.parse(text)
}

/** An active user (user:add), its consumer login, an app with scope bench and a client_credentials token. */
async function account(databaseUrl, url) {
  const env = { ...process.env, ...baseEnv, FUSIO_DATABASE_URL: databaseUrl, FUSIO_USER_PASSWORD: password }
  execFileSync(process.execPath, [server, 'user:add', '--name', 'bench', '--email', 'bench@example.com', '--role', 'Consumer'], { env, stdio: 'ignore' })
  return credentials(url)
}

async function credentials(url) {
  const login = await json(await fetch(`${url}/consumer/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'bench', password }) }))
  const app = await json(
    await fetch(`${url}/consumer/app`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${login.token}` },
      body: JSON.stringify({ name: `bench-${Date.now()}`, url: 'https://bench.example.com', scopes: ['bench'] }),
    }),
  )
  const basic = `Basic ${Buffer.from(`${encodeURIComponent(app.appKey)}:${encodeURIComponent(app.appSecret)}`).toString('base64')}`
  const token = await json(await fetch(`${url}/authorization/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic }, body: 'grant_type=client_credentials' }))
  if (token.scope !== 'bench') throw new Error(`the token has scopes "${token.scope}", not bench`)
  return { basic, accessToken: token.access_token }
}

const routeRequest = (path, bearer) => ({ path, ...(bearer ? { headers: { authorization: `Bearer ${bearer}` } } : {}) })
const tokenRequest = (basic) => ({ method: 'POST', path: '/authorization/token', headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials' })
const routeSettings = { ...settings, connections: ROUTE_CONNECTIONS }
const figure = (s) => `${String(s.rps).padStart(6)} req/s (${s.min}–${s.max}) p99 ${String(s.p99).padStart(3)} ms`

/** Tokens per second of one service: a warm-up, then the rounds. */
async function measure(label, service, request) {
  const { generated } = await compare({ generated: service }, request, { ...settings, connections: TOKEN_CONNECTIONS })
  const row = { label, connections: TOKEN_CONNECTIONS, generated }
  console.log(`${label.padEnd(44)} ${figure(row.generated)}`)
  return row
}

/** The generated service against the hand-written one on one route, rounds alternating. */
async function versus(label, generated, handwritten, request) {
  const result = await compare({ generated, handwritten }, request, routeSettings)
  const row = { label, connections: ROUTE_CONNECTIONS, ...result, ratio: round(result.generated.rps / result.handwritten.rps, 2) }
  console.log(`${label.padEnd(44)} generated ${figure(row.generated)} | hand-written ${figure(row.handwritten)} | ratio ${row.ratio}`)
  return row
}

async function deleteRedisKeys(redis) {
  let cursor = '0'
  let deleted = 0
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000)
    cursor = next
    if (keys.length > 0) deleted += await redis.del(...keys)
  } while (cursor !== '0')
  return deleted
}

const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 })
// The load average before and after: other work on the machine shows in the figures.
const machine = machineInfo()
const tokens = []
const routes = []
let scratch
try {
  await redis.connect()
  machine.redis = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1]
  scratch = await scratchSchema(`fusio_bench_product_${process.pid}`)
  machine.postgres = scratch.version
  console.log(`node ${machine.node}, ${machine.cpus} cpus (${machine.cpu}, load ${machine.loadBefore.join(' ')}), Redis ${machine.redis}, PostgreSQL ${machine.postgres}; ${settings.rounds} rounds of ${settings.seconds} s after a warm-up`)
  console.log(`token endpoint: ${TOKEN_CONNECTIONS} connections; routes: ${ROUTE_CONNECTIONS} connections\n`)

  // 1. SQLite service database (one file for both generated services), counters in memory (no
  // FUSIO_REDIS_URL, the default) or in Redis; all four services run side by side, so that the route
  // lines are measured close together in time. An idle service only polls its revocations.
  const redisEnv = { FUSIO_REDIS_URL: REDIS_URL, FUSIO_REDIS_PREFIX: prefix }
  const generated = await serve(server, { ...baseEnv, FUSIO_DATABASE_URL: sqliteUrl })
  const generatedRedis = await serve(server, { ...baseEnv, FUSIO_DATABASE_URL: sqliteUrl, ...redisEnv })
  const handwritten = await serve(join(root, 'bench/baselines/fastify-product.mjs'), { JWT_SECRET: secret })
  const handwrittenRedis = await serve(join(root, 'bench/baselines/fastify-product.mjs'), { JWT_SECRET: secret, REDIS_URL, REDIS_PREFIX: prefix })
  const sqlite = await account(sqliteUrl, generated.url)
  tokens.push(await measure('tokens, SQLite service DB, memory counters', generated, tokenRequest(sqlite.basic)))
  tokens.push(await measure('tokens, SQLite service DB, Redis counters', generatedRedis, tokenRequest(sqlite.basic)))
  routes.push({ route: 'public', counters: 'none', ...(await versus('public route', generated, handwritten, routeRequest('/public'))) })
  routes.push({ route: 'private', counters: 'redis', ...(await versus('private route, Redis counters', generatedRedis, handwrittenRedis, routeRequest('/private', sqlite.accessToken))) })
  routes.push({ route: 'private', counters: 'memory', ...(await versus('private route, memory counters', generated, handwritten, routeRequest('/private', sqlite.accessToken))) })
  await stop(generated, generatedRedis, handwritten, handwrittenRedis)

  // 2. PostgreSQL service database in a scratch schema, memory counters.
  const generatedPg = await serve(server, { ...baseEnv, FUSIO_DATABASE_URL: scratch.url })
  const postgres = await account(scratch.url, generatedPg.url)
  tokens.push(await measure('tokens, PostgreSQL service DB, memory counters', generatedPg, tokenRequest(postgres.basic)))
  await stop(generatedPg)
} finally {
  await stopAll()
  await scratch?.drop().catch((error) => console.error(`cannot drop the scratch schema: ${error.message}`))
  if (redis.status === 'ready') {
    await deleteRedisKeys(redis).catch((error) => console.error(`cannot delete Redis keys ${prefix}*: ${error.message}`))
    await redis.quit()
  } else redis.disconnect()
  rmSync(work, { recursive: true, force: true })
}

// Private against public on the same service: what authentication, rate limit and usage log cost.
const pub = routes.find((r) => r.route === 'public')
const overhead = routes
  .filter((r) => r.route === 'private')
  .map((r) => ({
    counters: r.counters,
    generated: Number((r.generated.rps / pub.generated.rps).toFixed(2)),
    handwritten: Number((r.handwritten.rps / pub.handwritten.rps).toFixed(2)),
  }))

console.log('\nsummary: median req/s of the rounds (min–max), median p99 in ms')
const line = (cells) => console.log(cells.map((c, i) => String(c).padEnd([66, 30, 30, 0][i])).join(''))
line(['', 'generated', 'hand-written', 'generated/hand-written'])
const cell = (s) => `${s.rps} (${s.min}–${s.max}) p99 ${s.p99}`
for (const r of routes) line([`GET /${r.route}${r.route === 'private' ? `, ${r.counters} counters` : ''} (${r.connections} conn.)`, cell(r.generated), cell(r.handwritten), r.ratio])
for (const t of tokens) line([`POST /authorization/token, ${t.label.replace(/^tokens, /, '').replace(' service DB,', ',')} (${t.connections} conn.)`, cell(t.generated), '', ''])
for (const o of overhead) line([`private/public, ${o.counters} counters`, o.generated, o.handwritten, ''])

machine.loadAfter = loadavg().map((l) => round(l, 2))
const report = { date: new Date().toISOString(), machine, settings, connections: { routes: ROUTE_CONNECTIONS, token: TOKEN_CONNECTIONS }, tokens, routes, privateOverPublic: overhead }
mkdirSync(join(root, 'bench/results'), { recursive: true })
const file = join(root, 'bench/results', `product-${report.date.slice(0, 10)}.json`)
writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`)
console.log(`\nload average ${machine.loadBefore.join(' ')} before, ${machine.loadAfter.join(' ')} after\nwritten ${file}`)
