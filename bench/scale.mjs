// How the compiler and the service grow with the number of operations: for generated manifests of
// 10, 100 and 1,000 operations, `fusio build` time (with each stage's share), the rebuild after one
// operation changed, bundle size, cold start (process start to the first 200) and idle RSS, next to a
// hand-written Fastify service with the same routes and schemas, which compiles its schemas when it starts.
// Run alone: node bench/scale.mjs [--quick]; `npm run bench` runs it with the rest.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fusioBuild, median, root, rssMb, serve, settingsFrom, spread } from './lib/harness.mjs'

/** Schemas shared by every operation of a group of ten: an item, its collection, and a body of five fields. */
const itemSchema = (g) => ({
  type: 'object',
  properties: { id: { type: 'integer' }, name: { type: 'string', maxLength: 100 }, price: { type: 'number', minimum: 0 }, tags: { type: 'array', items: { type: 'string' } }, group: { const: g } },
  required: ['id', 'name'],
})
const bodySchema = {
  type: 'object',
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 100 },
    price: { type: 'number', minimum: 0 },
    tags: { type: 'array', items: { type: 'string' }, maxItems: 10 },
    active: { type: 'boolean' },
    email: { type: 'string', format: 'email' },
  },
  required: ['name', 'price'],
  additionalProperties: false,
}

/** Operation i: GET /r{i}/:id (outgoing item, a validated query parameter) or POST /r{i} (validated body). */
function operations(n) {
  return Array.from({ length: n }, (_, i) => ({ i, group: Math.floor(i / 10), get: i % 2 === 0 }))
}

export function manifest(n) {
  const groups = Math.ceil(n / 10)
  const lines = ['service: { title: Scale bench, version: 1.0.0 }', 'schema:']
  for (let g = 0; g < groups; g++) {
    lines.push(`  Item${g}: ${JSON.stringify(itemSchema(g))}`)
    lines.push(`  Body${g}: ${JSON.stringify(bodySchema)}`)
  }
  lines.push('action:', '  Static: { class: static-response, config: { response: { id: 1, name: bench } } }', 'operation:')
  for (const op of operations(n)) {
    lines.push(
      op.get
        ? `  r${op.i}.get: { httpMethod: GET, httpPath: "/r${op.i}/:id", public: true, parameters: { verbose: { type: boolean } }, outgoing: Item${op.group}, action: Static }`
        : `  r${op.i}.create: { httpMethod: POST, httpPath: "/r${op.i}", public: true, incoming: Body${op.group}, outgoing: Message, action: Static }`,
    )
  }
  return `${lines.join('\n')}\n`
}

/** The same service by hand: Fastify compiles every route's schemas while it starts. */
function handwritten(n) {
  const groups = Math.ceil(n / 10)
  const schemas = Array.from({ length: groups }, (_, g) => `const item${g} = ${JSON.stringify(itemSchema(g))}`).join('\n')
  const routes = operations(n)
    .map((op) =>
      op.get
        ? `app.get('/r${op.i}/:id', { schema: { params: { type: 'object', properties: { id: { type: 'string' } } }, querystring: { type: 'object', properties: { verbose: { type: 'boolean' } } }, response: { 200: item${op.group} } } }, async () => ({ id: 1, name: 'bench' }))`
        : `app.post('/r${op.i}', { schema: { body, response: { 200: message } } }, async () => ({ id: 1, name: 'bench' }))`,
    )
    .join('\n')
  return [
    `import Fastify from '${join(root, 'node_modules/fastify/fastify.js')}'`,
    `import addFormats from '${join(root, 'node_modules/ajv-formats/dist/index.js')}'`,
    `const app = Fastify({ logger: false, ajv: { plugins: [addFormats.default ?? addFormats] } })`,
    `const body = ${JSON.stringify(bodySchema)}`,
    `const message = { type: 'object', properties: { success: { type: 'boolean' }, message: { type: 'string' }, id: { type: 'string' } } }`,
    schemas,
    routes,
    `await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' })`,
    '',
  ].join('\n')
}

