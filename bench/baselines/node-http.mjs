// The floor for the static route: raw node:http answering GET /static with the generated service's
// body and content type, 404 for anything else. No framework, no validation, no serializer.
// Usage: PORT=… node bench/baselines/node-http.mjs
import { createServer } from 'node:http'

// Serialized once: the body never changes.
const body = Buffer.from(JSON.stringify({ id: 1, name: 'bench', price: 9.5, tags: ['a', 'b', 'c'], active: true }))
const headers = { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length }

const server = createServer((request, response) => {
  if (request.method === 'GET' && (request.url === '/static' || request.url.startsWith('/static?'))) return response.writeHead(200, headers).end(body)
  response.writeHead(404, { 'content-type': 'application/json; charset=utf-8' }).end('{"error":"not found"}')
})
server.listen(Number(process.env.PORT), '127.0.0.1')
for (const signal of ['SIGTERM', 'SIGINT']) process.once(signal, () => server.close(() => process.exit(0)).closeAllConnections())
