/**
 * SQL connections on each backend: URL and discrete config forms, prepared-statement reuse,
 * migrations in a transaction, re-opening after close, and an unreachable server as a 503 error.
 */
import { sql } from 'kysely'
import type { FastifyBaseLogger } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sqlConnection, sqlTarget, type SqlConnection } from '../../runtime-min/connections/sql.js'
import { translateSqlError } from '../../runtime-min/actions/sql-shared.js'
import { applyMigrations } from '../../runtime-min/migrations.js'
import { FusioError } from '../../runtime-min/errors.js'
import type { ConnectionSet } from '../../runtime-min/connections/registry.js'
import { scratchDatabase, type Backend, type ScratchDatabase } from '../helpers/databases.js'
import { probeService, type ServiceProbe } from '../helpers/services.js'

const backends: { backend: Backend; probe: ServiceProbe }[] = [
  { backend: 'sqlite', probe: { available: true, reason: '' } },
  { backend: 'postgres', probe: await probeService('postgres') },
  { backend: 'mariadb', probe: await probeService('mariadb') },
]

const withParams = (url: string, params: Record<string, string>): string => {
  const parsed = new URL(url)
  for (const [key, value] of Object.entries(params)) parsed.searchParams.set(key, value)
  return parsed.toString()
}

const single = (connection: SqlConnection): ConnectionSet =>
  ({ get: () => connection, entries: () => [['Default', connection]], connector: { get: () => connection.client }, closeAll: () => connection.close() }) as unknown as ConnectionSet

describe('sqlTarget', () => {
  it('reads Fusio URL forms and the discrete form', () => {
    expect(sqlTarget({ url: 'pdo-mysql://app:s%40cret@db.internal:3307/shop?charset=utf8' })).toEqual({
      dialect: 'mysql',
      host: 'db.internal',
      port: 3307,
      user: 'app',
      password: 's@cret',
      database: 'shop',
      params: { charset: 'utf8' },
    })
    expect(sqlTarget({ url: 'postgresql://localhost/app' })).toMatchObject({ dialect: 'postgres', host: 'localhost', database: 'app' })
    expect(sqlTarget({ url: 'sqlite:///data/app.db' })).toEqual({ dialect: 'sqlite', filename: 'data/app.db' })
    expect(sqlTarget({ type: 'pdo_pgsql', host: 'h', port: '6432', username: 'u', password: 'p', database: 'd' })).toEqual({
      dialect: 'postgres',
      host: 'h',
      port: 6432,
      user: 'u',
      password: 'p',
      database: 'd',
      params: {},
    })
    expect(() => sqlTarget({ type: 'oci8' })).toThrow('unsupported SQL type "oci8" (use sqlite, postgres or mysql)')
  })
})

describe('an unreachable database server', () => {
  it.each([['postgres://postgres@127.0.0.1:1/test'], ['mysql://root@127.0.0.1:1/test']])('%s fails fast as connection-unavailable', async (url) => {
    const connection = (await sqlConnection.create({ url })) as SqlConnection
    const error = await connection.ping().then(
      () => undefined,
      (e: unknown) => translateSqlError(e),
    )
    expect(error).toBeInstanceOf(FusioError)
    expect((error as FusioError).code).toBe('FUSIO_ERR_CONNECTION_UNAVAILABLE')
    await connection.close()
  })
})

