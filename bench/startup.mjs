// Cold start and idle memory of a built bundle: spawn `node dist/server.mjs`, poll until the first
// 200 on a route, repeat; then read the idle RSS. Usage: node bench/startup.mjs <project-dir> [path] [runs]
// The project must be built (fusio build). Prints one JSON line with the median, min and max.
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'

const [project, path = '/health', runs = '5'] = process.argv.slice(2)
if (!project) throw new Error('usage: node bench/startup.mjs <project-dir> [path] [runs]')
const port = 19000 + Math.floor(Math.random() * 500)

async function once(measureRss) {
  const started = performance.now()
  const child = spawn(process.execPath, [join(project, 'dist/server.mjs')], {
    env: { ...process.env, PORT: String(port), FUSIO_LOG_LEVEL: 'warn' },
    stdio: 'ignore',
  })
  let coldMs
  for (let tries = 0; tries < 2000 && coldMs === undefined; tries++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}${path}`)).status === 200) coldMs = performance.now() - started
    } catch {
      await sleep(2)
    }
  }
  let rssMb
  if (measureRss) {
    await sleep(1000)
    const status = readFileSync(`/proc/${child.pid}/status`, 'utf8')
    rssMb = Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024
  }
  child.kill('SIGTERM')
  await new Promise((resolve) => child.once('exit', resolve))
  return { coldMs, rssMb }
}

const results = []
for (let i = 0; i < Number(runs); i++) results.push(await once(i === 0))
const cold = results.map((r) => r.coldMs).sort((a, b) => a - b)
const round = (n) => Math.round(n * 10) / 10
console.log(JSON.stringify({
  project,
  path,
  runs: cold.length,
  coldStartMs: { median: round(cold[Math.floor(cold.length / 2)]), min: round(cold[0]), max: round(cold.at(-1)) },
  idleRssMb: round(results[0].rssMb),
  node: process.version,
}))
