/**
 * Rate limits across instances: two service processes with FUSIO_REDIS_URL share one count, so the
 * plan's limit holds whichever instance a call reaches; without Redis, and while Redis is down, each
 * process counts alone (and nothing fails). Calls alternate between the processes.
 */
import type { ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { build, renderDiagnostics } from '../../compiler/index.js'
import { copyProject, removeProject, REPO } from '../helpers/projects.js'
import { addUser, JWT_SECRET, sameWindow, spawnService } from '../helpers/service.js'
import { probeService, SERVICES } from '../helpers/services.js'

const redis = await probeService('redis')
const PASSWORD = 'a long enough password'

let project: string
let dataDir: string
const children: ChildProcess[] = []

beforeAll(async () => {
  project = copyProject(join(REPO, 'examples/api-product'))
  const result = await build({ manifest: join(project, '.fusio.yml') })
  if (!result.ok) throw new Error(renderDiagnostics(result.diagnostics))
  dataDir = mkdtempSync(join(tmpdir(), 'fusio-rate-'))
  addUser(project, { FUSIO_DATABASE_URL: `sqlite:///${dataDir}/service.db` }, { name: 'olga', password: PASSWORD })
})

afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGTERM')
})

afterAll(() => {
  removeProject(project)
  rmSync(dataDir, { recursive: true, force: true })
})

async function instances(extra: Record<string, string>): Promise<string[]> {
  const env = {
    FUSIO_JWT_SECRET: JWT_SECRET,
    FUSIO_DATABASE_URL: `sqlite:///${dataDir}/service.db`,
    FUSIO_DIR_SRC: dataDir,
    FUSIO_PUBLIC_URL: 'http://api.test',
    ...extra,
  }
  const started = await Promise.all([spawnService(project, env), spawnService(project, env)])
  children.push(...started.map((s) => s.child))
  return started.map((s) => s.url)
}

async function token(url: string): Promise<string> {
  const response = await fetch(`${url}/authorization/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'password', username: 'olga', password: PASSWORD, scope: 'forecast' }),
  })
  expect(response.status).toBe(200)
  return ((await response.json()) as { access_token: string }).access_token
}

/** Calls GET /forecast/1 `count` times, alternating between the instances; returns the statuses. */
async function alternate(urls: string[], bearer: string, count: number): Promise<{ statuses: number[]; remaining: (string | null)[] }> {
  const statuses: number[] = []
  const remaining: (string | null)[] = []
  await sameWindow(60)
  for (let i = 0; i < count; i++) {
    const response = await fetch(`${urls[i % urls.length]}/forecast/1`, { headers: { authorization: `Bearer ${bearer}` } })
    statuses.push(response.status)
    remaining.push(response.headers.get('ratelimit-remaining'))
    await response.arrayBuffer()
  }
  return { statuses, remaining }
}

describe(`rate limits across two service processes${redis.reason}`, () => {
  it.skipIf(!redis.available)('share one count through Redis: the eleventh call of the Free plan is refused on either instance', async () => {
    const urls = await instances({ FUSIO_REDIS_URL: SERVICES.redis.url, FUSIO_REDIS_PREFIX: `fusio-test-${randomUUID()}` })
    const { statuses, remaining } = await alternate(urls, await token(urls[0]), 12)
    expect(statuses).toEqual([...Array(10).fill(200), 429, 429])
    expect(remaining.slice(0, 10)).toEqual(['9', '8', '7', '6', '5', '4', '3', '2', '1', '0'])
  })

  it('count alone without Redis: each process allows the full limit', async () => {
    const urls = await instances({})
    const { statuses } = await alternate(urls, await token(urls[0]), 22)
    expect(statuses.filter((s) => s === 200)).toHaveLength(20)
    expect(statuses.slice(20)).toEqual([429, 429])
  })

  it('count alone while Redis is unreachable, and keep serving', async () => {
    const urls = await instances({ FUSIO_REDIS_URL: 'redis://127.0.0.1:1' })
    const { statuses, remaining } = await alternate(urls, await token(urls[0]), 22)
    expect(statuses.filter((s) => s === 200)).toHaveLength(20)
    expect(statuses.slice(20)).toEqual([429, 429])
    expect(remaining[0]).toBe('9')
  })
})
