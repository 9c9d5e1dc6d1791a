/**
 * `sql` connections (Fusio's Sql and SqlAdvanced): a kysely instance for actions and handlers, on
 * SQLite (the embedded default), PostgreSQL or MySQL/MariaDB. Each backend's driver is imported when
 * a connection of its dialect is declared, and its pool opens on the first query.
 */
import { sql, type Kysely } from 'kysely'
import { FusioError } from '../errors.js'
import type { Connection, ConnectionDefinition } from '../types.js'
import { portOf } from './network.js'
import { sqliteFilename } from './sqlite-filename.js'

export interface SqlConfig {
  readonly url?: string
  readonly type?: string
  readonly host?: string
  readonly port?: number | string
  readonly username?: string
  readonly password?: string
  readonly database?: string
}

export type SqlDialectName = 'sqlite' | 'postgres' | 'mysql'

/** A database server to connect to, with credentials: stays inside the runtime. */
export interface ServerTarget {
  readonly dialect: 'postgres' | 'mysql'
  readonly host: string
  readonly port?: number
  readonly user?: string
  readonly password?: string
  readonly database?: string
  /** URL query parameters (sslmode, options, pool_max, connect_timeout…), read by the backend. */
  readonly params: Readonly<Record<string, string>>
}

export type SqlTarget = { readonly dialect: 'sqlite'; readonly filename: string } | ServerTarget

export interface TableInfo {
  readonly columns: readonly string[]
  readonly primaryKey: string
  /** Columns that the database fills itself (autoincrement keys): never taken from a payload. */
  readonly generated: ReadonlySet<string>
  /** Timestamp columns without a zone: written as UTC, whatever zone the payload's value names. */
  readonly timestamps: ReadonlySet<string>
}

/** The primary key, or an `id` column when the table declares none (as Fusio assumes). */
export function describeTable(
  rows: readonly { readonly name: string; readonly primary: boolean; readonly generated: boolean; readonly timestamp: boolean }[],
): TableInfo {
  const columns = rows.map((r) => r.name)
  const named = (flag: 'generated' | 'timestamp') => new Set(rows.filter((r) => r[flag]).map((r) => r.name))
  const primaryKey = rows.find((r) => r.primary)?.name ?? (columns.includes('id') ? 'id' : columns[0])
  return { columns, primaryKey, generated: named('generated'), timestamps: named('timestamp') }
}

/** `schema.table` or `table` (the connection's default schema, given as null). */
export function tableName(table: string): { readonly schema: string | null; readonly name: string } {
  const dot = table.indexOf('.')
  return dot > 0 ? { schema: table.slice(0, dot), name: table.slice(dot + 1) } : { schema: null, name: table }
}

/** What each dialect module provides; the connection adds laziness, caching and re-opening. */
export interface SqlBackend {
  /** A kysely instance whose pool (or file) opens on the first query. */
  open(): Kysely<any>
  readTable(db: Kysely<any>, table: string): Promise<TableInfo>
  /** Runs scripts of several statements each, in one transaction where the database allows it. */
  execScripts(db: Kysely<any>, scripts: readonly string[]): Promise<void>
}

export interface SqlConnection extends Connection<Kysely<any>> {
  readonly kind: 'sql'
  readonly dialect: SqlDialectName
  /** Column list and primary key, read once per table and cached. */
  tableInfo(table: string): Promise<TableInfo>
  execScripts(scripts: readonly string[]): Promise<void>
}

export function isSqlConnection(connection: Connection): connection is SqlConnection {
  return connection.kind === 'sql'
}

const SCHEMES: Readonly<Record<string, SqlDialectName>> = {
  sqlite: 'sqlite',
  postgres: 'postgres',
  postgresql: 'postgres',
  pgsql: 'postgres',
  mysql: 'mysql',
  mysql2: 'mysql',
  mariadb: 'mysql',
}

