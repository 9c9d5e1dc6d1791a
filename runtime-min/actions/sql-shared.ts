/** What the SQL actions share: connection lookup, the id argument, row values, driver errors. */
import { sql, type Expression, type SqlBool } from 'kysely'
import { FusioError } from '../errors.js'
import type { ActionDeps, ActionRequest, JsonSchema } from '../types.js'
import { SOCKET_ERRORS } from '../connections/network.js'
import { isSqlConnection, type SqlConnection, type TableInfo } from '../connections/sql.js'
import { argument, connectionOf } from './inputs.js'

export interface SqlTableConfig {
  readonly connection: string
  readonly table: string
}

export const connectionProperty = { type: 'string', description: 'name of an SQL connection' } as const
const tableProperty = { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_.]*$', description: 'table name' } as const
export const columnsProperty = { type: 'array', items: { type: 'string' }, description: 'columns to return (default: all)' } as const

/** Config schema of the table actions: connection and table, plus what one action adds. */
export function tableConfigSchema(extra: Record<string, JsonSchema> = {}): JsonSchema {
  return {
    type: 'object',
    properties: { connection: connectionProperty, table: tableProperty, ...extra },
    required: ['connection', 'table'],
    additionalProperties: false,
  }
}

export const sqlConnection = (deps: ActionDeps, name: string): SqlConnection => connectionOf(deps, name, isSqlConnection, 'an SQL')

export function idArgument(request: ActionRequest): string | number {
  const id = argument(request, 'id')
  if (typeof id === 'string' || typeof id === 'number') return id
  throw new FusioError('FUSIO_ERR_SQL_ARGUMENT', 'the id argument is missing', {
    errors: [{ in: 'path', field: 'id', pointer: '/id', message: 'is required' }],
  })
}

/** JSON-friendly row values: binary as base64, dates as RFC 3339, big integers as numbers when exact. */
export function normalizeRow(row: Record<string, unknown>): Record<string, unknown> {
  for (const key in row) {
    const value = row[key]
    // Most values are strings and numbers: one typeof test lets them through.
    if (typeof value === 'object') {
      if (value === null) continue
      if (value instanceof Uint8Array) row[key] = Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64')
      else if (value instanceof Date) row[key] = value.toISOString()
    } else if (typeof value === 'bigint') row[key] = Number.isSafeInteger(Number(value)) ? Number(value) : value.toString()
  }
  return row
}

/** Payload columns that the table has, as values the driver can bind (objects become JSON text). */
export function payloadValues(payload: unknown, info: TableInfo, skip: ReadonlySet<string>, dialect: SqlConnection['dialect']): Record<string, unknown> {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    throw new FusioError('FUSIO_ERR_VALIDATION_BODY', 'the body must be a JSON object', {
      errors: [{ in: 'body', field: '', pointer: '', message: 'must be object' }],
    })
  }
  const values: Record<string, unknown> = {}
  const body = payload as Record<string, unknown>
  for (const column of info.columns) {
    if (skip.has(column) || !(column in body)) continue
    const value = body[column]
    values[column] = info.timestamps.has(column) && typeof value === 'string' ? utcText(value) : bindable(value, dialect)
  }
  return values
}

/** An RFC 3339 time with a zone, as the UTC wall-clock text every dialect stores in a zone-less column. */
function utcText(value: string): string {
  if (!/[T ]\d\d:\d\d.*(Z|[+-]\d\d:?\d\d)$/i.test(value)) return value
  const date = new Date(value)
  return Number.isNaN(date.getTime()) ? value : date.toISOString().replace('T', ' ').replace('Z', '')
}

function bindable(value: unknown, dialect: SqlConnection['dialect']): unknown {
  if (value === undefined) return null
  // SQLite has no boolean type; better-sqlite3 refuses to bind JS booleans.
  if (typeof value === 'boolean') return dialect === 'sqlite' ? (value ? 1 : 0) : value
  if (value !== null && typeof value === 'object' && !(value instanceof Uint8Array)) return JSON.stringify(value)
  return value
}

/** Turns driver errors into problems: constraint violations are the client's, a busy database is 503. */
export async function withSqlErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work()
  } catch (error) {
    throw translateSqlError(error)
  }
}

const notNull = (column: string, cause: unknown) =>
  new FusioError('FUSIO_ERR_SQL_NOT_NULL', `${column || 'a column'} must not be null`, {
    errors: [{ in: 'body', field: column, pointer: `/${column}`, message: 'must not be null' }],
    cause,
  })
