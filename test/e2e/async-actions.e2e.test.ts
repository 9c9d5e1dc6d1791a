/**
 * `async: true` actions: 202 at once, the action runs from the durable job queue, failures are
 * retried, and a job whose process was killed mid-run is run again by the next process.
 */
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { build, renderDiagnostics } from '../../compiler/index.js'
import { copyProject, removeProject, REPO } from '../helpers/projects.js'
import { spawnService, startApp } from '../helpers/service.js'

let project: string
let dir: string
let app: FastifyInstance

const rows = (file: string, statement: string): Record<string, unknown>[] => {
  const db = new Database(file, { readonly: true })
  try {
    return db.prepare(statement).all() as Record<string, unknown>[]
  } finally {
    db.close()
  }
}

/** Polls until the check passes or the time is up; the last failure is the test's failure. */
async function eventually<T>(check: () => T, ms = 8000): Promise<T> {
  const until = Date.now() + ms
  for (;;) {
    try {
      return check()
    } catch (error) {
      if (Date.now() > until) throw error
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }
}

beforeAll(async () => {
  project = copyProject(join(REPO, 'test/fixtures/projects/async-family'))
  const result = await build({ manifest: join(project, '.fusio.yml') })
  if (!result.ok) throw new Error(renderDiagnostics(result.diagnostics))
  dir = mkdtempSync(join(tmpdir(), 'fusio-async-'))
  app = await startApp(project, { FUSIO_TEST_DB_PATH: join(dir, 'app.db'), FUSIO_DATABASE_URL: `sqlite:///${join(dir, 'service.db')}`, FUSIO_JOB_POLL_MS: '100' })
})

afterAll(async () => {
  await app?.close()
  removeProject(project)
})

describe('async actions', () => {
  it('answer 202 at once and run the action from the queue', async () => {
    const response = await app.inject({ method: 'POST', url: '/events', payload: { name: 'queued' } })
    expect(response.statusCode).toBe(202)
    const body = response.json()
    expect(body).toMatchObject({ success: true, message: 'Request was queued for execution' })
    await eventually(() => expect(rows(join(dir, 'app.db'), "select name from event where name = 'queued'")).toHaveLength(1))
    await eventually(() => expect(rows(join(dir, 'service.db'), `select status, attempts from fusio_job where id = '${body.id}'`)).toEqual([{ status: 'done', attempts: 1 }]))
  })

  it('are documented as answering 202 in the OpenAPI document', () => {
    const openapi = JSON.parse(readFileSync(join(project, 'dist/openapi.json'), 'utf8'))
    const responses = openapi.paths['/events'].post.responses
    expect(Object.keys(responses).sort()).toEqual(['202', 'default'])
    expect(responses['202'].content['application/json'].schema.required).toEqual(['success', 'message'])
  })

  it('still validate the request before queueing it', async () => {
    const response = await app.inject({ method: 'POST', url: '/events', payload: { name: '' } })
    expect(response.statusCode).toBe(400)
    expect(response.json()).toMatchObject({ errors: [{ field: 'name' }] })
  })

  it('retry a failing job, which then succeeds', async () => {
    const response = await app.inject({ method: 'POST', url: '/flaky', payload: { name: 'flaky' } })
    expect(response.statusCode).toBe(202)
    const { id } = response.json()
    await eventually(() => expect(rows(join(dir, 'app.db'), "select attempt from event where name = 'flaky'")).toEqual([{ attempt: 2 }]))
    await eventually(() => expect(rows(join(dir, 'service.db'), `select status, attempts from fusio_job where id = '${id}'`)).toEqual([{ status: 'done', attempts: 2 }]))
  })
})

describe('the job queue across a crash', () => {
  it('runs a job again in the next process when the one running it was killed', async () => {
    const env = { FUSIO_TEST_DB_PATH: join(dir, 'crash.db'), FUSIO_DATABASE_URL: `sqlite:///${join(dir, 'crash-service.db')}`, FUSIO_JOB_LEASE: '1', FUSIO_JOB_POLL_MS: '100' }
    const first = await spawnService(project, env)
    const queued = await fetch(`${first.url}/slow`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'survivor', ms: 1500 }) })
    expect(queued.status).toBe(202)
    const { id } = (await queued.json()) as { id: string }
    await eventually(() => expect(rows(env.FUSIO_DATABASE_URL.slice(10), `select status from fusio_job where id = '${id}'`)).toEqual([{ status: 'running' }]))
    first.child.kill('SIGKILL')
    await new Promise((resolve) => first.child.once('exit', resolve))
    expect(rows(env.FUSIO_TEST_DB_PATH, "select name from event where name = 'survivor'")).toHaveLength(0)

    const second = await spawnService(project, env)
    try {
      await eventually(() => expect(rows(env.FUSIO_TEST_DB_PATH, "select name from event where name = 'survivor'")).toHaveLength(1))
      await eventually(() => expect(rows(env.FUSIO_DATABASE_URL.slice(10), `select status, attempts from fusio_job where id = '${id}'`)).toEqual([{ status: 'done', attempts: 2 }]))
    } finally {
      second.child.kill('SIGTERM')
    }
  })
})
