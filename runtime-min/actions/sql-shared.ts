/** What the SQL actions share: connection lookup, the id argument, row values, driver errors. */
import { sql, type Expression, type SqlBool } from 'kysely'
import { FusioError } from '../errors.js'
import type { ActionDeps, ActionRequest, JsonSchema } from '../types.js'
import { isSqlConnection, type SqlConnection } from '../connections/sql.js'

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

export function sqlConnection(deps: ActionDeps, name: string): SqlConnection {
  const connection = deps.connections.get(name)
  if (!isSqlConnection(connection)) throw new FusioError('FUSIO_ERR_CONFIG_INVALID', `connection "${name}" is not an SQL connection`)
  return connection
}

/** Fusio's arguments: path parameters win over query parameters. */
export function argument(request: ActionRequest, name: string): unknown {
  const params = request.params as Record<string, unknown>
  if (params[name] !== undefined) return params[name]
  return (request.query as Record<string, unknown>)[name]
}

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
    if (value instanceof Uint8Array) row[key] = Buffer.from(value).toString('base64')
    else if (value instanceof Date) row[key] = value.toISOString()
    else if (typeof value === 'bigint') row[key] = Number.isSafeInteger(Number(value)) ? Number(value) : value.toString()
  }
  return row
}

/** Payload columns that the table has, as values the driver can bind (objects become JSON text). */
export function payloadValues(
  payload: unknown,
  columns: readonly string[],
  skip: ReadonlySet<string>,
  dialect: SqlConnection['dialect'],
): Record<string, unknown> {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    throw new FusioError('FUSIO_ERR_VALIDATION_BODY', 'the body must be a JSON object', {
      errors: [{ in: 'body', field: '', pointer: '', message: 'must be object' }],
    })
  }
  const values: Record<string, unknown> = {}
  const body = payload as Record<string, unknown>
  for (const column of columns) {
    if (skip.has(column) || !(column in body)) continue
    values[column] = bindable(body[column], dialect)
  }
  return values
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

export function translateSqlError(error: unknown): unknown {
  if (error instanceof FusioError) return error
  const code = (error as { code?: unknown }).code
  const message = error instanceof Error ? error.message : String(error)
  if (typeof code !== 'string') return error
  if (code === 'SQLITE_CONSTRAINT_NOTNULL') {
    const column = /NOT NULL constraint failed: (?:\w+\.)?(\w+)/.exec(message)?.[1] ?? ''
    return new FusioError('FUSIO_ERR_SQL_NOT_NULL', `${column || 'a column'} must not be null`, {
      errors: [{ in: 'body', field: column, pointer: `/${column}`, message: 'must not be null' }],
      cause: error,
    })
  }
  if (code.startsWith('SQLITE_CONSTRAINT')) {
    return new FusioError('FUSIO_ERR_SQL_CONSTRAINT', message.replace(/^.*constraint failed: /i, 'constraint failed: '), {
      cause: error,
    })
  }
  if (code === 'SQLITE_MISMATCH') return new FusioError('FUSIO_ERR_SQL_ARGUMENT', 'a value does not fit its column', { cause: error })
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_CANTOPEN' || code === 'SQLITE_READONLY' || code === 'SQLITE_IOERR') {
    return new FusioError('FUSIO_ERR_CONNECTION_UNAVAILABLE', 'the database is not available', { cause: error })
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

/** `column LIKE pattern ESCAPE '\'`, the escape character matching escapeLike. */
export function like(column: string, pattern: string): Expression<SqlBool> {
  return sql<SqlBool>`${sql.ref(column)} like ${pattern} escape '\\'`
}
