/**
 * MySQL and MariaDB through mysql2: parameterised queries run as server-side prepared statements
 * (`execute`, cached per connection), and values take the shapes of sql-values.ts.
 */
import mysql from 'mysql2'
import { Kysely, MysqlDialect, sql, type MysqlPool, type MysqlPoolConnection } from 'kysely'
import { FusioError } from '../errors.js'
import { describeTable, type SqlBackend, type ServerTarget } from './sql.js'
import { booleanOf, decimal } from './sql-values.js'

type Field = Parameters<Extract<NonNullable<mysql.PoolOptions['typeCast']>, Function>>[0]
type Next = () => unknown

/** TINYINT(1) is MySQL's BOOLEAN; MariaDB marks JSON columns (LONGTEXT underneath) in extended metadata. */
function typeCast(field: Field, next: Next): unknown {
  if (field.type === 'TINY' && field.length === 1) {
    const text = field.string()
    return text === null ? null : booleanOf(text)
  }
  if (field.type === 'NEWDECIMAL' || field.type === 'DECIMAL') {
    const text = field.string()
    return text === null ? null : decimal(text)
  }
  if ((field as { extendedTypeName?: string }).extendedTypeName === 'json') {
    const text = field.string('utf8')
    return text === null ? null : JSON.parse(text)
  }
  return next()
}

function connectionOptions(target: ServerTarget): mysql.ConnectionOptions {
  const ssl = target.params.ssl ?? target.params.sslmode
  return {
    host: target.host,
    port: target.port ?? 3306,
    user: target.user,
    password: target.password,
    database: target.database,
    charset: target.params.charset ?? 'utf8mb4',
    // Timestamps are read and written as UTC; DATE stays a calendar date.
    timezone: 'Z',
    dateStrings: ['DATE'],
    supportBigNumbers: true,
    bigNumberStrings: false,
    typeCast: typeCast as mysql.ConnectionOptions['typeCast'],
    connectTimeout: Number(target.params.connect_timeout) * 1000 || 5_000,
    ...(ssl && ssl !== 'false' && ssl !== 'disable' ? { ssl: {} } : {}),
  }
}

/** kysely's pool interface over mysql2, with `execute` (prepared, cached) for queries that take parameters. */
function preparingPool(pool: mysql.Pool): MysqlPool {
  const wrap = (connection: mysql.PoolConnection): MysqlPoolConnection =>
    ({
      query(text: string, parameters: unknown[], callback?: (error: unknown, result: unknown) => void) {
        const run = parameters.length > 0 ? connection.execute.bind(connection) : connection.query.bind(connection)
        return (run as Function)(text, parameters, callback)
      },
      release: () => connection.release(),
    }) as unknown as MysqlPoolConnection
  return {
    getConnection(callback) {
      pool.getConnection((error, connection) => (error ? callback(error, undefined as never) : callback(undefined, wrap(connection))))
    },
    end(callback) {
      pool.end(callback)
    },
  }
}

export function mysqlBackend(target: ServerTarget): SqlBackend {
  const options = connectionOptions(target)
  return {
    open() {
      const pool = mysql.createPool({ ...options, connectionLimit: Number(target.params.pool_max) || 10, enableKeepAlive: true })
      // TIMESTAMP columns convert with the session's zone: UTC, like everything else here.
      pool.on('connection', (connection) => connection.query("set time_zone = '+00:00'"))
      return new Kysely<any>({ dialect: new MysqlDialect({ pool: preparingPool(pool) }) })
    },
    async readTable(db, table) {
      const dot = table.indexOf('.')
      const schema = dot > 0 ? table.slice(0, dot) : null
      const name = dot > 0 ? table.slice(dot + 1) : table
      const result = await sql<{ name: string; column_key: string; extra: string; data_type: string }>`
        select column_name as name, column_key as column_key, extra as extra, data_type as data_type
        from information_schema.columns
        where table_schema = coalesce(${schema}, database()) and table_name = ${name}
        order by ordinal_position`.execute(db)
      if (result.rows.length === 0) throw new FusioError('FUSIO_ERR_SQL_TABLE_MISSING', `table "${table}" does not exist`)
      return describeTable(
        result.rows.map((r) => ({
          name: r.name,
          primary: r.column_key === 'PRI',
          generated: /auto_increment/i.test(r.extra),
          timestamp: /^(datetime|timestamp)$/i.test(r.data_type),
        })),
      )
    },
    async execScripts(_db, scripts) {
      // Scripts hold several statements: only this short-lived connection may send them in one go.
      const connection = mysql.createConnection({ ...options, multipleStatements: true }).promise()
      try {
        await connection.beginTransaction()
        for (const script of scripts) await connection.query(script)
        await connection.commit()
      } catch (error) {
        await connection.rollback().catch(() => {})
        throw error
      } finally {
        await connection.end().catch(() => {})
      }
    },
  }
}
