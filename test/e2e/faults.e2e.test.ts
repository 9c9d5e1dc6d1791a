/**
 * Faults under traffic: the database stops while requests keep coming (503 problems, quickly, and
 * no crash), then comes back and the same process serves again without a restart.
 */
import { join } from 'node:path'
import pg from 'pg'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { build, renderDiagnostics } from '../../compiler/index.js'
import { ownPostgres, postgresBin, type OwnPostgres } from '../helpers/own-postgres.js'
import { copyProject, removeProject, REPO } from '../helpers/projects.js'
import { startApp } from '../helpers/service.js'
import { required } from '../helpers/services.js'

const bin = postgresBin()
if (!bin && required) throw new Error('PostgreSQL server binaries are missing; FUSIO_REQUIRE_SERVICES=1 makes that a failure')
const reason = bin ? '' : ' [skipped: PostgreSQL server binaries are not installed]'

let project: string
let server: OwnPostgres
let app: FastifyInstance

beforeAll(async () => {
  if (!bin) return
  server = ownPostgres(55432 + (process.pid % 1000))
  server.start()
  const client = new pg.Client({ connectionString: server.url })
  await client.connect()
  await client.query('create table item (id serial primary key, name varchar(100) not null unique, price numeric(10,2), active boolean, created_at timestamp, due date, data bytea, note text)')
  await client.query("insert into item (name) values ('Ada'), ('Grace')")
  await client.end()
  project = copyProject(join(REPO, 'test/fixtures/projects/sql-family'))
  const result = await build({ manifest: join(project, '.fusio.yml') })
  if (!result.ok) throw new Error(renderDiagnostics(result.diagnostics))
  app = await startApp(project, { DATABASE_URL: server.url })
})

afterAll(async () => {
  await app?.close()
  server?.destroy()
  if (project) removeProject(project)
})

describe.runIf(bin)(`a database that stops under traffic${reason}`, () => {
  it('gives 503 problems while it is down and serves again when it is back, without a restart', async () => {
    const list = () => app.inject({ url: '/item' })
    expect((await list()).statusCode).toBe(200)
    // Traffic in flight while the server goes away.
    const during = Promise.all(Array.from({ length: 20 }, (_, i) => new Promise((r) => setTimeout(r, i * 10)).then(list)))
    server.stop()
    const statuses = (await during).map((r) => r.statusCode)
    expect(statuses.every((s) => s === 200 || s === 503)).toBe(true)

    const started = Date.now()
    const down = await list()
    expect(down.statusCode).toBe(503)
    expect(down.headers['content-type']).toContain('application/problem+json')
    expect(down.json()).toMatchObject({ type: 'urn:fusio:error:connection-unavailable', title: 'Service Unavailable' })
    expect(Date.now() - started).toBeLessThan(2000)
    expect((await app.inject({ url: '/ready' })).statusCode).toBe(503)
    expect((await app.inject({ url: '/health' })).statusCode).toBe(200)

    server.start()
    const back = await list()
    expect(back.statusCode).toBe(200)
    expect(back.json()).toMatchObject({ totalResults: 2 })
    expect((await app.inject({ method: 'POST', url: '/item', payload: { name: 'Linus' } })).statusCode).toBe(201)
    expect((await app.inject({ url: '/ready' })).statusCode).toBe(200)
  })
})