function dialectNamed(name: string, what: string): SqlDialectName {
  const dialect = SCHEMES[name.toLowerCase().replace(/^pdo[-_]/, '')]
  if (!dialect) throw new FusioError('FUSIO_ERR_CONFIG_INVALID', `unsupported SQL ${what} "${name}" (use sqlite, postgres or mysql)`)
  return dialect
}

/** Reads both of Fusio's forms: SqlAdvanced's `url`, and Sql's `type`/`host`/`username`/… */
export function sqlTarget(config: SqlConfig): SqlTarget {
  if (config.url) {
    const scheme = config.url.slice(0, Math.max(0, config.url.indexOf(':')))
    const dialect = dialectNamed(scheme, 'URL scheme')
    if (dialect === 'sqlite') return { dialect, filename: sqliteFilename(config.url.replace(/^pdo-/i, '')) }
    let url: URL
    try {
      url = new URL(config.url)
    } catch {
      throw new FusioError('FUSIO_ERR_CONFIG_INVALID', `the ${dialect} URL is not a valid URL`)
    }
    return {
      dialect,
      host: decodeURIComponent(url.hostname) || '127.0.0.1',
      port: portOf(url.port),
      user: url.username ? decodeURIComponent(url.username) : undefined,
      password: url.password ? decodeURIComponent(url.password) : undefined,
      database: url.pathname.length > 1 ? decodeURIComponent(url.pathname.slice(1)) : undefined,
      params: Object.fromEntries(url.searchParams),
    }
  }
  const dialect = dialectNamed(config.type ?? 'sqlite', 'type')
  if (dialect === 'sqlite') return { dialect, filename: config.database ?? ':memory:' }
  return {
    dialect,
    host: config.host ?? '127.0.0.1',
    port: portOf(config.port),
    user: config.username,
    password: config.password,
    database: config.database,
    params: {},
  }
}

async function loadBackend(target: SqlTarget): Promise<SqlBackend> {
  if (target.dialect === 'sqlite') return (await import('./sqlite-backend.js')).sqliteBackend(target.filename)
  if (target.dialect === 'postgres') return (await import('./postgres-backend.js')).postgresBackend(target)
  return (await import('./mysql-backend.js')).mysqlBackend(target)
}

async function createSqlConnection(config: SqlConfig): Promise<SqlConnection> {
  const target = sqlTarget(config)
  const backend = await loadBackend(target)
  let db: Kysely<any> | undefined
  const tables = new Map<string, Promise<TableInfo>>()
  // After close() the next use opens a fresh pool, so a closed connection is never a dead end.
  const client = (): Kysely<any> => (db ??= backend.open())
  return {
    kind: 'sql',
    dialect: target.dialect,
    get client() {
      return client()
    },
    async ping() {
      await sql`select 1`.execute(client())
    },
    async close() {
      const current = db
      db = undefined
      tables.clear()
      await current?.destroy()
    },
    tableInfo(table) {
      let info = tables.get(table)
      if (!info) {
        info = backend.readTable(client(), table)
        tables.set(table, info)
        // A failed lookup (table missing, database down) is retried next time, not cached.
        info.catch(() => tables.delete(table))
      }
      return info
    },
    execScripts: (scripts) => backend.execScripts(client(), scripts),
  }
}

export const sqlConnection: ConnectionDefinition<SqlConfig> = {
  name: 'sql',
  aliases: ['SQL', 'SqlAdvanced', 'Fusio\\Adapter\\Sql\\Connection\\Sql', 'Fusio\\Adapter\\Sql\\Connection\\SqlAdvanced'],
  description: 'SQL database through kysely: SQLite, PostgreSQL or MySQL/MariaDB, as a URL or type/host/username/password/database',
  configSchema: {
    type: 'object',
    properties: {
      url: { type: 'string', description: 'sqlite:///file.db, sqlite::memory:, postgres://user:pass@host/db, mysql://user:pass@host/db' },
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