function sizeOf(path) {
  const stat = statSync(path)
  return stat.isDirectory() ? readdirSync(path).reduce((sum, name) => sum + sizeOf(join(path, name)), 0) : stat.size
}

/** Process start to the first 200 on `path`, and the RSS a second later. */
async function coldStart(script, path) {
  const service = await serve(script, {}, { path, status: 200 })
  try {
    await sleep(1000)
    return { ms: service.startMs, rss: rssMb(service.child.pid) }
  } finally {
    service.child.kill('SIGKILL')
  }
}

/** One service size: build, rebuild after a one-operation change, cold starts alternating with the hand-written service. */
async function measureSize(work, n, settings) {
  const project = join(work, `ops-${n}`)
  mkdirSync(project, { recursive: true })
  const manifestFile = join(project, '.fusio.yml')
  writeFileSync(manifestFile, manifest(n))
  const { timings, wallMs } = fusioBuild(manifestFile)
  // One operation changes (a new query parameter): what a developer's edit costs the next build.
  writeFileSync(manifestFile, manifest(n).replace('parameters: { verbose: { type: boolean } }', 'parameters: { verbose: { type: boolean }, limit: { type: integer } }'))
  const incremental = fusioBuild(manifestFile)
  const handFile = join(work, `handwritten-${n}.mjs`)
  writeFileSync(handFile, handwritten(n))
  const generated = []
  const hand = []
  for (let i = 0; i < settings.coldStarts; i++) {
    generated.push(await coldStart(join(project, 'dist/server.mjs'), '/r0/1'))
    hand.push(await coldStart(handFile, '/r0/1'))
  }
  const pipelineMs = Object.values(timings).reduce((sum, ms) => sum + ms, 0)
  const row = {
    operations: n,
    build: {
      wallMs: Math.round(wallMs),
      pipelineMs: Math.round(pipelineMs),
      stages: Object.fromEntries(Object.entries(timings).map(([stage, ms]) => [stage, Math.round(ms)])),
      share: Object.fromEntries(Object.entries(timings).map(([stage, ms]) => [stage, Math.round((ms / pipelineMs) * 100)])),
    },
    incrementalMs: Math.round(incremental.wallMs),
    bundleBytes: { serverMjs: statSync(join(project, 'dist/server.mjs')).size, dist: sizeOf(join(project, 'dist')) },
    coldStartMs: { generated: spread(generated.map((r) => r.ms)), fastify: spread(hand.map((r) => r.ms)) },
    idleRssMb: { generated: median(generated.map((r) => r.rss)), fastify: median(hand.map((r) => r.rss)) },
  }
  row.coldStartRatio = Number((row.coldStartMs.generated.median / row.coldStartMs.fastify.median).toFixed(2))
  return row
}

export async function measureScale(settings, log = console.log) {
  const work = mkdtempSync(join(tmpdir(), 'fusio-bench-scale-'))
  const rows = []
  try {
    for (const n of settings.sizes) {
      const row = await measureSize(work, n, settings)
      rows.push(row)
      log(
        `${String(n).padStart(5)} operations: build ${row.build.wallMs} ms (${Object.entries(row.build.share)
          .map(([s, p]) => `${s} ${p}%`)
          .join(', ')}), rebuild ${row.incrementalMs} ms, server.mjs ${(row.bundleBytes.serverMjs / 1e6).toFixed(2)} MB; cold start ${row.coldStartMs.generated.median} vs ${row.coldStartMs.fastify.median} ms (${row.coldStartRatio}); idle RSS ${row.idleRssMb.generated} vs ${row.idleRssMb.fastify} MB`,
      )
    }
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
  return rows
}

if (process.argv[1] === import.meta.filename) await measureScale(settingsFrom(process.argv))
