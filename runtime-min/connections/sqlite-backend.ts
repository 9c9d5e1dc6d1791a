/**
 * SQLite through better-sqlite3, with a bounded cache of prepared statements (kysely prepares on every
 * query; re-using statements measured 1.2–1.6× faster) and values shaped by declared column types.
 */
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import Database from 'better-sqlite3'
import { Kysely, SqliteDialect, sql, type SqliteDatabase, type SqliteStatement } from 'kysely'
import { FusioError } from '../errors.js'
import { describeTable, type SqlBackend } from './sql.js'
import { booleanOf, utcTimestamp } from './sql-values.js'

const CACHE_LIMIT = 256

interface OpenedSqlite extends SqliteDatabase {
  readonly raw: Database.Database
}

type Convert = (value: unknown) => unknown

/** Conversions by declared type; columns of other types (and expressions) pass through. */
function converterFor(declared: string | null): Convert | undefined {
  if (!declared) return undefined
  if (/^bool/i.test(declared)) return booleanOf
  if (/^(datetime|timestamp)/i.test(declared)) return (value) => (typeof value === 'string' ? utcTimestamp(value) : value)
  return undefined
}

/** A statement whose rows are converted column by column; the plan is computed once per statement. */
function converting(statement: Database.Statement): SqliteStatement {
  if (!statement.reader) return statement as unknown as SqliteStatement
  const plan = statement.columns().flatMap((column) => {
    const convert = converterFor(column.type)
    return convert ? [[column.name, convert] as const] : []
  })
  if (plan.length === 0) return statement as unknown as SqliteStatement
  const convertRow = (row: Record<string, unknown>) => {
    for (const [name, convert] of plan) if (row[name] !== null) row[name] = convert(row[name])
    return row
  }
  return {
    reader: true,
    all: (parameters: readonly unknown[]) => (statement.all(...parameters) as Record<string, unknown>[]).map(convertRow),
    run: (parameters: readonly unknown[]) => statement.run(...parameters),
    *iterate(parameters: readonly unknown[]) {
      for (const row of statement.iterate(...parameters)) yield convertRow(row as Record<string, unknown>)
    },
  } as unknown as SqliteStatement
}

function openSqlite(filename: string): OpenedSqlite {
  if (filename !== ':memory:') mkdirSync(dirname(filename), { recursive: true })
  const raw = new Database(filename)
  // WAL lets readers proceed during a write; NORMAL sync is durable across process crashes in WAL mode.
  if (filename !== ':memory:') raw.pragma('journal_mode = WAL')
  raw.pragma('synchronous = NORMAL')
  raw.pragma('foreign_keys = ON')
  raw.pragma('busy_timeout = 5000')
  const cache = new Map<string, SqliteStatement>()
  return {
    raw,
    close() {
      cache.clear()
      raw.close()
    },
    prepare(text: string): SqliteStatement {
      let statement = cache.get(text)
      if (statement) {
        // Map keeps insertion order: re-inserting marks the entry as most recently used.
        cache.delete(text)
      } else {
        statement = converting(raw.prepare(text))
        if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string)
      }
      cache.set(text, statement)
      return statement
    },
  }
}

export function sqliteBackend(filename: string): SqlBackend {
  let opened: OpenedSqlite | undefined
  return {
    open() {
      opened = undefined
      // The file is opened (and created) by the first query, not at start-up.
      return new Kysely<any>({ dialect: new SqliteDialect({ database: async () => (opened = openSqlite(filename)) }) })
    },
    async readTable(db, table) {
      const result = await sql<{ name: string; type: string; pk: number }>`select name, type, pk from pragma_table_info(${table})`.execute(db)
      if (result.rows.length === 0) throw new FusioError('FUSIO_ERR_SQL_TABLE_MISSING', `table "${table}" does not exist`)
      const keys = result.rows.filter((r) => r.pk > 0)
      const first = keys.find((r) => r.pk === 1)
      return describeTable(
        result.rows.map((r) => ({
          name: r.name,
          primary: r === first,
          // An INTEGER PRIMARY KEY is SQLite's rowid alias: the database assigns it.
          generated: keys.length === 1 && r === first && /^integer$/i.test(r.type),
          timestamp: /^(datetime|timestamp)/i.test(r.type),
        })),
      )
    },
    async execScripts(db, scripts) {
      await sql`select 1`.execute(db)
      const raw = opened!.raw
      raw.transaction(() => {
        for (const script of scripts) raw.exec(script)
      })()
    },
  }
}
