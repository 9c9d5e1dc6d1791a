/** SQL-Insert: inserts the payload's columns (never a database-assigned key) → 201 Message with the new id. */
import type { ActionDefinition } from '../types.js'
import { message, payloadValues, sqlConnection, tableConfigSchema, withSqlErrors, type SqlTableConfig } from './sql-shared.js'

export const sqlInsert: ActionDefinition<SqlTableConfig> = {
  name: 'sql-insert',
  aliases: ['SQL-Insert', 'Fusio\\Adapter\\Sql\\Action\\SqlInsert'],
  description: 'Inserts the request body as a row; answers 201 with the new id',
  connection: 'sql',
  configSchema: tableConfigSchema(),
  create(config, deps) {
    return (request, context) =>
      withSqlErrors(async () => {
        const connection = sqlConnection(deps, config.connection)
        const info = await connection.tableInfo(config.table)
        const values = payloadValues(request.body, info, info.generated, connection.dialect)
        const table = connection.client.insertInto(config.table)
        const insert = Object.keys(values).length > 0 ? table.values(values) : table.defaultValues()
        // MySQL has no RETURNING: its driver reports the assigned key instead.
        const id =
          connection.dialect === 'mysql'
            ? info.generated.has(info.primaryKey)
              ? (await insert.executeTakeFirst()).insertId
              : (await insert.execute(), values[info.primaryKey])
            : (await insert.returning(info.primaryKey).executeTakeFirst())?.[info.primaryKey]
        return context.response.created(message('Entry successfully created', id))
      })
  },
}
