/** SQL-Select-Row: one row by primary key, taken from the `id` argument; 404 when missing. */
import { FusioError } from '../errors.js'
import type { ActionDefinition } from '../types.js'
import { columnsProperty, idArgument, normalizeRow, sqlConnection, tableConfigSchema, withSqlErrors, type SqlTableConfig } from './sql-shared.js'

export interface SqlSelectRowConfig extends SqlTableConfig {
  readonly columns?: readonly string[]
}

export const sqlSelectRow: ActionDefinition<SqlSelectRowConfig> = {
  name: 'sql-select-row',
  aliases: ['SQL-Select-Row', 'Fusio\\Adapter\\Sql\\Action\\SqlSelectRow'],
  description: 'One row of a table by its primary key (the id argument)',
  connection: 'sql',
  readsId: true,
  configSchema: tableConfigSchema({ columns: columnsProperty }),
  create(config, deps) {
    return (request) =>
      withSqlErrors(async () => {
        const connection = sqlConnection(deps, config.connection)
        const info = await connection.tableInfo(config.table)
        const columns = config.columns && config.columns.length > 0 ? config.columns : info.columns
        const row = await connection.client
          .selectFrom(config.table)
          .select(columns as string[])
          .where(info.primaryKey, '=', idArgument(request))
          .executeTakeFirst()
        if (!row) throw new FusioError('FUSIO_ERR_SQL_ENTRY_NOT_FOUND', 'Entry not available')
        return normalizeRow(row as Record<string, unknown>)
      })
  },
}
