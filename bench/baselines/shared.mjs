// What the hand-written baselines share, whatever their framework: the database (kysely), the item
// list and insert, the proxied request upstream (undici) and the bearer-token check (jose). Each
// baseline keeps only its framework's routing, validation and error answers.
import { jwtVerify } from 'jose'
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely'
import { Agent } from 'undici'

export const item = { id: 1, name: 'bench', price: 9.5, tags: ['a', 'b', 'c'], active: true }
export const accepted = { success: true, message: 'accepted' }

/** kysely on DATABASE_URL: SQLite (WAL, NORMAL sync, as the generated service opens it) or PostgreSQL. */
export async function openDatabase(url) {
  if (url.startsWith('sqlite:')) {
    const { default: Database } = await import('better-sqlite3')
    const database = new Database(url.replace(/^sqlite:\/\/\//, ''))
    database.pragma('journal_mode = WAL')
    database.pragma('synchronous = NORMAL')
    return { db: new Kysely({ dialect: new SqliteDialect({ database }) }), sqlite: true }
  }
  const { default: pg } = await import('pg')
  // numeric as a number and zone-less timestamps as text (read as UTC below), as the generated service answers.
  pg.types.setTypeParser(1700, Number)
  pg.types.setTypeParser(1114, (text) => text)
  return { db: new Kysely({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 10 }) }) }), sqlite: false }
}

// SQLite keeps booleans as 0/1 and times as zone-less text: one JSON shape on both databases.
const row = (r) => ({ ...r, active: r.active === null ? null : Boolean(r.active), created_at: r.created_at === null ? null : new Date(`${r.created_at.replace(' ', 'T')}Z`).toISOString() })

/** GET /item: a page of bench_item, newest first, in Fusio's envelope. */
export async function listItems({ db }, query) {
  const startIndex = Math.max(0, Number(query.startIndex) || 0)
  const count = Math.min(Math.max(Number(query.count) || 16, 1), 16)
  const total = await db.selectFrom('bench_item').select((eb) => eb.fn.countAll().as('total')).executeTakeFirst()
  const rows = await db.selectFrom('bench_item').selectAll().orderBy('id', 'desc').limit(count).offset(startIndex).execute()
  return { totalResults: Number(total.total), itemsPerPage: count, startIndex, entry: rows.map(row) }
}

/** POST /item: the new row's message. */
export async function insertItem({ db, sqlite }, { name, price, active }) {
  // better-sqlite3 cannot bind booleans.
  const values = active === undefined ? { name, price } : { name, price, active: sqlite ? Number(active) : active }
  const { id } = await db.insertInto('bench_item').values(values).returning('id').executeTakeFirstOrThrow()
  return { success: true, message: 'Entry successfully created', id }
}

// The same request upstream as the generated proxy sends: the client's headers minus hop-by-hop ones
// and credentials, and Fusio's context headers.
const dropped = new Set(['connection', 'keep-alive', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host', 'authorization', 'cookie', 'content-length', 'user-agent', 'accept-encoding'])
const agent = new Agent({ connections: 64 })
export const closeAgent = () => agent.close()

/** GET /users/:id upstream: { statusCode, contentType, body }, or undefined when the upstream cannot be reached. */
export async function proxyUser(origin, { id, url, headers: incoming, ip, requestId }) {
  const headers = {}
  for (const [name, value] of Object.entries(incoming)) if (!dropped.has(name) && !name.startsWith('x-fusio-')) headers[name] = value
  headers['x-fusio-operation-id'] = 'user.get'
  headers['x-fusio-user-anonymous'] = '1'
  headers['x-fusio-remote-ip'] = ip
  headers['x-request-id'] = requestId
  headers['x-forwarded-for'] = ip
  headers['x-forwarded-host'] = incoming.host
  headers['user-agent'] = 'fusio-ts'
  const query = url.includes('?') ? url.slice(url.indexOf('?')) : ''
  try {
    const response = await agent.request({ origin, path: `/users/${encodeURIComponent(id)}${query}`, method: 'GET', headers })
    return { statusCode: response.statusCode, contentType: response.headers['content-type'], body: Buffer.from(await response.body.arrayBuffer()) }
  } catch {
    return undefined
  }
}

/** The bearer token's claims when it is valid and has scope bench; otherwise the status and error to answer. */
export async function verifyBearer(authorization, key) {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')
  if (!match) return { status: 401, challenge: 'Bearer', error: 'token missing' }
  let payload
  try {
    ;({ payload } = await jwtVerify(match[1], key, { algorithms: ['HS256'], requiredClaims: ['sub', 'exp'] }))
  } catch {
    return { status: 401, challenge: 'Bearer error="invalid_token"', error: 'token invalid' }
  }
  const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ') : []
  if (!scopes.includes('bench')) return { status: 403, error: 'scope bench missing' }
  return { payload }
}
