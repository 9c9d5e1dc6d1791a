/** The usage log's batched writes: full batches (one compiled statement) and the rest, row by row intact. */
import type { FastifyReply, FastifyRequest } from 'fastify'
import { afterAll, describe, expect, it } from 'vitest'
import { sqlConnection, type SqlConnection } from '../../runtime-min/connections/sql.js'
import { migrateProductStore, type ProductDb } from '../../runtime-min/product/store.js'
import { createUsageLog } from '../../runtime-min/product/usage-log.js'

const silent = { warn: () => {} } as never
const connection = (await sqlConnection.create({ url: 'sqlite::memory:' })) as SqlConnection
await migrateProductStore(connection)
const db = connection.client as ProductDb
afterAll(() => connection.close())

const call = (i: number) => ({
  request: { url: `/todo/${i}?secret=x`, method: 'GET', ip: '127.0.0.1', headers: { 'user-agent': `agent ${i}` }, fusioUser: i % 2 ? { subject: String(i), clientId: `app-${i}`, scopes: [], claims: {} } : undefined } as unknown as FastifyRequest,
  reply: { statusCode: 200 + (i % 3), elapsedTime: i / 10 } as unknown as FastifyReply,
})

describe('usage log', () => {
  it('writes 2 full batches and a partial one with every field of every call', async () => {
    const usage = createUsageLog(db, { FUSIO_LOG_FLUSH_MS: '60000' }, silent)
    const hook = usage.hook('todo.get')
    for (let i = 0; i < 450; i++) {
      const { request, reply } = call(i)
      hook.call(undefined as never, request, reply, () => {})
    }
    await usage.stop()
    const rows = await db.selectFrom('fusio_log').selectAll().orderBy('id').execute()
    expect(rows).toHaveLength(450)
    for (const i of [0, 199, 200, 333, 449]) {
      expect(rows[i]).toMatchObject({
        operation: 'todo.get',
        user_id: i % 2 ? i : null,
        app_key: i % 2 ? `app-${i}` : null,
        ip: '127.0.0.1',
        method: 'GET',
        path: `/todo/${i}`,
        status: 200 + (i % 3),
        duration_ms: Math.round(i / 10),
        user_agent: `agent ${i}`,
      })
    }
  })
})
