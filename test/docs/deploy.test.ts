/**
 * docs/deploy.md and docs/deploy/: the systemd unit verifies, the variables the page names are the ones
 * the runtime reads (both ways), the container's health check works, and two instances of the built
 * api-product example, set up as "Several instances" says (one PostgreSQL service database, one Redis,
 * the same key, FUSIO_TRUST_PROXY, migrations once), act as one service and drain on SIGTERM.
 */
import { execFile, spawnSync, type ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { build, renderDiagnostics } from '../../compiler/index.js'
import { scratchDatabase, type ScratchDatabase } from '../helpers/databases.js'
import { copyProject, removeProject, REPO } from '../helpers/projects.js'
import { addUser, freePort, JWT_SECRET, sameWindow, spawnService } from '../helpers/service.js'
import { probeService, required, SERVICES } from '../helpers/services.js'

const run = promisify(execFile)
const read = (path: string) => readFileSync(join(REPO, path), 'utf8')
const deployPage = read('docs/deploy.md')
const unit = read('docs/deploy/fusio-api.service')
const dockerfile = read('docs/deploy/Dockerfile')
const deployFiles = readdirSync(join(REPO, 'docs/deploy')).map((name) => read(`docs/deploy/${name}`))

/** Source files of the runtime, the code a built service runs. */
function runtimeSources(dir = join(REPO, 'runtime-min')): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? runtimeSources(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [readFileSync(join(dir, entry.name), 'utf8')] : [],
  )
}
const runtime = runtimeSources().join('\n')
const ENV_NAME = /\b(?:FUSIO_(?!ERR_)[A-Z0-9_]*[A-Z0-9]|PORT|HOST|NODE_ENV)\b/g
const namesIn = (text: string) => new Set(text.match(ENV_NAME) ?? [])
/** What the runtime reads: FUSIO_* settings by name, and the three plain ones through `env.`. */
const runtimeNames = new Set([...namesIn(runtime)].filter((name) => name.startsWith('FUSIO_') || new RegExp(`env\\.${name}\\b`).test(runtime)))

describe('docs/deploy.md names the environment the runtime reads', () => {
  it('every variable named on the page or in docs/deploy/ is read by runtime-min', () => {
    const named = new Set([...namesIn(deployPage), ...deployFiles.flatMap((file) => [...namesIn(file)])])
    expect(named.size).toBeGreaterThan(20)
    for (const name of named) expect(runtimeNames, `${name} is named in the deploy docs`).toContain(name)
  })

  it('every variable runtime-min reads is on the page', () => {
    expect(runtimeNames.size).toBeGreaterThan(20)
    const named = namesIn(deployPage)
    for (const name of runtimeNames) expect(named, `${name} is read by the runtime`).toContain(name)
  })
})

describe('docs/deploy/fusio-api.service', () => {
  const settings = unit
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#') && !line.startsWith('['))
    .map((line) => {
      const at = line.indexOf('=')
      return [line.slice(0, at), line.slice(at + 1)] as const
    })
  const value = (key: string) => settings.filter(([k]) => k === key).map(([, v]) => v)

  it.skipIf(spawnSync('which', ['systemd-analyze']).status !== 0)('passes systemd-analyze verify without a warning', () => {
    const verified = spawnSync('systemd-analyze', ['verify', join(REPO, 'docs/deploy/fusio-api.service')], { encoding: 'utf8' })
    expect(`${verified.stdout}${verified.stderr}`.trim()).toBe('')
    expect(verified.status).toBe(0)
  })

  it('is an INI file with the three sections, one key=value per line', () => {
    expect(unit.match(/^\[(\w+)\]$/gm)).toEqual(['[Unit]', '[Service]', '[Install]'])
    for (const [key] of settings) expect(key).toMatch(/^[A-Za-z]+$/)
  })

  it('runs the bundle, writes only its state directory, and outlasts the drain when stopped', () => {
    expect(value('ExecStart')).toEqual(['/usr/bin/node /opt/fusio-api/dist/server.mjs'])
    expect(value('ProtectSystem')).toEqual(['strict'])
    expect(value('Environment')).toContain(`FUSIO_DIR_SRC=/var/lib/${value('StateDirectory')[0]}`)
    // V8 needs writable executable memory; the unit must not forbid it.
    expect(value('MemoryDenyWriteExecute')).toEqual([])
    const drainMs = Number(value('Environment').find((e) => e.startsWith('FUSIO_SHUTDOWN_TIMEOUT='))!.split('=')[1])
    expect(Number(value('TimeoutStopSec')[0]) * 1000).toBeGreaterThan(drainMs)
  })
})

