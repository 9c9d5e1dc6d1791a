/**
 * The bundle as a process: secrets stay out of the output, a missing variable stops start-up, the
 * service listens, drains in-flight requests on SIGTERM, and dist/ runs copied alone elsewhere.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { build } from '../../compiler/index.js'
import { copyProject, removeProject, REPO } from '../helpers/projects.js'
import { spawnService, startApp, token } from '../helpers/service.js'

const SENTINEL = 'sentinel-4f1c9a7e-secret'
let project: string

beforeAll(async () => {
  project = copyProject(join(REPO, 'test/fixtures/projects/service'))
  process.env.FUSIO_TEST_DB_PATH = `/tmp/${SENTINEL}.db`
  const result = await build({ manifest: join(project, '.fusio.yml') })
  delete process.env.FUSIO_TEST_DB_PATH
  expect(result.diagnostics).toEqual([])
})
afterAll(() => removeProject(project))

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? filesUnder(path) : [path]
  })
}

const exited = (child: ChildProcess) => new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))

describe('service bundle', () => {
  it('never writes an environment value into generated/ or dist/', () => {
    const files = [...filesUnder(join(project, 'generated')), ...filesUnder(join(project, 'dist')).filter((f) => !f.includes('node_modules'))]
    expect(files.length).toBeGreaterThan(8)
    for (const file of files) expect(readFileSync(file, 'utf8'), file).not.toContain(SENTINEL)
    expect(readFileSync(join(project, 'generated/service.ts'), 'utf8')).toContain("$env: 'FUSIO_TEST_DB_PATH'")
  })

  it('reads the variable at start-up (the database is created where it points)', async () => {
    const db = join(mkdtempSync(join(tmpdir(), 'fusio-db-')), `${SENTINEL}.db`)
    const app = await startApp(project, { FUSIO_TEST_DB_PATH: db })
    expect((await app.inject({ url: '/events' })).json().entry).toEqual([{ id: 1, name: 'started' }])
    await app.close()
    expect(existsSync(db)).toBe(true)
  })

  it('refuses to start without it, naming it', async () => {
    const child = spawn(process.execPath, [join(project, 'dist/server.mjs')], { env: { PATH: process.env.PATH }, stdio: ['ignore', 'pipe', 'pipe'] })
    let stderr = ''
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()))
    expect(await exited(child)).toBe(1)
    expect(stderr).toContain('missing environment variable FUSIO_TEST_DB_PATH')
  })

  it('maps *rest parameters and answers inactive operations with 410', async () => {
    const app = await startApp(project, { FUSIO_TEST_DB_PATH: ':memory:' })
    const files = await app.inject({ url: '/files/a/b/c.txt' })
    expect(files.json()).toEqual({ files: true })
    expect(files.headers['cache-control']).toBe('no-store')
    const gone = await app.inject({ url: '/gone' })
    expect(gone.statusCode).toBe(410)
    expect(gone.headers['x-stability']).toBe('deprecated')
    await app.close()
  })

  it('on a public operation, a valid token names the caller and an invalid one is ignored', async () => {
    const app = await startApp(project, { FUSIO_TEST_DB_PATH: ':memory:' })
    const valid = await app.inject({ url: '/me?greeting=hi', headers: { authorization: `Bearer ${await token({ sub: 'ada' })}` } })
    expect(valid.json()).toEqual({ subject: 'ada', greeting: 'hi' })
    const invalid = await app.inject({ url: '/me', headers: { authorization: 'Bearer not-a-token' } })
    expect(invalid.json()).toEqual({ subject: null, greeting: null })
    await app.close()
  })

  it('listens, and on SIGTERM finishes in-flight requests before exiting 0', async () => {
    const db = join(mkdtempSync(join(tmpdir(), 'fusio-db-')), 'drain.db')
    const { child, url } = await spawnService(project, { FUSIO_TEST_DB_PATH: db })
    expect((await fetch(`${url}/health`)).status).toBe(200)
    const inFlight = fetch(`${url}/slow?ms=700`)
    await new Promise((r) => setTimeout(r, 150))
    const exit = exited(child)
    child.kill('SIGTERM')
    const response = await inFlight
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ slept: 700 })
    expect(await exit).toBe(0)
    await expect(fetch(`${url}/health`)).rejects.toThrow()
  })

  it('runs from dist/ copied alone to another folder, with no npm install', async () => {
    const elsewhere = mkdtempSync(join(tmpdir(), 'fusio-copied-'))
    cpSync(join(project, 'dist'), join(elsewhere, 'dist'), { recursive: true })
    const { child, url } = await spawnService(elsewhere, { FUSIO_TEST_DB_PATH: join(elsewhere, 'copied.db'), NODE_PATH: '' })
    expect(await (await fetch(`${url}/events`)).json()).toMatchObject({ totalResults: 1 })
    child.kill('SIGTERM')
    expect(await exited(child)).toBe(0)
  })
})
