// A local upstream for the HTTP benchmarks: answers GET /users/:id with a small JSON document.
// Usage: PORT=… node bench/upstream.mjs
import { createServer } from 'node:http'

createServer((request, response) => {
  const id = (request.url ?? '').split('/')[2] ?? ''
  const body = JSON.stringify({ id, name: 'Ada Lovelace', email: 'ada@example.org', roles: ['admin', 'author'] })
  response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
  response.end(body)
}).listen(Number(process.env.PORT), '127.0.0.1')
