// `npm run bench`: the whole suite in one run. Makes sure PostgreSQL is up (.ci/services starts it),
// measures throughput per route kind (throughput.mjs) and growth with the operation count
// (scale.mjs), checks the figures against the targets of issue 5, writes bench/results/<date>.json
// and regenerates BENCHMARKS.md with its charts (lib/report.mjs).
// fusio dev's change-to-served time comes from dev.mjs.
// Usage: npm run bench [-- --quick] [-- --only throughput|scale|dev]
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { machine, PG_URL, root, round, settingsFrom } from './lib/harness.mjs'
import { writeReport } from './lib/report.mjs'
import { measureDev } from './dev.mjs'
import { measureScale } from './scale.mjs'
import { measureThroughput } from './throughput.mjs'

const argv = process.argv.slice(2)
const settings = settingsFrom(argv)
const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1] : undefined

async function postgresUp() {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 2000 })
  try {
    await client.connect()
    return true
  } catch {
    return false
  } finally {
    await client.end().catch(() => {})
  }
}

/** Every target of the issue, measured or not: a target that could not be measured says so. */
function targets(throughput, scale, dev) {
  const list = []
  const add = (name, target, measured, met) => list.push({ name, target, measured: measured === undefined ? 'not measured' : String(measured), met: measured === undefined ? false : met })
  for (const row of throughput ?? []) {
    const where = `${row.kind}${row.backend ? ` (${row.backend})` : ''}`
    add(`throughput vs hand-written Fastify: ${where}`, '≥ 1.0×', row.ratios.fastify, row.ratios.fastify >= 1)
    if (row.ratios['node-http'] !== undefined) add(`throughput vs raw node:http: ${where}`, '≥ 0.9×', row.ratios['node-http'], row.ratios['node-http'] >= 0.9)
    if (['post-small', 'post-large', 'query'].includes(row.kind)) add(`throughput vs Express + express-openapi-validator: ${where}`, '≥ 3×', row.ratios.express, row.ratios.express >= 3)
    if (row.kind.startsWith('post-')) {
      const { generated, fastify } = row.implementations
      add(`p99 vs hand-written Fastify: ${where}`, '≤ 1.1×', `${generated.p99} vs ${fastify.p99} ms`, generated.p99 <= fastify.p99 * 1.1)
    }
  }
  const size = (n) => scale?.find((row) => row.operations === n)
  add('cold start vs hand-written Fastify, 100 operations', '≤ 0.5×', size(100)?.coldStartRatio, size(100)?.coldStartRatio <= 0.5)
  add('cold start vs hand-written Fastify, 1,000 operations', '≤ 0.25×', size(1000)?.coldStartRatio, size(1000)?.coldStartRatio <= 0.25)
  add('cold start, 100 operations', '< 150 ms', size(100) && `${size(100).coldStartMs.generated.median} ms`, size(100)?.coldStartMs.generated.median < 150)
  add('fusio build, 1,000 operations', '< 20 s', size(1000) && `${round(size(1000).build.wallMs / 1000, 1)} s`, size(1000)?.build.wallMs < 20_000)
  add('rebuild after one operation changed, 1,000 operations', '< 1 s', size(1000) && `${round(size(1000).incrementalMs / 1000, 2)} s`, size(1000)?.incrementalMs < 1000)
  const devSize = dev?.find((row) => row.operations === 1000)
  add('fusio dev: one operation changed to its answer served, 1,000 operations', '< 1 s', devSize && `${round(devSize.servedMs.median / 1000, 2)} s`, devSize?.servedMs.median < 1000)
  add('idle RSS, 100 operations', '≤ 80 MB', size(100) && `${size(100).idleRssMb.generated} MB`, size(100)?.idleRssMb.generated <= 80)
  return list
}

// Only the throughput part talks to PostgreSQL.
if ((only === undefined || only === 'throughput') && !(await postgresUp())) {
  console.log('PostgreSQL is down: starting the machine services (.ci/services)')
  execFileSync('bash', [join(root, '.ci/services')], { stdio: 'inherit' })
  if (!(await postgresUp())) throw new Error('PostgreSQL is not reachable; the SQL benchmarks need it')
}
const began = Date.now()
const date = new Date().toISOString().slice(0, 10)
const resultsFile = `bench/results/${date}${argv.includes('--quick') ? '-quick' : ''}.json`
// One part (--only) replaces that part of the day's results and keeps the others (and the machine
// table of the whole run), so the report stays whole.
const earlier = only && existsSync(join(root, resultsFile)) ? JSON.parse(readFileSync(join(root, resultsFile), 'utf8')) : {}
const results = { ...earlier, date, machine: earlier.machine ?? machine(), settings }
console.log(`node ${results.machine.node}, ${results.machine.cpus} × ${results.machine.cpu}, load ${results.machine.loadBefore.join(' ')}`)
if (only === undefined || only === 'throughput') {
  const { rows, postgresVersion } = await measureThroughput(settings)
  results.throughput = rows
  results.machine.postgres = postgresVersion
}
if (only === undefined || only === 'scale') results.scale = await measureScale(settings)
if (only === undefined || only === 'dev') results.dev = await measureDev(settings)
if (!earlier.machine) results.machine.loadAfter = loadavg().map((l) => round(l, 2))
results.targets = targets(results.throughput, results.scale, results.dev)
results.durationSeconds = Math.round((Date.now() - began) / 1000)

mkdirSync(join(root, 'bench/results'), { recursive: true })
results.file = resultsFile
const file = join(root, results.file)
writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`)
const written = await writeReport(results, { root })
console.log(`\n${results.targets.filter((t) => t.met).length} of ${results.targets.length} targets met in ${results.durationSeconds} s`)
for (const t of results.targets) console.log(`${t.met ? '✓' : '✗'} ${t.name}: ${t.measured} (target ${t.target})`)
console.log(`written ${[file, ...written].map((p) => p.replace(`${root}/`, '')).join(', ')}`)