describe.each(backends)('an SQL connection on $backend', ({ backend, probe }) => {
  let database: ScratchDatabase
  let connection: SqlConnection

  beforeAll(async () => {
    if (!probe.available) return
    database = await scratchDatabase(backend)
    // One pooled connection, so session state (prepared statements) is observable.
    connection = (await sqlConnection.create({ url: backend === 'sqlite' ? database.url : withParams(database.url, { pool_max: '1' }) })) as SqlConnection
  })

  afterAll(async () => {
    await connection?.close()
    await database?.drop()
  })

  describe.runIf(probe.available)(`behaviour${probe.reason}`, () => {
    it('applies migrations once, each in a transaction with its bookkeeping row', async () => {
      const log = { info: () => {} } as unknown as FastifyBaseLogger
      const migrations = {
        Default: [
          { name: '001_thing.sql', sql: 'create table thing (id int primary key, name varchar(20) not null);\ninsert into thing (id, name) values (1, \'one\');' },
        ],
      }
      expect(await applyMigrations(migrations, single(connection), log)).toBe(1)
      expect(await applyMigrations(migrations, single(connection), log)).toBe(0)
      const failing = { Default: [...migrations.Default, { name: '002_dup.sql', sql: "insert into thing (id, name) values (2, 'two');\ninsert into thing (id, name) values (1, 'again');" }] }
      await expect(applyMigrations(failing, single(connection), log)).rejects.toThrow()
      const rows = await sql<{ id: number }>`select id from thing order by id`.execute(connection.client)
      expect(rows.rows.map((r) => Number(r.id))).toEqual([1])
      const applied = await sql<{ name: string }>`select name from fusio_migration`.execute(connection.client)
      expect(applied.rows.map((r) => r.name)).toEqual(['001_thing.sql'])
    })

    // On MySQL instances take turns under a lock, so this interleaving cannot happen there.
    if (backend !== 'mariadb') it('lets two instances starting at once race for a migration: the loser finds it applied', async () => {
      const log = { info: () => {} } as unknown as FastifyBaseLogger
      const migrations = { Default: [{ name: '001_race.sql', sql: 'create table race (id int primary key);\ninsert into race (id) values (1);' }] }
      const other = (await sqlConnection.create({ url: database.url })) as SqlConnection
      try {
        // This instance has read the applied list; the other applies everything before its script runs.
        const racing = { ...connection, execScripts: async (scripts: readonly string[]) => {
          expect(await applyMigrations(migrations, single(other), log)).toBe(1)
          await connection.execScripts(scripts)
        } } as SqlConnection
        expect(await applyMigrations(migrations, single(racing), log)).toBe(0)
        const rows = await sql<{ id: number }>`select id from race`.execute(connection.client)
        expect(rows.rows.map((r) => Number(r.id))).toEqual([1])
      } finally {
        await other.close()
      }
    })

    it('applies a migration once when two instances start at the same moment', async () => {
      const log = { info: () => {} } as unknown as FastifyBaseLogger
      // Two tables: on MySQL the first commits before the second is created, the window a lock must close.
      const migrations = { Default: [{ name: '001_together.sql', sql: 'create table together_a (id int primary key);\ncreate table together_b (id int primary key);\ninsert into together_a (id) values (1);' }] }
      // A database of its own: the instances also race to create the bookkeeping table.
      const fresh = await scratchDatabase(backend)
      const [first, second] = await Promise.all([0, 1].map(async () => (await sqlConnection.create({ url: fresh.url })) as SqlConnection))
      try {
        const applied = await Promise.all([first, second].map((c) => applyMigrations(migrations, single(c), log)))
        expect(applied.sort()).toEqual([0, 1])
        const rows = await sql<{ id: number }>`select id from together_a`.execute(first.client)
        expect(rows.rows.map((r) => Number(r.id))).toEqual([1])
      } finally {
        await Promise.all([first.close(), second.close()])
        await fresh.drop()
      }
    })

    it('reads table metadata: columns, primary key, generated and timestamp columns', async () => {
      const ddl: Record<Backend, string> = {
        sqlite: 'create table meta (id integer primary key, at datetime, label text)',
        postgres: 'create table meta (id serial primary key, at timestamp, label text)',
        mariadb: 'create table meta (id int auto_increment primary key, at datetime, label text)',
      }
      await database.exec(ddl[backend])
      const info = await connection.tableInfo('meta')
      expect(info).toEqual({ columns: ['id', 'at', 'label'], primaryKey: 'id', generated: new Set(['id']), timestamps: new Set(['at']) })
      await expect(connection.tableInfo('nope')).rejects.toMatchObject({ code: 'FUSIO_ERR_SQL_TABLE_MISSING' })
    })

    // SQLite's statement cache lives in-process; the servers show theirs through session views.
    if (backend !== 'sqlite') it('prepares a parameterised statement once per connection and reuses it', async () => {
      const count = async (): Promise<number> => {
        if (backend === 'postgres') {
          const result = await sql<{ n: number }>`select count(*) as n from pg_prepared_statements where statement like ${'select % as fusio_probe%'}`.execute(connection.client)
          return Number(result.rows[0].n)
        }
        const result = await sql<{ Value: string }>`show session status like 'Com_stmt_prepare'`.execute(connection.client)
        return Number(result.rows[0].Value)
      }
      const before = await count()
      for (let i = 0; i < 5; i++) {
        const result = await sql<{ fusio_probe: number }>`select ${i} + 1 as fusio_probe`.execute(connection.client)
        expect(Number(result.rows[0].fusio_probe)).toBe(i + 1)
      }
      // PostgreSQL lists the statements this session prepared; MySQL counts prepare commands.
      const after = await count()
      expect(after - before).toBe(1)
    })

    it('answers ping, and opens again after close', async () => {
      await connection.ping()
      await connection.close()
      await connection.ping()
      expect((await sql<{ n: number }>`select 2 as n`.execute(connection.client)).rows[0].n).toBe(2)
    })
  })
})
