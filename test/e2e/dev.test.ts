/**
 * `fusio dev` on a copy of examples/todo: the first build serves; a manifest edit, a handler edit and
 * an edit of a module the handler imports are served without restarting dev; a broken manifest prints
 * its diagnostic while the old service keeps answering, and fixing it recovers; rows written through
 * the API survive restarts; a handler type error is reported after the restart; SIGINT exits 0 and
 * leaves no service behind. Both outputs: text lines (for people) and --json events (for tools).
 * First, the pieces that make a rebuild cheap: the scheduler, generated/ written against the last
 * build, the emit cache and the type checker kept between builds.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { Cache } from '../../compiler/cache/index.js'
import { createChecker } from '../../compiler/check/index.js'
import { createScheduler } from '../../compiler/dev/scheduler.js'
import { watchProject } from '../../compiler/dev/watch.js'
import { createMemoryHost, createNodeHost } from '../../compiler/host/index.js'
import { projectCache, runPipeline } from '../../compiler/pipeline.js'
import { copyProject, removeProject, REPO } from '../helpers/projects.js'
import { freePort, JWT_SECRET, token } from '../helpers/service.js'

describe('fusio dev: between builds', () => {
  it('runs once for a burst of changes, and once more for all that arrived while it ran', async () => {
    const runs: string[][] = []
    let finish = () => {}
    const scheduler = createScheduler((changed) => {
      runs.push([...changed])
      return new Promise<void>((resolve) => (finish = resolve))
    }, 5)
    scheduler.kick()
    expect(runs).toEqual([[]])
    scheduler.notify('/p/b.json')
    scheduler.notify('/p/.fusio.yml')
    scheduler.notify('/p/b.json')
    finish()
    await vi.waitFor(() => expect(runs).toHaveLength(2))
    expect(runs[1]).toEqual(['/p/.fusio.yml', '/p/b.json'])
    scheduler.notify('/p/c.sql')
    const closed = scheduler.close()
    finish()
    await closed
    expect(runs).toHaveLength(2)
  })

  it('reports a second write to a file that came right after the first (chokidar drops it)', async () => {
    const project = copyProject(join(REPO, 'examples/todo'), 'todo')
    const seen: string[] = []
    const watcher = watchProject({ projectDir: project, skippedDirs: ['generated', 'dist'], onChange: (path) => seen.push(readFileSync(path, 'utf8')), onError: (error) => seen.push(String(error)) })
    try {
      const schema = join(project, 'schemas/todo.json')
      // chokidar is ready once a first change comes through.
      await vi.waitFor(() => {
        writeFileSync(schema, 'first')
        expect(seen).toContain('first')
      })
      writeFileSync(schema, 'second')
      await vi.waitFor(() => expect(seen.at(-1)).toBe('second'))
      writeFileSync(join(project, 'generated.txt'), 'outside the skipped folders')
      writeFileSync(join(project, 'todo.db'), 'a database')
      await vi.waitFor(() => expect(seen.at(-1)).toBe('outside the skipped folders'))
      expect(seen).not.toContain('a database')
    } finally {
      await watcher.close()
      removeProject(project)
    }
  })

  it('rewrites only the generated files whose bytes changed, with the emit cache kept in memory', async () => {
    const project = copyProject(join(REPO, 'examples/todo'), 'todo')
    try {
      const host = createNodeHost()
      const cache = projectCache(host, project)
      const options = { host, manifest: join(project, '.fusio.yml'), outDir: 'generated', distDir: 'dist', until: 'write', cache } as const
      const first = await runPipeline(options)
      const past = new Date('2001-01-01')
      for (const file of first.files!) utimesSync(join(project, 'generated', file.path), past, past)
      const schema = join(project, 'schemas/todo-stats.json')
      writeFileSync(schema, readFileSync(schema, 'utf8').replace('How many items are open and done', 'Open and done items'))
      const second = await runPipeline({ ...options, previousFiles: first.files! })
      const rewritten = second.files!.filter((file) => statSync(join(project, 'generated', file.path)).mtime.getTime() !== past.getTime()).map((file) => file.path)
      const changed = second.files!.filter((file) => first.files!.find((f) => f.path === file.path)?.contents !== file.contents).map((file) => file.path)
      expect(changed).toContain('openapi.json')
      expect(rewritten).toEqual(changed)
      expect(rewritten.length).toBeLessThan(second.files!.length)
    } finally {
      removeProject(project)
    }
  })

  it('keeps a cache across runs, each flush writing what that run used', () => {
    const host = createMemoryHost()
    const writes: string[] = []
    const store = { host: { ...host, writeFile: (path: string, text: string) => (writes.push(path), host.writeFile(path, text)) }, dir: '/p/cache' }
    const cache = new Cache('v', store)
    cache.set('space', 'a', 'A')
    cache.set('space', 'b', 'B')
    cache.flush()
    expect(Object.values(JSON.parse(host.readFile('/p/cache/space.json')!))).toEqual(expect.arrayContaining(['A', 'B']))
    expect(cache.get('space', 'a')).toBe('A')
    expect(cache.get('space', 'b')).toBe('B')
    cache.flush()
    expect(writes).toHaveLength(1)
    expect(cache.get('space', 'a')).toBe('A')
    cache.flush()
    expect(writes).toHaveLength(2)
    expect(Object.values(JSON.parse(host.readFile('/p/cache/space.json')!))).toEqual(['A'])
  })

  it('type-checks again with the files it is told changed, reusing the rest', { timeout: 60_000 }, async () => {
    const project = copyProject(join(REPO, 'examples/todo'), 'todo')
    try {
      const written = await runPipeline({ host: createNodeHost(), manifest: join(project, '.fusio.yml'), outDir: 'generated', distDir: 'dist', until: 'write' })
      const options = { projectDir: project, generatedDir: join(project, 'generated'), model: written.model! }
      const checker = createChecker()
      expect((await checker.check(options)).diagnostics).toEqual([])
      const handler = join(project, 'actions/stats.ts')
      expect(checker.reads(handler)).toBe(true)
      writeFileSync(handler, readFileSync(handler, 'utf8').replace('return { open: total - done, done, total }', "return { open: total - done, done, total: 'all' }"))
      const failing = await checker.check(options, [handler])
      expect(failing.diagnostics.map((d) => `${d.location?.file} ${d.code}`)).toEqual(['actions/stats.ts FUSIO_CHECK_TYPE_ERROR'])
      writeFileSync(handler, readFileSync(handler, 'utf8').replace("total: 'all'", 'total'))
      expect((await checker.check(options, [handler])).diagnostics).toEqual([])
    } finally {
      removeProject(project)
    }
  })
})

interface Dev {
  readonly child: ChildProcess
  readonly url: string
  /** Every line printed so far, stdout and stderr. */
  readonly lines: string[]
  /** Waits for a line after the first `from` lines that matches; returns its index. */
  waitFor(pattern: RegExp, from?: number): Promise<number>
}

