/** SQL-Update: updates the payload's columns of the row named by the `id` argument; 404 when missing. */
import { FusioError } from '../errors.js'
import type { ActionDefinition } from '../types.js'
import { idArgument, message, payloadValues, sqlConnection, tableConfigSchema, withSqlErrors, type SqlTableConfig } from './sql-shared.js'

export const sqlUpdate: ActionDefinition<SqlTableConfig> = {
  name: 'sql-update',
  aliases: ['SQL-Update', 'Fusio\\Adapter\\Sql\\Action\\SqlUpdate'],
  description: 'Updates the given columns of one row (the id argument)',
  connection: 'sql',
  readsId: true,
  configSchema: tableConfigSchema(),
  create(config, deps) {
    return (request) =>
      withSqlErrors(async () => {
        const connection = sqlConnection(deps, config.connection)
        const info = await connection.tableInfo(config.table)
        const id = idArgument(request)
        const values = payloadValues(request.body, info, new Set([info.primaryKey]), connection.dialect)
        const db = connection.client
        // With no column to change, the answer is only whether the row exists.
        const found =
          Object.keys(values).length > 0
            ? (await db.updateTable(config.table).set(values).where(info.primaryKey, '=', id).executeTakeFirst()).numUpdatedRows > 0n
            : (await db.selectFrom(config.table).select(info.primaryKey).where(info.primaryKey, '=', id).executeTakeFirst()) !== undefined
        if (!found) throw new FusioError('FUSIO_ERR_SQL_ENTRY_NOT_FOUND', 'Entry not available')
        return message('Entry successfully updated', id)
      })
  },
}
