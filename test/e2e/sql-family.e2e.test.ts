/**
 * One test-suite for the SQL family, run against SQLite, PostgreSQL and MariaDB: the same requests
 * must give the same answers, values included (booleans, decimals, timestamps, dates, binary).
 */
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { build, renderDiagnostics } from '../../compiler/index.js'
import { scratchDatabase, type Backend, type ScratchDatabase } from '../helpers/databases.js'
import { copyProject, removeProject, REPO } from '../helpers/projects.js'
import { startApp } from '../helpers/service.js'
import { probeService, type ServiceProbe } from '../helpers/services.js'

const TABLES: Record<Backend, string> = {
  sqlite:
    'create table item (id integer primary key, name varchar(100) not null unique, price decimal(10,2), active boolean, created_at datetime, due date, data blob, note text)',
  postgres:
    'create table item (id serial primary key, name varchar(100) not null unique, price numeric(10,2), active boolean, created_at timestamp, due date, data bytea, note text)',
  mariadb:
    'create table item (id int auto_increment primary key, name varchar(100) not null unique, price decimal(10,2), active boolean, created_at datetime, due date, data blob, note text)',
}

const placeholder = (backend: Backend, index: number) => (backend === 'postgres' ? `$${index}` : '?')

const backends: { backend: Backend; probe: ServiceProbe }[] = [
  { backend: 'sqlite', probe: { available: true, reason: '' } },
  { backend: 'postgres', probe: await probeService('postgres') },
  { backend: 'mariadb', probe: await probeService('mariadb') },
]

let project: string

beforeAll(async () => {
  project = copyProject(join(REPO, 'test/fixtures/projects/sql-family'))
  const result = await build({ manifest: join(project, '.fusio.yml') })
  if (!result.ok) throw new Error(renderDiagnostics(result.diagnostics))
})

afterAll(() => removeProject(project))

