/**
 * `sql` connections (Fusio's Sql and SqlAdvanced): a kysely instance for actions and handlers.
 * SQLite (better-sqlite3) is the embedded default.
 */
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { Kysely, SqliteDialect, sql } from 'kysely'
import { FusioError } from '../errors.js'
import type { Connection, ConnectionDefinition } from '../types.js'
import { openSqlite, sqliteFilename, type OpenedSqlite } from './sqlite-database.js'

export interface SqlConfig {
  readonly url?: string
  readonly type?: string
  readonly host?: string
  readonly port?: number
  readonly username?: string
  readonly password?: string
  readonly database?: string
}

export type SqlDialectName = 'sqlite' | 'postgres' | 'mysql'

export interface TableInfo {
  readonly columns: readonly string[]
  readonly primaryKey: string
  /** Columns that the database fills itself (autoincrement keys): never taken from a payload. */
  readonly generated: ReadonlySet<string>
}

export interface SqlConnection extends Connection<Kysely<any>> {
  readonly kind: 'sql'
  readonly dialect: SqlDialectName
  /** Column list and primary key, read once per table and cached. */
  tableInfo(table: string): Promise<TableInfo>
  /** Runs scripts of several statements each, in one transaction (migrations). */
  execScripts(scripts: readonly string[]): Promise<void>
}

export function isSqlConnection(connection: Connection): connection is SqlConnection {
  return connection.kind === 'sql'
}

function dialectOf(config: SqlConfig): { dialect: SqlDialectName; filename?: string } {
  if (config.url) {
    const scheme = config.url.slice(0, config.url.indexOf(':')).toLowerCase()
    if (scheme === 'sqlite' || scheme === 'pdo-sqlite') return { dialect: 'sqlite', filename: sqliteFilename(config.url.replace(/^pdo-/i, '')) }
    if (/^(postgres|postgresql|pgsql|pdo-pgsql)$/.test(scheme)) return { dialect: 'postgres' }
    if (/^(mysql|mysql2|mariadb|pdo-mysql)$/.test(scheme)) return { dialect: 'mysql' }
    throw new FusioError('FUSIO_ERR_CONFIG_INVALID', `unsupported SQL URL scheme "${scheme}"`)
  }
  const type = (config.type ?? 'sqlite').toLowerCase().replace(/^pdo_/, '')
  if (type === 'sqlite') return { dialect: 'sqlite', filename: config.database ?? ':memory:' }
  if (type === 'pgsql' || type === 'postgres') return { dialect: 'postgres' }
  if (type === 'mysql' || type === 'mariadb') return { dialect: 'mysql' }
  throw new FusioError('FUSIO_ERR_CONFIG_INVALID', `unsupported SQL type "${config.type}"`)
}

function createSqlConnection(config: SqlConfig): SqlConnection {
  const { dialect, filename } = dialectOf(config)
  if (dialect !== 'sqlite' || filename === undefined) {
    throw new FusioError('FUSIO_ERR_CONFIG_INVALID', `${dialect} connections are not available in this version; use SQLite`)
  }
  let database: OpenedSqlite | undefined
  let db: Kysely<any> | undefined
  const tables = new Map<string, Promise<TableInfo>>()
  // Opened on first use: start-up stays fast, and the file is created only when needed.
  const open = (): Kysely<any> => {
    if (db) return db
    if (filename !== ':memory:') mkdirSync(dirname(filename), { recursive: true })
    const opened = openSqlite(filename)
    database = opened
    db = new Kysely<any>({ dialect: new SqliteDialect({ database: opened }) })
    return db
  }
  return {
    kind: 'sql',
    dialect,
    get client() {
      return open()
    },
    async ping() {
      await sql`select 1`.execute(open())
    },
    async close() {
      const current = db
      db = undefined
      database = undefined
      tables.clear()
      await current?.destroy()
    },
    tableInfo(table) {
      let info = tables.get(table)
      if (!info) {
        info = readSqliteTable(open(), table)
        tables.set(table, info)
        // A failed lookup (table missing at first request) is retried next time, not cached.
        info.catch(() => tables.delete(table))
      }
      return info
    },
    async execScripts(scripts) {
      open()
      const raw = database!.raw
      raw.transaction(() => {
        for (const script of scripts) raw.exec(script)
      })()
    },
  }
}

async function readSqliteTable(db: Kysely<any>, table: string): Promise<TableInfo> {
  const result = await sql<{ name: string; type: string; pk: number }>`select name, type, pk from pragma_table_info(${table})`.execute(db)
  if (result.rows.length === 0) throw new FusioError('FUSIO_ERR_SQL_TABLE_MISSING', `table "${table}" does not exist`)
  const keys = result.rows.filter((r) => r.pk > 0).sort((a, b) => a.pk - b.pk)
  const primary = keys[0] ?? result.rows.find((r) => r.name === 'id')
  const generated = new Set<string>()
  // An INTEGER PRIMARY KEY is SQLite's rowid alias: the database assigns it.
  if (keys.length === 1 && /^integer$/i.test(keys[0].type)) generated.add(keys[0].name)
  return { columns: result.rows.map((r) => r.name), primaryKey: primary?.name ?? 'id', generated }
}

export const sqlConnection: ConnectionDefinition<SqlConfig> = {
  name: 'sql',
  aliases: ['SQL', 'SqlAdvanced', 'Fusio\\Adapter\\Sql\\Connection\\Sql', 'Fusio\\Adapter\\Sql\\Connection\\SqlAdvanced'],
  description: 'SQL database through kysely: sqlite URLs, or type/host/username/password/database',
  configSchema: {
    type: 'object',
    properties: {
      url: { type: 'string', description: 'sqlite:///file.db, sqlite::memory:, postgres://…, mysql://…' },
      type: { type: 'string', description: 'pdo_sqlite, pdo_pgsql or pdo_mysql (discrete form)' },
      host: { type: 'string' },
      port: { type: ['integer', 'string'] },
      username: { type: 'string' },
      password: { type: 'string' },
      database: { type: 'string' },
    },
    additionalProperties: false,
  },
  create: createSqlConnection,
}
