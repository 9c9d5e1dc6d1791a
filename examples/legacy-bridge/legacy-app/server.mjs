// A stand-in for the existing application's internal HTTP API, so the example runs end to end: it
// takes form-encoded writes at PHP-style URLs, checks a bearer token, and writes to the same database.
// Usage: LEGACY_DATABASE_URL=postgres://… LEGACY_API_TOKEN=… PORT=8081 node legacy-app/server.mjs
import { createServer } from 'node:http'
import pg from 'pg'

export function startLegacyApp({ databaseUrl, token, port = 0 }) {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 4 })
  const answer = (response, status, body) => {
    response.writeHead(status, { 'content-type': 'application/json' })
    response.end(JSON.stringify(body))
  }
  const server = createServer((request, response) => {
    let raw = ''
    request.on('data', (chunk) => (raw += chunk))
    request.on('end', async () => {
      if (request.headers.authorization !== `Bearer ${token}`) return answer(response, 401, { status: 'denied' })
      try {
        const url = new URL(request.url ?? '/', 'http://legacy')
        if (request.method === 'POST' && url.pathname === '/internal/customer.php') {
          const form = new URLSearchParams(raw)
          const { rows } = await pool.query('insert into customers (cust_name, cust_mail) values ($1, $2) returning cust_id', [form.get('cust_name'), form.get('cust_mail')])
          return answer(response, 201, { status: 'ok', cust_id: rows[0].cust_id })
        }
        const match = /^\/internal\/customer\/(\d+)$/.exec(url.pathname)
        if (request.method === 'PUT' && match) {
          const body = JSON.parse(raw || '{}')
          const { rowCount } = await pool.query('update customers set cust_name = coalesce($1, cust_name), vip = coalesce($2, vip) where cust_id = $3', [body.cust_name ?? null, body.vip ?? null, match[1]])
          return rowCount ? answer(response, 200, { status: 'ok', cust_id: Number(match[1]) }) : answer(response, 404, { status: 'unknown customer' })
        }
        answer(response, 404, { status: 'no such page' })
      } catch (error) {
        answer(response, error.code === '23505' ? 409 : 500, { status: error.code === '23505' ? 'duplicate' : 'error' })
      }
    })
  })
  return new Promise((resolve) =>
    server.listen(port, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${server.address().port}`,
        close: async () => {
          server.closeAllConnections()
          await new Promise((done) => server.close(done))
          await pool.end()
        },
      }),
    ),
  )
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const app = await startLegacyApp({ databaseUrl: process.env.LEGACY_DATABASE_URL, token: process.env.LEGACY_API_TOKEN, port: Number(process.env.PORT ?? 8081) })
  console.log(`legacy app: ${app.url}`)
}