describe.each(backends)('the SQL family on $backend', ({ backend, probe }) => {
  let database: ScratchDatabase
  let app: FastifyInstance

  const send = async (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: object) => {
    const response = await app.inject({ method, url, ...(payload ? { payload } : {}) })
    return { status: response.statusCode, body: response.json(), type: response.headers['content-type'] }
  }

  beforeAll(async () => {
    if (!probe.available) return
    database = await scratchDatabase(backend)
    await database.exec(TABLES[backend])
    app = await startApp(project, { DATABASE_URL: database.url })
  })

  afterAll(async () => {
    await app?.close()
    await database?.drop()
  })

  describe.runIf(probe.available)(`requests${probe.reason}`, () => {
    it('creates a row and answers 201 with the database-assigned id', async () => {
      const created = await send('POST', '/item', {
        name: 'Ada',
        price: 9.9,
        active: true,
        created_at: '2024-05-01T12:20:30+02:00',
        due: '2024-06-01',
        id: 999,
      })
      expect(created).toMatchObject({ status: 201, body: { success: true, message: 'Entry successfully created', id: 1 } })
    })

    it('reads a row back with the same value shapes on every database', async () => {
      const row = await send('GET', '/item/1')
      expect(row.status).toBe(200)
      expect(row.body).toEqual({
        id: 1,
        name: 'Ada',
        price: 9.9,
        active: true,
        created_at: '2024-05-01T10:20:30.000Z',
        due: '2024-06-01',
        data: null,
        note: null,
      })
    })

    it('returns binary columns as base64 and false as false', async () => {
      await database.exec(
        `insert into item (name, active, data) values (${placeholder(backend, 1)}, ${placeholder(backend, 2)}, ${placeholder(backend, 3)})`,
        ['Bin', backend === 'sqlite' ? 0 : false, Buffer.from([0, 1, 2, 255])],
      )
      const row = await send('GET', '/item/2')
      expect(row.body).toMatchObject({ id: 2, name: 'Bin', active: false, data: 'AAEC/w==', price: null })
    })

    it('lists rows with paging, sorting and the Fusio envelope', async () => {
      for (const [name, price] of [['Grace', 20], ['Linus', 5.5], ['50% off', 1.25]] as const) {
        expect((await send('POST', '/item', { name, price, active: false })).status).toBe(201)
      }
      const first = await send('GET', '/item?count=2')
      expect(first.body).toMatchObject({ totalResults: 5, itemsPerPage: 2, startIndex: 0 })
      expect(first.body.entry.map((e: { name: string }) => e.name)).toEqual(['Ada', 'Bin'])
      const next = await send('GET', '/item?count=2&startIndex=2')
      expect(next.body.entry.map((e: { name: string }) => e.name)).toEqual(['Grace', 'Linus'])
      const sorted = await send('GET', '/item?sortBy=price&sortOrder=desc&filterBy=price&filterOp=present')
      expect(sorted.body.entry.map((e: { price: number }) => e.price)).toEqual([20, 9.9, 5.5, 1.25])
      expect((await send('GET', '/item?count=99')).status).toBe(400)
    })

    it('filters with contains, equals and startsWith, treating % and _ as literal text', async () => {
      const names = async (query: string) => (await send('GET', `/item?${query}`)).body.entry.map((e: { name: string }) => e.name)
      expect(await names('filterBy=name&filterOp=contains&filterValue=a')).toEqual(['Ada', 'Grace'])
      expect(await names('filterBy=name&filterOp=equals&filterValue=Linus')).toEqual(['Linus'])
      expect(await names('filterBy=name&filterOp=startsWith&filterValue=G')).toEqual(['Grace'])
      expect(await names(`filterBy=name&filterValue=${encodeURIComponent('0%')}`)).toEqual(['50% off'])
      expect(await names(`filterBy=name&filterValue=${encodeURIComponent('_')}`)).toEqual([])
      // A number column filtered as text (PostgreSQL needs a cast for LIKE).
      expect(await names('filterBy=id&filterOp=contains&filterValue=3')).toEqual(['Grace'])
      const unknown = await send('GET', '/item?filterBy=secret')
      expect(unknown).toMatchObject({ status: 400, body: { errors: [{ field: 'filterBy' }] } })
    })

    it('updates the given columns only, and 404s for a missing row', async () => {
      const updated = await send('PUT', '/item/3', { price: 21.5, active: true })
      expect(updated).toMatchObject({ status: 200, body: { success: true, id: '3' } })
      expect((await send('GET', '/item/3')).body).toMatchObject({ name: 'Grace', price: 21.5, active: true })
      // Writing the values a row already has still finds the row (MySQL reports 0 changed rows).
      expect((await send('PUT', '/item/3', { price: 21.5 })).status).toBe(200)
      expect((await send('PUT', '/item/404', { price: 1 })).status).toBe(404)
    })

    it('maps NOT NULL and unique violations to 400 and 409 problems', async () => {
      const missing = await send('POST', '/item', { price: 1 })
      expect(missing.status).toBe(400)
      expect(missing.type).toContain('application/problem+json')
      expect(missing.body).toMatchObject({ errors: [{ field: 'name', message: 'must not be null' }] })
      const duplicate = await send('POST', '/item', { name: 'Ada' })
      expect(duplicate).toMatchObject({ status: 409, body: { type: 'urn:fusio:error:sql-constraint' } })
    })

    it('runs raw SQL with bound, LIKE-escaped parameters and paging', async () => {
      const search = await send('GET', '/search?name=a')
      expect(search.body).toMatchObject({ totalResults: 2, itemsPerPage: 2, entry: [{ id: 1, name: 'Ada' }, { id: 3, name: 'Grace' }] })
      const injected = await send('GET', `/search?name=${encodeURIComponent("' OR 1=1 --")}`)
      expect(injected.body).toMatchObject({ totalResults: 0, entry: [] })
      const cheapest = await send('GET', '/cheapest?max=10')
      expect(cheapest.body).toEqual({ id: 1, name: 'Ada', price: 9.9 })
      expect((await send('GET', '/cheapest?max=1')).status).toBe(404)
    })

    it('deletes a row once', async () => {
      expect((await send('DELETE', '/item/4')).body).toMatchObject({ success: true, message: 'Entry successfully deleted' })
      expect((await send('DELETE', '/item/4')).status).toBe(404)
      expect((await send('GET', '/item/4')).status).toBe(404)
    })
  })
})
