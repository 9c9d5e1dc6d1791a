// The hand-written Fastify service bench/product.mjs measures the generated one against: the same
// fixed body on a public route and on a private one, the private one the way a careful developer
// would write it: jose's jwtVerify with HS256 pinned and the same secret, a scope check, and
// @fastify/rate-limit keyed by user and app with the same huge limit (its Redis store through
// ioredis when REDIS_URL is set, its memory store otherwise).
// Usage: JWT_SECRET=… [REDIS_URL=… REDIS_PREFIX=…] PORT=… node bench/baselines/fastify-product.mjs
import rateLimit from '@fastify/rate-limit'
import Fastify from 'fastify'
import { verifyBearer } from './shared.mjs'

const body = { id: 1, name: 'bench', tags: ['a', 'b', 'c'], active: true }
const key = new TextEncoder().encode(process.env.JWT_SECRET)

const app = Fastify({ logger: false })
let redis
if (process.env.REDIS_URL) {
  const { default: Redis } = await import('ioredis')
  redis = new Redis(process.env.REDIS_URL, { maxRetriesPerRequest: 1 })
}
await app.register(rateLimit, {
  global: false,
  ...(redis ? { redis, nameSpace: `${process.env.REDIS_PREFIX ?? 'bench'}:hand:` } : {}),
})
app.addHook('onClose', async () => redis?.quit())

app.decorateRequest('user', undefined)
async function authenticate(request, reply) {
  const checked = await verifyBearer(request.headers.authorization, key)
  if (!checked.payload) return reply.code(checked.status).headers(checked.challenge ? { 'www-authenticate': checked.challenge } : {}).send({ error: checked.error })
  request.user = checked.payload
}

app.get('/public', async () => body)
app.get(
  '/private',
  {
    // The rate limit's own onRequest hook runs after this route's, so it can key by the token.
    onRequest: authenticate,
    config: { rateLimit: { max: 1_000_000_000, timeWindow: '1 hour', keyGenerator: (request) => `${request.user.sub}:${request.user.client_id ?? ''}` } },
  },
  async () => body,
)
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' })
for (const signal of ['SIGTERM', 'SIGINT']) process.once(signal, () => app.close().then(() => process.exit(0)))