async function startDev(project: string, args: string[] = []): Promise<Dev> {
  const port = await freePort()
  const child = spawn(process.execPath, [join(REPO, 'bin/fusio'), 'dev', '--manifest', join(project, '.fusio.yml'), '--port', String(port), ...args], {
    env: { ...process.env, CI: '1', FUSIO_JWT_SECRET: JWT_SECRET, FUSIO_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const lines: string[] = []
  const waiters = new Set<() => void>()
  for (const stream of [child.stdout!, child.stderr!]) {
    let rest = ''
    stream.on('data', (chunk: Buffer) => {
      const parts = (rest + chunk.toString()).split('\n')
      rest = parts.pop()!
      lines.push(...parts)
      for (const wake of waiters) wake()
    })
  }
  const waitFor = (pattern: RegExp, from = 0) =>
    new Promise<number>((resolve, reject) => {
      const look = () => {
        const index = lines.findIndex((line, i) => i >= from && pattern.test(line))
        if (index >= 0) {
          waiters.delete(look)
          clearTimeout(timer)
          resolve(index)
        }
      }
      const timer = setTimeout(() => {
        waiters.delete(look)
        reject(new Error(`no line matching ${pattern} after line ${from}:\n${lines.slice(from).join('\n')}`))
      }, 110_000)
      waiters.add(look)
      look()
    })
  return { child, url: `http://127.0.0.1:${port}`, lines, waitFor }
}

/** The services (`node …/dist/server.mjs`) whose parent is `pid`, from /proc. */
function servicesOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((name) => {
      try {
        const parent = Number(readFileSync(`/proc/${name}/stat`, 'utf8').split(') ')[1]!.split(' ')[1])
        return parent === pid && readFileSync(`/proc/${name}/cmdline`, 'utf8').includes('dist/server.mjs')
      } catch {
        return false
      }
    })
    .map(Number)
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

async function interrupt(dev: Dev): Promise<number | null> {
  if (dev.child.exitCode !== null) return dev.child.exitCode
  const exited = new Promise<number | null>((resolve) => dev.child.once('exit', (code) => resolve(code)))
  dev.child.kill('SIGINT')
  return exited
}

/** An operation answered by a static response, added to the manifest's operation section. */
function withPing(manifest: string, response: string): string {
  const action = `  Ping:\n    class: static-response\n    config: { response: ${response} }\n`
  const operation = `  ping:\n    httpMethod: GET\n    httpPath: /ping\n    public: true\n    action: Ping\n`
  return manifest.replace('\naction:\n', `\naction:\n${action}`).replace('\noperation:\n', `\noperation:\n${operation}`)
}

// Any: the answers' shapes are what the assertions check.
const get = async (url: string): Promise<{ status: number; body: any }> => {
  const response = await fetch(url)
  return { status: response.status, body: await response.json() }
}

// A rebuild that restarted the service, after the given line.
const RESTARTED = /^✓ .* changed → built in \d+ ms \(.*\), restarted in \d+ ms: http/

describe('fusio dev (text output)', { timeout: 120_000 }, () => {
  let project: string
  let manifest: string
  let original: string
  let dev: Dev

  beforeAll(async () => {
    project = copyProject(join(REPO, 'examples/todo'), 'todo')
    manifest = join(project, '.fusio.yml')
    original = readFileSync(manifest, 'utf8')
    dev = await startDev(project)
  })
  afterAll(async () => {
    if (dev) await interrupt(dev)
    removeProject(project)
  })

  it('builds, starts the service and says where it listens', async () => {
    const line = await dev.waitFor(/^✓ built in \d+ ms \(load \d+, .*bundle \d+\), started in \d+ ms: http:\/\/127\.0\.0\.1:\d+$/)
    expect(dev.lines[line]).toContain(dev.url)
    expect(await get(`${dev.url}/todo/stats`)).toEqual({ status: 200, body: { open: 2, done: 1, total: 3 } })
    // The todo database lives beside the manifest (${dir.src}), outside dist/ which builds replace.
    expect(existsSync(join(project, 'todo.db'))).toBe(true)
  })

  it('serves an operation added to the manifest without restarting dev', async () => {
    const from = dev.lines.length
    writeFileSync(manifest, withPing(original, '{ pong: 1 }'))
    const line = await dev.waitFor(RESTARTED, from)
    expect(dev.lines[line]).toMatch(/^✓ \.fusio\.yml changed → /)
    expect(await get(`${dev.url}/ping`)).toEqual({ status: 200, body: { pong: 1 } })
    expect(dev.child.exitCode).toBeNull()
  })

  it('prints the diagnostic of a broken manifest with file:line and keeps the old service answering', async () => {
    const from = dev.lines.length
    writeFileSync(manifest, withPing(original, '{ pong: 1 }').replace('    action: Ping\n', '    action: Pong\n'))
    const failed = await dev.waitFor(/build failed: 1 error, 0 warnings; the service keeps running the last good build$/, from)
    const diagnostic = dev.lines.slice(from, failed).find((line) => line.includes('error FUSIO_'))
    expect(diagnostic).toMatch(/^\.fusio\.yml:\d+:\d+: error FUSIO_\w+: .*Pong/)
    expect(await get(`${dev.url}/ping`)).toEqual({ status: 200, body: { pong: 1 } })
  })

  it('recovers when the manifest is fixed, serving the changed response', async () => {
    const from = dev.lines.length
    writeFileSync(manifest, withPing(original, '{ pong: 2 }'))
    await dev.waitFor(RESTARTED, from)
    expect(await get(`${dev.url}/ping`)).toEqual({ status: 200, body: { pong: 2 } })
  })

  it('keeps rows written through the API across restarts', async () => {
    const created = await fetch(`${dev.url}/todo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await token({ scope: 'todo' })}` },
      body: JSON.stringify({ title: 'Survive a restart' }),
    })
    expect(created.status).toBe(201)
    const from = dev.lines.length
    writeFileSync(manifest, withPing(original, '{ pong: 3 }'))
    await dev.waitFor(RESTARTED, from)
    expect((await get(`${dev.url}/ping`)).body).toEqual({ pong: 3 })
    const titles = (await get(`${dev.url}/todo`)).body.entry.map((t: { title: string }) => t.title)
    // The seed rows once each: the migrations were not applied again.
    expect(titles).toEqual(['Survive a restart', 'Ship dist/ to production', 'Run fusio build', 'Read the Fusio manifest reference'])
  })

  it('serves an edited handler, and an edit of a module it imports', async () => {
    const handler = join(project, 'actions/stats.ts')
    writeFileSync(join(project, 'actions/extra.ts'), 'export const EXTRA = 1000\n')
    let from = dev.lines.length
    writeFileSync(handler, readFileSync(handler, 'utf8').replace("import type { Kysely } from 'kysely'", "import type { Kysely } from 'kysely'\nimport { EXTRA } from './extra.js'").replace('total }', 'total: total + EXTRA }'))
    await dev.waitFor(RESTARTED, from)
    expect((await get(`${dev.url}/todo/stats`)).body).toEqual({ open: 3, done: 1, total: 1004 })
    from = dev.lines.length
    writeFileSync(join(project, 'actions/extra.ts'), 'export const EXTRA = 2000\n')
    const line = await dev.waitFor(RESTARTED, from)
    expect(dev.lines[line]).toMatch(/^✓ actions\/extra\.ts changed → /)
    expect((await get(`${dev.url}/todo/stats`)).body).toEqual({ open: 3, done: 1, total: 2004 })
  })

  it('reports a type error in a handler after restarting with it', async () => {
    const handler = join(project, 'actions/stats.ts')
    const from = dev.lines.length
    // Wrong for tsc, harmless at run time: esbuild strips the annotation.
    writeFileSync(handler, readFileSync(handler, 'utf8').replace('  return {', "  const label: number = 'stats'\n  return {"))
    await dev.waitFor(RESTARTED, from)
    const summary = await dev.waitFor(/^✗ handlers: 1 error, 0 warnings from the type check; the service was restarted anyway/, from)
    expect(dev.lines.slice(from, summary).some((line) => /^actions\/stats\.ts:\d+:\d+: error FUSIO_CHECK_TYPE_ERROR: .*'string' is not assignable to type 'number'/.test(line))).toBe(true)
    expect((await get(`${dev.url}/todo/stats`)).body).toEqual({ open: 3, done: 1, total: 2004 })
  })

  it('exits 0 on SIGINT and leaves no service running', async () => {
    const services = servicesOf(dev.child.pid!)
    expect(services).toHaveLength(1)
    expect(await interrupt(dev)).toBe(0)
    for (const pid of services) expect(alive(pid)).toBe(false)
    await expect(fetch(`${dev.url}/health`)).rejects.toThrow()
  })
})

describe('fusio dev --json', { timeout: 120_000 }, () => {
  let project: string
  let dev: Dev
  const events = () => dev.lines.filter((line) => line.startsWith('{"event"')).map((line) => JSON.parse(line))

  let original: string

  beforeAll(async () => {
    project = copyProject(join(REPO, 'examples/todo'), 'todo')
    original = readFileSync(join(project, '.fusio.yml'), 'utf8')
    dev = await startDev(project, ['--json'])
  })
  afterAll(async () => {
    if (dev) await interrupt(dev)
    removeProject(project)
  })

  it('prints one JSON event a line: build, restart, then build with diagnostics for a broken manifest', async () => {
    await dev.waitFor(/^\{"event":"restart"/)
    const [build, restart] = events()
    expect(build).toMatchObject({ event: 'build', ok: true, changed: [], restart: true, timings: { load: expect.any(Number), bundle: expect.any(Number) } })
    expect(restart).toMatchObject({ event: 'restart', url: dev.url, pid: expect.any(Number) })
    const from = dev.lines.length
    writeFileSync(join(project, '.fusio.yml'), 'service: [unclosed\n')
    await dev.waitFor(/^\{"event":"build","ok":false/, from)
    const failed = events().at(-1)
    expect(failed).toMatchObject({ event: 'build', ok: false, changed: ['.fusio.yml'], serving: true })
    expect(failed.diagnostics[0]).toMatchObject({ severity: 'error', location: { file: '.fusio.yml', line: expect.any(Number) } })
    expect((await fetch(`${dev.url}/todo/stats`)).status).toBe(200)
  })

  it('reports a crashed service and starts it again on the next change, even one that leaves dist/ as it was', async () => {
    const { pid } = events().findLast((event) => event.event === 'restart')
    const from = dev.lines.length
    process.kill(pid, 'SIGKILL')
    await dev.waitFor(/^\{"event":"error","kind":"service"/, from)
    expect(events().at(-1)).toMatchObject({ event: 'error', kind: 'service', signal: 'SIGKILL' })
    writeFileSync(join(project, '.fusio.yml'), original)
    await dev.waitFor(/^\{"event":"restart"/, from)
    expect(events().findLast((event) => event.event === 'build')).toMatchObject({ ok: true, changed: ['.fusio.yml'], restart: true })
    expect(events().findLast((event) => event.event === 'restart').pid).not.toBe(pid)
    expect((await get(`${dev.url}/todo/stats`)).body).toEqual({ open: 2, done: 1, total: 3 })
  })

  it('exits 0 on SIGINT and the service it started is gone', async () => {
    const { pid } = events().findLast((event) => event.event === 'restart')
    expect(alive(pid)).toBe(true)
    expect(await interrupt(dev)).toBe(0)
    expect(alive(pid)).toBe(false)
  })
})
