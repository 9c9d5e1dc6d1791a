/**
 * SQL-Query-All and SQL-Query-Row: a raw SQL statement with `{name}` parameters bound from the
 * request (path, then query, then body). All returns Fusio's paged envelope; Row returns one row or 404.
 */
import { sql } from 'kysely'
import { FusioError } from '../errors.js'
import type { ActionDefinition, JsonSchema } from '../types.js'
import { paging, pagingParameters } from './sql-select-all.js'
import { connectionProperty, normalizeRow, sqlConnection, withSqlErrors } from './sql-shared.js'
import { bindTemplate, parseSqlTemplate, templateArguments } from './sql-template.js'

export interface SqlQueryConfig {
  readonly connection: string
  readonly sql: string
  readonly limit?: number
}

const configSchema = (withLimit: boolean): JsonSchema => ({
  type: 'object',
  properties: {
    connection: connectionProperty,
    sql: { type: 'string', minLength: 1, description: 'SQL with {name} parameters; often `!include query.sql`' },
    ...(withLimit ? { limit: { type: 'integer', minimum: 1, maximum: 1024, description: 'page size (default 16)' } } : {}),
  },
  required: ['connection', 'sql'],
  additionalProperties: false,
})

const argumentParameters = (config: SqlQueryConfig): Record<string, JsonSchema> =>
  Object.fromEntries(templateArguments(parseSqlTemplate(config.sql)).map((name) => [name, { type: 'string', description: `bound to {${name}}` }]))

export const sqlQueryAll: ActionDefinition<SqlQueryConfig> = {
  name: 'sql-query-all',
  aliases: ['SQL-Query-All', 'Fusio\\Adapter\\Sql\\Action\\Query\\SqlQueryAll', 'Fusio\\Adapter\\Sql\\Action\\SqlQueryAll'],
  description: 'Raw SQL with bound {name} parameters, answered as a paged list',
  connection: 'sql',
  configSchema: configSchema(true),
  queryParameters: (config) => ({ ...argumentParameters(config), ...pagingParameters(config.limit ?? 16) }),
  create(config, deps) {
    const parts = parseSqlTemplate(config.sql.trim().replace(/;\s*$/, ''))
    const limit = config.limit ?? 16
    return (request) =>
      withSqlErrors(async () => {
        const db = sqlConnection(deps, config.connection).client
        const statement = bindTemplate(parts, request)
        const { startIndex, count } = paging(request.query as Record<string, unknown>, limit)
        const total = await sql<{ total: number }>`select count(*) as total from (${statement}) as fusio_count`.execute(db)
        const rows = await sql<Record<string, unknown>>`${statement} limit ${count} offset ${startIndex}`.execute(db)
        return {
          totalResults: Number(total.rows[0]?.total ?? 0),
          itemsPerPage: count,
          startIndex,
          entry: rows.rows.map(normalizeRow),
        }
      })
  },
}

export const sqlQueryRow: ActionDefinition<SqlQueryConfig> = {
  name: 'sql-query-row',
  aliases: ['SQL-Query-Row', 'Fusio\\Adapter\\Sql\\Action\\Query\\SqlQueryRow', 'Fusio\\Adapter\\Sql\\Action\\SqlQueryRow'],
  description: 'Raw SQL with bound {name} parameters, answered with its first row (404 when none)',
  connection: 'sql',
  configSchema: configSchema(false),
  queryParameters: argumentParameters,
  create(config, deps) {
    const parts = parseSqlTemplate(config.sql.trim().replace(/;\s*$/, ''))
    return (request) =>
      withSqlErrors(async () => {
        const db = sqlConnection(deps, config.connection).client
        const result = await bindTemplate(parts, request).execute(db)
        const row = result.rows[0] as Record<string, unknown> | undefined
        if (!row) throw new FusioError('FUSIO_ERR_SQL_ENTRY_NOT_FOUND', 'Entry not available')
        return normalizeRow(row)
      })
  },
}
