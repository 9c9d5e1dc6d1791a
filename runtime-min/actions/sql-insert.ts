/** SQL-Insert: inserts the payload's columns (never a database-assigned key) → 201 Message with the new id. */
import type { ActionDefinition } from '../types.js'
import { prepareQuery, type PreparedQuery } from './compiled-query.js'
import { message, payloadValues, sqlConnection, tableConfigSchema, withSqlErrors, type SqlTableConfig } from './sql-shared.js'

export const sqlInsert: ActionDefinition<SqlTableConfig> = {
  name: 'sql-insert',
  aliases: ['SQL-Insert', 'Fusio\\Adapter\\Sql\\Action\\SqlInsert'],
  description: 'Inserts the request body as a row; answers 201 with the new id',
  connection: 'sql',
  configSchema: tableConfigSchema(),
  create(config, deps) {
    // One compiled statement per set of columns a body brings (bounded: unusual mixes are built per call).
    const inserts = new Map<string, PreparedQuery<Record<string, unknown>>>()
    return (request, context) =>
      withSqlErrors(async () => {
        const connection = sqlConnection(deps, config.connection)
        const info = await connection.tableInfo(config.table)
        const values = payloadValues(request.body, info, info.generated, connection.dialect)
        const columns = Object.keys(values)
        // MySQL has no RETURNING: its driver reports the assigned key instead.
        const mysql = connection.dialect === 'mysql'
        const key = columns.join(',')
        let insert = inserts.get(key)
        if (!insert) {
          insert = prepareQuery<Record<string, unknown>>((db, ...slots) => {
            const table = db.insertInto(config.table)
            const query = columns.length > 0 ? table.values(Object.fromEntries(columns.map((column, i) => [column, slots[i]]))) : table.defaultValues()
            return mysql ? query : query.returning(info.primaryKey)
          }, columns.length)
          if (inserts.size < 64) inserts.set(key, insert)
        }
        const result = await insert(connection.client, ...Object.values(values))
        const id = mysql ? (info.generated.has(info.primaryKey) ? result.insertId : values[info.primaryKey]) : result.rows[0]?.[info.primaryKey]
        return context.response.created(message('Entry successfully created', id))
      })
  },
}
