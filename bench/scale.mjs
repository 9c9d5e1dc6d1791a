// How the compiler and the service grow with the number of operations: for generated manifests of
// 10, 100 and 1,000 operations, `fusio build` time (with each stage's share), bundle size, cold start
// (process start to the first 200) and idle RSS, next to a hand-written Fastify service with the same
// routes and schemas, which compiles its schemas when it starts.
// Usage: node bench/scale.mjs [sizes, comma-separated] [cold starts per size]   e.g. node bench/scale.mjs 10,100,1000 5
import { execFileSync, spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'

const [sizesArg = '10,100,1000', startsArg = '5'] = process.argv.slice(2)
const sizes = sizesArg.split(',').map(Number)
const starts = Number(startsArg)
const root = join(import.meta.dirname, '..')
const work = mkdtempSync(join(tmpdir(), 'fusio-bench-scale-'))

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

function manifest(n) {
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

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
const summary = (values) => ({ median: Math.round(median(values)), min: Math.round(Math.min(...values)), max: Math.round(Math.max(...values)) })

function sizeOf(path) {
  const stat = statSync(path)
  return stat.isDirectory() ? readdirSync(path).reduce((sum, name) => sum + sizeOf(join(path, name)), 0) : stat.size
}

let nextPort = 23000 + Math.floor(Math.random() * 1000)
/** Spawns a server and polls a route until it answers 200: milliseconds from spawn, and the RSS a second later. */
async function coldStart(args, path, env = {}) {
  const port = nextPort++
  const started = performance.now()
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env, PORT: String(port), FUSIO_LOG_LEVEL: 'warn' }, stdio: 'ignore' })
  try {
    for (;;) {
      try {
        const response = await fetch(`http://127.0.0.1:${port}${path}`)
        if (response.status === 200) break
      } catch {
        if (child.exitCode !== null) throw new Error(`${args.join(' ')} exited with ${child.exitCode}`)
      }
      await sleep(2)
    }
    const ms = performance.now() - started
    await sleep(1000)
    const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))[1]) / 1024
    return { ms, rss }
  } finally {
    child.kill('SIGKILL')
  }
}

const results = []
for (const n of sizes) {
  const project = join(work, `ops-${n}`)
  mkdirSync(project, { recursive: true })
  writeFileSync(join(project, '.fusio.yml'), manifest(n))
  const began = performance.now()
  const output = execFileSync(process.execPath, [join(root, 'bin/fusio'), 'build', '--json', '--manifest', join(project, '.fusio.yml')], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
  const buildMs = performance.now() - began
  const { ok, timings } = JSON.parse(output)
  if (!ok) throw new Error(`the ${n}-operation manifest does not build`)
  const handFile = join(work, `handwritten-${n}.mjs`)
  writeFileSync(handFile, handwritten(n))
  const generated = []
  const hand = []
  // Alternating, so a busy moment of the machine falls on both.
  for (let i = 0; i < starts; i++) {
    generated.push(await coldStart([join(project, 'dist/server.mjs')], '/r0/1'))
    hand.push(await coldStart([handFile], '/r0/1'))
  }
  const stages = Object.fromEntries(Object.entries(timings).map(([stage, ms]) => [stage, Math.round(ms)]))
  const pipelineMs = Object.values(timings).reduce((sum, ms) => sum + ms, 0)
  const row = {
    operations: n,
    build: { wallMs: Math.round(buildMs), pipelineMs: Math.round(pipelineMs), stages, share: Object.fromEntries(Object.entries(timings).map(([s, ms]) => [s, Math.round((ms / pipelineMs) * 100)])) },
    bundleBytes: { serverMjs: statSync(join(project, 'dist/server.mjs')).size, dist: sizeOf(join(project, 'dist')) },
    coldStartMs: { generated: summary(generated.map((r) => r.ms)), handwritten: summary(hand.map((r) => r.ms)) },
    idleRssMb: { generated: Math.round(median(generated.map((r) => r.rss)) * 10) / 10, handwritten: Math.round(median(hand.map((r) => r.rss)) * 10) / 10 },
  }
  row.coldStartRatio = Math.round((row.coldStartMs.generated.median / row.coldStartMs.handwritten.median) * 100) / 100
  results.push(row)
  console.log(
    `${String(n).padStart(5)} operations: build ${row.build.wallMs} ms (pipeline ${row.build.pipelineMs} ms: ${Object.entries(row.build.share)
      .map(([s, p]) => `${s} ${p}%`)
      .join(', ')}), server.mjs ${(row.bundleBytes.serverMjs / 1e6).toFixed(2)} MB; cold start ${row.coldStartMs.generated.median} ms vs hand-written ${row.coldStartMs.handwritten.median} ms (ratio ${row.coldStartRatio}); idle RSS ${row.idleRssMb.generated} vs ${row.idleRssMb.handwritten} MB`,
  )
}

const date = new Date().toISOString().slice(0, 10)
const out = join(root, 'bench/results', `scale-${date}.json`)
writeFileSync(out, `${JSON.stringify({ date, node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model, loadavg: loadavg(), starts, results }, null, 2)}\n`)
console.log(`written ${out}`)
rmSync(work, { recursive: true, force: true })
