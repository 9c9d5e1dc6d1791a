// fusio dev's inner loop: on scale.mjs's generated manifests of 10, 100 and 1,000 operations, the time
// from writing a one-operation change (operation r0.get moves to a new path) to the new path answering,
// median of several edits after one warm-up edit, with the build (by stage) and the restart-to-ready
// as `fusio dev --json` reports them.
// Run alone: node bench/dev.mjs [--quick]; `npm run bench -- --only dev` runs it within the suite.
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { freePort, median, root, settingsFrom, spread } from './lib/harness.mjs'
import { manifest } from './scale.mjs'

/** After an answer, dev flushes its cache and may type-check: the next edit waits this long, so it times only itself. */
const SETTLE_MS = 500

/** `fusio dev --json` on a project: its events as they come, and next(name) for the next one not yet taken. */
function startDev(command, manifestFile, port) {
  const child = spawn(process.execPath, [...command, '--json', '--manifest', manifestFile, '--port', String(port)], {
    env: { ...process.env, FUSIO_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const events = []
  let taken = 0
  let wake = () => {}
  let rest = ''
  let stderr = ''
  child.stdout.on('data', (chunk) => {
    const lines = (rest + chunk).split('\n')
    rest = lines.pop()
    for (const line of lines) if (line.startsWith('{')) events.push(JSON.parse(line))
    wake()
  })
  child.stderr.on('data', (chunk) => (stderr = (stderr + chunk).slice(-4000)))
  const next = async (name) => {
    for (;;) {
      const index = events.findIndex((event, i) => i >= taken && (event.event === name || event.event === 'error' || (event.event === 'build' && !event.ok)))
      if (index >= 0) {
        taken = index + 1
        const event = events[index]
        if (event.event !== name) throw new Error(`fusio dev: ${JSON.stringify(event).slice(0, 2000)}`)
        return event
      }
      if (child.exitCode !== null) throw new Error(`fusio dev exited with ${child.exitCode}: ${stderr}`)
      await new Promise((resolve) => {
        wake = resolve
        setTimeout(resolve, 200)
      })
    }
  }
  const stop = async () => {
    if (child.exitCode !== null) return
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGINT')
    await exited
  }
  return { next, stop }
}

/** Polls `url` every 2 ms until it answers 200. */
async function until200(url) {
  for (;;) {
    try {
      const response = await fetch(url)
      await response.arrayBuffer()
      if (response.status === 200) return
    } catch {
      // the service is between two processes
    }
    await sleep(2)
  }
}

/** One manifest size: the cold start of dev, then `edits` timed one-operation changes. */
async function measureSize(work, n, settings, command) {
  const project = join(work, `ops-${n}`)
  mkdirSync(project, { recursive: true })
  const manifestFile = join(project, '.fusio.yml')
  const source = manifest(n)
  writeFileSync(manifestFile, source)
  const port = freePort()
  const dev = startDev(command, manifestFile, port)
  try {
    const first = await dev.next('build')
    const started = await dev.next('restart')
    const edits = []
    for (let k = 0; k <= settings.devEdits; k++) {
      await sleep(SETTLE_MS)
      const path = `/r0e${k}`
      const began = performance.now()
      writeFileSync(manifestFile, source.replace('httpPath: "/r0/:id"', `httpPath: "${path}/:id"`))
      await until200(`http://127.0.0.1:${port}${path}/1`)
      const servedMs = performance.now() - began
      const build = await dev.next('build')
      const restart = await dev.next('restart')
      // Edit 0 warms up what a first rebuild loads; it is not counted.
      if (k > 0) edits.push({ servedMs, buildMs: build.ms, timings: build.timings, restartMs: restart.ms })
    }
    const stages = Object.keys(edits[0].timings)
    return {
      operations: n,
      edits: edits.length,
      firstBuildMs: first.ms,
      firstStartMs: started.ms,
      servedMs: spread(edits.map((e) => e.servedMs)),
      buildMs: spread(edits.map((e) => e.buildMs)),
      stages: Object.fromEntries(stages.map((stage) => [stage, Math.round(median(edits.map((e) => e.timings[stage] ?? 0)))])),
      restartMs: spread(edits.map((e) => e.restartMs)),
    }
  } finally {
    await dev.stop()
  }
}

export async function measureDev(settings, log = console.log) {
  const command = [join(root, 'bin/fusio'), 'dev']
  const work = mkdtempSync(join(tmpdir(), 'fusio-bench-dev-'))
  const rows = []
  try {
    for (const n of settings.sizes) {
      const row = await measureSize(work, n, settings, command)
      rows.push(row)
      const stages = Object.entries(row.stages).map(([stage, ms]) => `${stage} ${ms}`).join(', ')
      log(`${String(n).padStart(5)} operations: change → served ${row.servedMs.median} ms (${row.servedMs.min}–${row.servedMs.max}); build ${row.buildMs.median} ms (${stages}), restart ${row.restartMs.median} ms; first build ${row.firstBuildMs} ms`)
    }
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
  return rows
}

if (process.argv[1] === import.meta.filename) await measureDev(settingsFrom(process.argv))
