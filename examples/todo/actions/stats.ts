// A custom handler: its request and response types are generated from the todo.stats operation.
import type { Kysely } from 'kysely'
import type { TodoStatsHandler } from '../generated/types.js'

export const handler: TodoStatsHandler = async (_request, context) => {
  const db = context.connector.get<Kysely<any>>('Default')
  const row = await db
    .selectFrom('todo')
    .select((eb) => [eb.fn.countAll<number>().as('total'), eb.fn.sum<number>('done').as('done')])
    .executeTakeFirstOrThrow()
  const total = Number(row.total)
  const done = Number(row.done ?? 0)
  return { open: total - done, done, total }
}
