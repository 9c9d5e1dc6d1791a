/**
 * PostgreSQL through node-postgres: a pool whose clients run parameterised queries as named
 * prepared statements, so each connection parses and plans a statement once and reuses it.
 */
import { createHash } from 'node:crypto'
import pg from 'pg'
import { Kysely, PostgresDialect, sql } from 'kysely'
import { FusioError } from '../errors.js'
import { describeTable, tableName, type SqlBackend, type ServerTarget } from './sql.js'
import { decimal, integer, utcTimestamp } from './sql-values.js'

const INT8 = 20
const NUMERIC = 1700
const DATE = 1082
const TIMESTAMP = 1114

/** Parsers by type OID: the value shapes of sql-values.ts; everything else is node-postgres's default. */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8) return integer
    if (oid === NUMERIC) return decimal
    if (oid === TIMESTAMP) return utcTimestamp
    if (oid === DATE) return (text: string) => text
    return pg.types.getTypeParser(oid, format as 'text')
  },
}

const names = new Map<string, string>()

/** A stable name per statement text; the same text gets the same prepared statement on a connection. */
function statementName(text: string): string {
  let name = names.get(text)
  if (name === undefined) {
    name = `fusio_${createHash('sha1').update(text).digest('base64url').slice(0, 22)}`
    if (names.size >= 4096) names.clear()
    names.set(text, name)
  }
  return name
}

/** Statements without parameters (transaction control, migration scripts) stay unnamed: they may hold several statements. */
class PreparingClient extends pg.Client {
  constructor(config?: pg.ClientConfig) {
    super(config)
    // A client checked out of the pool has no error listener of the pool's: a server that goes away
    // would crash the process. The failed query itself reports the error (503).
    this.on('error', () => {})
  }

  override query(config: unknown, values?: unknown, callback?: unknown): any {
    if (typeof config === 'string' && Array.isArray(values) && values.length > 0) {
      return (super.query as Function).call(this, { name: statementName(config), text: config, values }, callback)
    }
    return (super.query as Function).call(this, config, values, callback)
  }
}

function poolConfig(target: ServerTarget): pg.PoolConfig {
  const sslmode = target.params.sslmode
  return {
    host: target.host,
    port: target.port ?? 5432,
    user: target.user,
    password: target.password,
    database: target.database,
    ...(target.params.options ? { options: target.params.options } : {}),
    ...(target.params.application_name ? { application_name: target.params.application_name } : {}),
    ...(sslmode && sslmode !== 'disable' ? { ssl: { rejectUnauthorized: sslmode === 'verify-full' || sslmode === 'verify-ca' } } : {}),
    max: Number(target.params.pool_max) || 10,
    idleTimeoutMillis: 30_000,
    // A database that does not answer fails the request (503) instead of queueing it forever.
    connectionTimeoutMillis: Number(target.params.connect_timeout) * 1000 || 5_000,
    Client: PreparingClient,
    types,
  } as pg.PoolConfig
}

export function postgresBackend(target: ServerTarget): SqlBackend {
  const config = poolConfig(target)
  return {
    open() {
      const pool = new pg.Pool(config)
      // An idle client whose server went away is dropped by the pool; the next query opens a new one.
      pool.on('error', () => {})
      return new Kysely<any>({ dialect: new PostgresDialect({ pool }) })
    },
    async readTable(db, table) {
      const { schema, name } = tableName(table)
      const result = await sql<{ name: string; generated: boolean; primary: boolean; timestamp: boolean }>`
        select c.column_name as name, c.data_type = 'timestamp without time zone' as timestamp,
          (c.is_identity = 'YES' or coalesce(c.column_default, '') like 'nextval(%') as generated,
          exists (
            select 1 from information_schema.table_constraints t
            join information_schema.key_column_usage k
              on k.constraint_name = t.constraint_name and k.table_schema = t.table_schema and k.table_name = t.table_name
            where t.constraint_type = 'PRIMARY KEY' and t.table_schema = c.table_schema
              and t.table_name = c.table_name and k.column_name = c.column_name
          ) as primary
        from information_schema.columns c
        where c.table_schema = coalesce(${schema}::text, current_schema()) and c.table_name = ${name}
        order by c.ordinal_position`.execute(db)
      if (result.rows.length === 0) throw new FusioError('FUSIO_ERR_SQL_TABLE_MISSING', `table "${table}" does not exist`)
      return describeTable(result.rows)
    },
    async execScripts(db, scripts) {
      await db.transaction().execute(async (trx) => {
        for (const script of scripts) await sql.raw(script).execute(trx)
      })
    },
  }
}
