/** Queries compiled once and run with new values (SQL actions): same rows as building each time, and a safe fallback. */
import Database from 'better-sqlite3'
import { Kysely, SqliteDialect, sql } from 'kysely'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { prepareQuery } from '../../runtime-min/actions/compiled-query.js'

const database = new Database(':memory:')
database.exec('create table item (id integer primary key, name text)')
for (let i = 1; i <= 20; i++) database.prepare('insert into item (name) values (?)').run(`item ${i}`)
const db = new Kysely<any>({ dialect: new SqliteDialect({ database }) })
afterAll(() => db.destroy())

const page = (limit: number, offset: number) => db.selectFrom('item').select(['id', 'name']).orderBy('id', 'desc').limit(limit).offset(offset).execute()

describe('prepareQuery', () => {
  it('builds and compiles once, then answers each call with its own values', async () => {
    const build = vi.fn((client: Kysely<any>, limit: never, offset: never) => client.selectFrom('item').select(['id', 'name']).orderBy('id', 'desc').limit(limit).offset(offset))
    const prepared = prepareQuery(build, 2)
    for (const [limit, offset] of [[5, 0], [3, 7], [16, 18], [1, 19]] as const) expect((await prepared(db, limit, offset)).rows).toEqual(await page(limit, offset))
    expect(build).toHaveBeenCalledTimes(1)
  })

  it('builds anew on every call when a value is not a parameter of its own', async () => {
    // The same value twice, and a value written into the SQL text: no slot can be told apart.
    const twice = vi.fn((client: Kysely<any>, n: never) => client.selectFrom('item').select('id').orderBy('id').limit(n).offset(n))
    const literal = vi.fn((client: Kysely<any>, n: never) => client.selectFrom('item').select('id').orderBy('id').limit(sql.lit(n)))
    const preparedTwice = prepareQuery<{ id: number }>(twice, 1)
    const preparedLiteral = prepareQuery<{ id: number }>(literal, 1)
    expect((await preparedTwice(db, 2)).rows.map((row) => row.id)).toEqual([3, 4])
    expect((await preparedTwice(db, 3)).rows.map((row) => row.id)).toEqual([4, 5, 6])
    expect((await preparedLiteral(db, 2)).rows.map((row) => row.id)).toEqual([1, 2])
    expect((await preparedLiteral(db, 4)).rows.map((row) => row.id)).toEqual([1, 2, 3, 4])
    expect(twice).toHaveBeenCalledTimes(3)
    expect(literal).toHaveBeenCalledTimes(3)
  })
})