const constraint = (text: string, cause: unknown) => new FusioError('FUSIO_ERR_SQL_CONSTRAINT', text, { cause })
const badValue = (cause: unknown) => new FusioError('FUSIO_ERR_SQL_ARGUMENT', 'a value does not fit its column', { cause })
const unavailable = (cause: unknown) => new FusioError('FUSIO_ERR_CONNECTION_UNAVAILABLE', 'the database is not available', { cause })

/** Socket-level failures and server states (shutting down, too many connections) that a retry later may outlive. */
const UNAVAILABLE = new Set([
  ...SOCKET_ERRORS,
  'PROTOCOL_CONNECTION_LOST', 'PROTOCOL_SEQUENCE_TIMEOUT', 'ER_CON_COUNT_ERROR', 'ER_SERVER_SHUTDOWN',
  'SQLITE_BUSY', 'SQLITE_CANTOPEN', 'SQLITE_READONLY', 'SQLITE_IOERR',
  '53300', '57P01', '57P02', '57P03',
])

/** node-postgres reports a lost or unobtainable connection without a code. */
const LOST = /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Can't add new command when connection is in closed state)/

/** Turns driver errors of SQLite, PostgreSQL and MySQL into problems with the same codes. */
export function translateSqlError(error: unknown): unknown {
  if (error instanceof FusioError) return error
  const code = (error as { code?: unknown }).code
  const message = error instanceof Error ? error.message : String(error)
  if (typeof code !== 'string') return LOST.test(message) ? unavailable(error) : error
  if (UNAVAILABLE.has(code) || code.startsWith('08')) return unavailable(error)
  // SQLite
  if (code === 'SQLITE_CONSTRAINT_NOTNULL') return notNull(/NOT NULL constraint failed: (?:\w+\.)?(\w+)/.exec(message)?.[1] ?? '', error)
  if (code.startsWith('SQLITE_CONSTRAINT')) return constraint(message.replace(/^.*constraint failed: /i, 'constraint failed: '), error)
  if (code === 'SQLITE_MISMATCH') return badValue(error)
  // PostgreSQL SQLSTATEs: 23502 not null, 23xxx other integrity constraints, 22xxx data exceptions.
  if (code === '23502') return notNull((error as { column?: string }).column ?? '', error)
  if (/^23[0-9A-Z]{3}$/.test(code)) return constraint((error as { detail?: string }).detail ?? message, error)
  if (/^22[0-9A-Z]{3}$/.test(code)) return badValue(error)
  // MySQL and MariaDB
  if (code === 'ER_BAD_NULL_ERROR' || code === 'ER_NO_DEFAULT_FOR_FIELD') return notNull(/['`](\w+)['`]/.exec(message)?.[1] ?? '', error)
  if (code === 'ER_DUP_ENTRY' || code.startsWith('ER_NO_REFERENCED_ROW') || code.startsWith('ER_ROW_IS_REFERENCED') || code === 'ER_CHECK_CONSTRAINT_VIOLATED') {
    return constraint(message, error)
  }
  if (/^(ER_TRUNCATED_WRONG_VALUE|ER_WARN_DATA_OUT_OF_RANGE|ER_DATA_TOO_LONG|ER_TRUNCATED_WRONG_VALUE_FOR_FIELD|WARN_DATA_TRUNCATED|ER_INVALID_JSON_TEXT)/.test(code)) {
    return badValue(error)
  }
  return error
}

/** `{success, message, id}`: Fusio's Message envelope of the write actions. */
export function message(text: string, id: unknown): { success: true; message: string; id?: string | number } {
  if (typeof id === 'bigint') id = Number(id)
  return typeof id === 'string' || typeof id === 'number' ? { success: true, message: text, id } : { success: true, message: text }
}

/** Escapes LIKE's own wildcards, so a user's value always matches as literal text. */
export const escapeLike = (value: string): string => value.replace(/[\\%_]/g, (c) => `\\${c}`)

/**
 * `column LIKE pattern ESCAPE '\'`, the escape character matching escapeLike. PostgreSQL compares
 * text only, so other columns are cast; MySQL reads a backslash in a literal as an escape itself.
 */
export function like(column: string, pattern: string, dialect: SqlConnection['dialect']): Expression<SqlBool> {
  if (dialect === 'postgres') return sql<SqlBool>`cast(${sql.ref(column)} as text) like ${pattern} escape '\\'`
  if (dialect === 'mysql') return sql<SqlBool>`${sql.ref(column)} like ${pattern} escape '\\\\'`
  return sql<SqlBool>`${sql.ref(column)} like ${pattern} escape '\\'`
}