describe('docs/deploy/Dockerfile', () => {
  it('builds in one node:20-slim stage and runs dist/ in another, unprivileged, on 0.0.0.0', () => {
    expect(dockerfile.match(/^FROM node:20-slim/gm)).toHaveLength(2)
    expect(dockerfile).toMatch(/^RUN npm ci\b/m)
    expect(dockerfile).toMatch(/^RUN node bin\/fusio build --manifest "\$PROJECT\/\.fusio\.yml"/m)
    expect(dockerfile).toMatch(/^USER node$/m)
    expect(dockerfile).toMatch(/HOST=0\.0\.0\.0/)
    expect(dockerfile).toMatch(/^CMD \["node", "dist\/server\.mjs"\]$/m)
  })
})

const postgres = await probeService('postgres')
const redis = await probeService('redis')
const services = { available: postgres.available && redis.available, reason: `${postgres.reason}${redis.reason}` }
const PASSWORD = 'a long enough password'

describe(`two instances behind a load balancer, as docs/deploy.md describes${services.reason}`, () => {
  let project: string
  let dataDir: string
  let database: ScratchDatabase
  let env: Record<string, string>
  const children: ChildProcess[] = []
  let urls: string[] = []

  beforeAll(async () => {
    if (!services.available) return
    project = copyProject(join(REPO, 'examples/api-product'))
    const result = await build({ manifest: join(project, '.fusio.yml') })
    if (!result.ok) throw new Error(renderDiagnostics(result.diagnostics))
    dataDir = mkdtempSync(join(tmpdir(), 'fusio-deploy-'))
    database = await scratchDatabase('postgres')
    env = {
      NODE_ENV: 'production',
      FUSIO_DIR_SRC: dataDir,
      FUSIO_DATABASE_URL: database.url,
      FUSIO_REDIS_URL: SERVICES.redis.url,
      FUSIO_REDIS_PREFIX: `fusio-deploy-${randomUUID()}`,
      FUSIO_JWT_SECRET: JWT_SECRET,
      FUSIO_PUBLIC_URL: 'https://api.example.test',
      // Production needs a mail server; nothing is mailed in this test.
      FUSIO_MAIL_URL: 'smtp://127.0.0.1:2525',
      FUSIO_TRUST_PROXY: '127.0.0.1',
      FUSIO_SHUTDOWN_TIMEOUT: '5000',
      FUSIO_LOG_LEVEL: 'info',
    }
  })

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL')
    if (!services.available) return
    await database.drop()
    removeProject(project)
    rmSync(dataDir, { recursive: true, force: true })
  })

  it.skipIf(!services.available)('migrate runs once, as a release step, before the instances start', async () => {
    const migrated = await run(process.execPath, [join(project, 'dist/server.mjs'), 'migrate'], { env: { ...process.env, ...env } })
    expect(migrated.stdout).toContain('"migration":"migrations/001_forecast.sql","msg":"migration applied"')
    addUser(project, env, { name: 'olga', password: PASSWORD })
    const started = await Promise.all([spawnService(project, env), spawnService(project, env)])
    children.push(...started.map((s) => s.child))
    urls = started.map((s) => s.url)
    for (const instance of started) expect(instance.output()).not.toContain('migration applied')
    for (const url of urls) expect((await fetch(`${url}/ready`)).status).toBe(200)
    // The accounts are in PostgreSQL, the one service database.
    expect(await database.exec('select name from fusio_user')).toEqual([{ name: 'olga' }])
  })

  it.skipIf(!services.available)('a token from one instance opens the other, and the plan limit counts calls on both', async () => {
    const issued = await fetch(`${urls[0]}/authorization/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'password', username: 'olga', password: PASSWORD, scope: 'forecast' }),
    })
    expect(issued.status).toBe(200)
    const { access_token: bearer } = (await issued.json()) as { access_token: string }
    await sameWindow(60)
    const statuses: number[] = []
    const remaining: (string | null)[] = []
    for (let i = 0; i < 12; i++) {
      const response = await fetch(`${urls[(i + 1) % 2]}/forecast/1`, { headers: { authorization: `Bearer ${bearer}` } })
      statuses.push(response.status)
      remaining.push(response.headers.get('ratelimit-remaining'))
      await response.arrayBuffer()
    }
    // The Free plan allows 10 a minute: together, not 10 on each instance.
    expect(statuses).toEqual([...Array(10).fill(200), 429, 429])
    expect(remaining.slice(0, 10)).toEqual(['9', '8', '7', '6', '5', '4', '3', '2', '1', '0'])
  })

  it.skipIf(!services.available)('with FUSIO_TRUST_PROXY, anonymous clients behind the balancer are counted apart, across instances', async () => {
    await sameWindow(60)
    const call = async (url: string, client: string) => {
      const response = await fetch(`${url}/forecast`, { headers: { 'x-forwarded-for': client } })
      await response.arrayBuffer()
      return response.headers.get('ratelimit-remaining')
    }
    // The Anonymous rate: 30 a minute per client address.
    expect(await call(urls[0], '203.0.113.7')).toBe('29')
    expect(await call(urls[1], '203.0.113.7')).toBe('28')
    expect(await call(urls[1], '203.0.113.8')).toBe('29')
  })

  it.skipIf(!services.available)("the container's health check passes against a running instance and fails without one", async () => {
    const healthcheck = /^HEALTHCHECK[^\n]*?(?:\\\n[^\n]*?)*CMD (\[.*\])$/m.exec(dockerfile)
    expect(healthcheck).not.toBeNull()
    const [command, ...args] = JSON.parse(healthcheck![1]) as string[]
    expect(command).toBe('node')
    const check = (port: string) => spawnSync(process.execPath, args, { env: { ...process.env, PORT: port }, timeout: 10_000 }).status
    expect(check(new URL(urls[1]).port)).toBe(0)
    // A port nothing listens on: the check fails rather than hangs.
    expect(check(String(await freePort()))).toBe(1)
  })

  it.skipIf(!services.available)('SIGTERM drains one instance, which exits 0, while the other keeps serving', async () => {
    const [first] = children
    const exited = new Promise<number | null>((resolve) => first.once('exit', (code) => resolve(code)))
    first.kill('SIGTERM')
    expect(await exited).toBe(0)
    expect((await fetch(`${urls[1]}/health`)).status).toBe(200)
    await expect(fetch(`${urls[0]}/health`)).rejects.toThrow()
  })
})

describe('docs/deploy/nginx.conf', () => {
  const nginx = spawnSync('which', ['nginx']).status === 0
  // CI installs nginx (.ci/run): there a missing nginx fails the check instead of skipping it.
  it.skipIf(!nginx && !required)(`is accepted by nginx -t${nginx ? '' : ' [skipped: nginx is not installed]'}`, () => {
    expect(nginx, 'nginx is not installed (apt-get install nginx-light)').toBe(true)
    const dir = mkdtempSync(join(tmpdir(), 'fusio-nginx-'))
    try {
      const main = join(dir, 'nginx.conf')
      writeFileSync(main, `pid ${dir}/nginx.pid;\nevents {}\nhttp {\n  include ${join(REPO, 'docs/deploy/nginx.conf')};\n}\n`)
      const tested = spawnSync('nginx', ['-t', '-p', dir, '-c', main, '-e', join(dir, 'error.log')], { encoding: 'utf8' })
      expect(tested.status, tested.stderr).toBe(0)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('sends traffic to the ports and passes the headers the page describes', () => {
    const conf = read('docs/deploy/nginx.conf')
    expect(conf).toMatch(/server 127\.0\.0\.1:8081/)
    expect(conf).toMatch(/server 127\.0\.0\.1:8082/)
    expect(conf).toMatch(/proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;/)
    expect(conf).toMatch(/proxy_next_upstream error timeout http_503;/)
    expect(deployPage).toContain('PORT=8081 FUSIO_TRUST_PROXY=127.0.0.1')
  })
})
