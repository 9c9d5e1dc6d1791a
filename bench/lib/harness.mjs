// What every benchmark needs: services in their own processes (started, polled until they answer,
// stopped), load from autocannon in this process, rounds that alternate the implementations, the
// server's CPU time and RSS read from /proc, and medians with their spread.
import { execFileSync, spawn } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { cpus, loadavg, release, totalmem, type as osType, arch } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import autocannon from 'autocannon'
import pg from 'pg'

export const root = join(import.meta.dirname, '..', '..')

/** Load settings: the full run of `npm run bench`, and `--quick` for a first look (noisier). */
export const SETTINGS = {
  full: { seconds: 4, warmupSeconds: 1, rounds: 3, connections: 32, pipelining: 1, coldStarts: 5, devEdits: 7, sizes: [10, 100, 1000] },
  quick: { seconds: 2, warmupSeconds: 1, rounds: 1, connections: 32, pipelining: 1, coldStarts: 3, devEdits: 5, sizes: [10, 100] },
}
export const settingsFrom = (argv) => (argv.includes('--quick') ? SETTINGS.quick : SETTINGS.full)

export const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
export const round = (value, digits = 0) => Number(value.toFixed(digits))
export const spread = (values) => ({ median: Math.round(median(values)), min: Math.round(Math.min(...values)), max: Math.round(Math.max(...values)) })

let nextPort = 24000 + Math.floor(Math.random() * 2000)
export const freePort = () => nextPort++

const children = new Set()

/**
 * Spawns `node script` with PORT set and polls `path` until it answers (with `status`, when given):
 * { url, child, startMs }, startMs being the time from spawn to that answer.
 */
export async function serve(script, env = {}, { path = '/', args = [], status } = {}) {
  const port = freePort()
  const started = performance.now()
  const child = spawn(process.execPath, [script, ...args], { env: { ...process.env, FUSIO_LOG_LEVEL: 'warn', ...env, PORT: String(port) }, stdio: ['ignore', 'ignore', 'inherit'] })
  children.add(child)
  child.once('exit', () => children.delete(child))
  const url = `http://127.0.0.1:${port}`
  // Polled every 2 ms, so a cold start is timed closely; 60 s at most.
  while (child.exitCode === null && performance.now() - started < 60_000) {
    try {
      const response = await fetch(`${url}${path}`)
      await response.arrayBuffer()
      if (status === undefined || response.status === status) return { url, child, startMs: performance.now() - started }
    } catch {
      // not listening yet
    }
    await sleep(2)
  }
  child.kill('SIGKILL')
  throw new Error(`${script} did not start`)
}

export async function stop(...services) {
  await Promise.all(
    services.map(async ({ child }) => {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
      await once(child, 'exit')
      clearTimeout(timer)
    }),
  )
}

export const stopAll = () => stop(...[...children].map((child) => ({ child })))

export const PG_URL = process.env.FUSIO_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

/** A scratch schema on the machine's PostgreSQL: its URL (search_path set), the server's version, and drop(). */
export async function scratchSchema(name) {
  const client = new pg.Client({ connectionString: PG_URL })
  await client.connect()
  try {
    await client.query(`drop schema if exists ${name} cascade; create schema ${name}`)
    const version = (await client.query('show server_version')).rows[0].server_version
    const drop = async () => {
      const dropper = new pg.Client({ connectionString: PG_URL })
      await dropper.connect()
      await dropper.query(`drop schema if exists ${name} cascade`)
      await dropper.end()
    }
    return { url: `${PG_URL}?options=${encodeURIComponent(`-c search_path=${name}`)}`, version, drop }
  } finally {
    await client.end()
  }
}

/** Resident memory of a process in MB. */
export function rssMb(pid) {
  return round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024, 1)
}

/** User + system CPU time of a process in clock ticks (100 per second on Linux). */
function cpuTicks(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
  return Number(fields[11]) + Number(fields[12])
}

/**
 * One load run against a service: req/s, latency p50/p99 and the server's CPU time per request.
 * A non-2xx answer or an error fails the run: a benchmark of failing requests measures nothing.
 */
export async function load(service, request, settings, seconds = settings.seconds) {
  const before = cpuTicks(service.child.pid)
  const result = await autocannon({
    url: `${service.url}${request.path}`,
    method: request.method ?? 'GET',
    headers: request.headers ?? (request.body ? { 'content-type': 'application/json' } : {}),
    ...(request.body ? { body: typeof request.body === 'string' ? request.body : JSON.stringify(request.body) } : {}),
    connections: settings.connections,
    pipelining: settings.pipelining,
    duration: seconds,
  })
  const ticks = cpuTicks(service.child.pid) - before
  if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0) {
    throw new Error(`${request.method ?? 'GET'} ${service.url}${request.path}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`)
  }
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, cpuUs: (ticks * 10_000) / Math.max(1, result.requests.total) }
}

/**
 * Warm-up of every implementation, then rounds that alternate them, so drift of the machine hits
 * all alike. Returns, per implementation, the median req/s with min–max, p50/p99 (medians), CPU µs
 * per request and the RSS after the last round.
 */
export async function compare(services, request, settings) {
  for (const service of Object.values(services)) await load(service, request, settings, settings.warmupSeconds)
  const runs = Object.fromEntries(Object.keys(services).map((name) => [name, []]))
  for (let r = 0; r < settings.rounds; r++) {
    for (const [name, service] of Object.entries(services)) runs[name].push(await load(service, request, settings))
  }
  return Object.fromEntries(
    Object.entries(runs).map(([name, list]) => {
      const rps = spread(list.map((run) => run.rps))
      return [
        name,
        {
          rps: rps.median,
          min: rps.min,
          max: rps.max,
          p50: median(list.map((run) => run.p50)),
          p99: median(list.map((run) => run.p99)),
          cpuUs: round(median(list.map((run) => run.cpuUs)), 1),
          rssMb: rssMb(services[name].child.pid),
        },
      ]
    }),
  )
}

/** Builds a project with the CLI: the parsed `--json` result (timings per stage) and the wall time. */
export function fusioBuild(manifest) {
  const began = performance.now()
  const output = execFileSync(process.execPath, [join(root, 'bin/fusio'), 'build', '--json', '--manifest', manifest], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 })
  const wallMs = performance.now() - began
  const result = JSON.parse(output)
  if (!result.ok) throw new Error(`${manifest} does not build: ${JSON.stringify(result.diagnostics ?? result).slice(0, 2000)}`)
  return { ...result, wallMs }
}

export function machine() {
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cpus: cpus().length,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    os: `${osType()} ${release()} ${arch()}`,
    node: process.version,
    flags: process.env.NODE_OPTIONS ?? '',
    loadBefore: loadavg().map((l) => round(l, 2)),
  }
}
