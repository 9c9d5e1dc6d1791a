/**
 * SQL-Select-All: a paged list of a table, with Fusio's query parameters (startIndex, count,
 * sortBy, sortOrder, filterBy, filterOp, filterValue) and its envelope
 * `{totalResults, itemsPerPage, startIndex, entry}`.
 */
import { sql, type Expression, type Kysely, type SqlBool } from 'kysely'
import { FusioError } from '../errors.js'
import type { ActionDefinition, JsonSchema } from '../types.js'
import { prepareQuery, type PreparedQuery } from './compiled-query.js'
import { columnsProperty, escapeLike, like, normalizeRow, sqlConnection, tableConfigSchema, withSqlErrors, type SqlTableConfig } from './sql-shared.js'

export interface SqlSelectAllConfig extends SqlTableConfig {
  readonly columns?: readonly string[]
  readonly orderBy?: string
  readonly orderDirection?: 'ASC' | 'DESC'
  readonly limit?: number
}

const FILTER_OPS = ['contains', 'equals', 'startsWith', 'present'] as const
type FilterOp = (typeof FILTER_OPS)[number]

/** The paging parameters shared with SQL-Query-All. */
export function pagingParameters(limit: number): Record<string, JsonSchema> {
  return {
    startIndex: { type: 'integer', minimum: 0, default: 0, description: 'zero-based index of the first entry' },
    count: { type: 'integer', minimum: 1, maximum: limit, description: `entries per page (at most ${limit})` },
  }
}

/** `startIndex` and `count` from a query: `count` defaults to `fallback` and never exceeds `limit`. */
export function paging(query: Record<string, unknown>, limit: number, fallback = limit): { startIndex: number; count: number } {
  const startIndex = Math.max(0, Math.trunc(Number(query.startIndex) || 0))
  const requested = Math.trunc(Number(query.count) || fallback)
  return { startIndex, count: Math.min(Math.max(requested, 1), limit) }
}

function knownColumn(columns: readonly string[], name: string, field: string): string {
  if (columns.includes(name)) return name
  throw new FusioError('FUSIO_ERR_VALIDATION_QUERY', `${field} must name one of the columns ${columns.join(', ')}`, {
    errors: [{ in: 'query', field, pointer: `/${field}`, message: `must be one of ${columns.join(', ')}` }],
  })
}

export const sqlSelectAll: ActionDefinition<SqlSelectAllConfig> = {
  name: 'sql-select-all',
  aliases: ['SQL-Select-All', 'Fusio\\Adapter\\Sql\\Action\\SqlSelectAll'],
  description: 'Paged, sortable, filterable list of the rows of a table',
  connection: 'sql',
  configSchema: tableConfigSchema({
    columns: columnsProperty,
    orderBy: { type: 'string', description: 'default sort column (default: the primary key)' },
    orderDirection: { type: 'string', enum: ['ASC', 'DESC'], description: 'default sort direction (default DESC)' },
    limit: { type: 'integer', minimum: 1, maximum: 1024, description: 'page size and maximum count (default 16)' },
  }),
  queryParameters(config) {
    const columns: JsonSchema = config.columns && config.columns.length > 0 ? { enum: [...config.columns] } : {}
    return {
      ...pagingParameters(config.limit ?? 16),
      sortBy: { type: 'string', ...columns, description: 'column to sort by' },
      sortOrder: { type: 'string', enum: ['ASC', 'DESC', 'asc', 'desc'], description: 'sort direction' },
      filterBy: { type: 'string', ...columns, description: 'column to filter on' },
      filterOp: { type: 'string', enum: [...FILTER_OPS], description: 'filter operator (default contains)' },
      filterValue: { type: 'string', description: 'value to compare filterBy with' },
    }
  },
  create(config, deps) {
    const limit = config.limit ?? 16
    const rowsOf = (client: Kysely<any>, filter: Expression<SqlBool> | undefined) => (filter ? client.selectFrom(config.table).where(filter) : client.selectFrom(config.table))
    const countOf = (client: Kysely<any>, filter?: Expression<SqlBool>) => rowsOf(client, filter).select((eb) => eb.fn.countAll<number>().as('total'))
    const countAll = prepareQuery<{ total: number }>(countOf, 0)
    const pages = new Map<string, PreparedQuery<unknown>>()
    return (request) =>
      withSqlErrors(async () => {
        const connection = sqlConnection(deps, config.connection)
        const info = await connection.tableInfo(config.table)
        const columns = config.columns && config.columns.length > 0 ? config.columns : info.columns
        const query = request.query as Record<string, unknown>
        const { startIndex, count } = paging(query, limit)
        const sortBy = typeof query.sortBy === 'string' ? knownColumn(info.columns, query.sortBy, 'sortBy') : (config.orderBy ?? info.primaryKey)
        const direction = typeof query.sortOrder === 'string' ? query.sortOrder.toUpperCase() : (config.orderDirection ?? 'DESC')
        let filter: Expression<SqlBool> | undefined
        if (typeof query.filterBy === 'string') {
          const column = knownColumn(info.columns, query.filterBy, 'filterBy')
          const op = (typeof query.filterOp === 'string' ? query.filterOp : 'contains') as FilterOp
          const value = typeof query.filterValue === 'string' ? query.filterValue : undefined
          if (op === 'present') filter = sql<SqlBool>`${sql.ref(column)} is not null`
          else if (value !== undefined) {
            if (op === 'equals') filter = sql<SqlBool>`${sql.ref(column)} = ${value}`
            else if (op === 'startsWith') filter = like(column, `${escapeLike(value)}%`, connection.dialect)
            else filter = like(column, `%${escapeLike(value)}%`, connection.dialect)
          }
        }
        const db = connection.client
        const page = (client: Kysely<any>, limitValue: number, offsetValue: number) =>
          rowsOf(client, filter).select(columns as string[]).orderBy(sortBy, direction === 'ASC' ? 'asc' : 'desc').limit(limitValue).offset(offsetValue)
        let total: { total: number | string } | undefined
        let rows: unknown[]
        if (filter) {
          total = await countOf(db, filter).executeTakeFirst()
          rows = await page(db, count, startIndex).execute()
        } else {
          // Unfiltered pages, the common call, run compiled queries (one per sort order).
          total = (await countAll(db)).rows[0]
          const key = `${sortBy} ${direction}`
          let prepared = pages.get(key)
          if (!prepared) pages.set(key, (prepared = prepareQuery(page, 2)))
          rows = (await prepared(db, count, startIndex)).rows
        }
        return {
          totalResults: Number(total?.total ?? 0),
          itemsPerPage: count,
          startIndex,
          entry: rows.map((row) => normalizeRow(row as Record<string, unknown>)),
        }
      })
  },
}
