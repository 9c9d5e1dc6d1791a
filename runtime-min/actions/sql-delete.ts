/** SQL-Delete: deletes the row named by the `id` argument; 404 when missing. */
import { FusioError } from '../errors.js'
import type { ActionDefinition } from '../types.js'
import { idArgument, message, sqlConnection, tableConfigSchema, withSqlErrors, type SqlTableConfig } from './sql-shared.js'

export const sqlDelete: ActionDefinition<SqlTableConfig> = {
  name: 'sql-delete',
  aliases: ['SQL-Delete', 'Fusio\\Adapter\\Sql\\Action\\SqlDelete'],
  description: 'Deletes one row (the id argument)',
  connection: 'sql',
  readsId: true,
  configSchema: tableConfigSchema(),
  create(config, deps) {
    return (request) =>
      withSqlErrors(async () => {
        const connection = sqlConnection(deps, config.connection)
        const info = await connection.tableInfo(config.table)
        const id = idArgument(request)
        const result = await connection.client.deleteFrom(config.table).where(info.primaryKey, '=', id).executeTakeFirst()
        if (result.numDeletedRows === 0n) throw new FusioError('FUSIO_ERR_SQL_ENTRY_NOT_FOUND', 'Entry not available')
        return message('Entry successfully deleted', id)
      })
  },
}
