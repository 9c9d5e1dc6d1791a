/**
 * Applies the manifest's `migration:` SQL files once each, in order, tracked in `fusio_migration`
 * with a checksum. A migration that changed after it was applied stops start-up. Instances that start
 * at once may race for a migration: the loser's script fails, and it finds the winner's row instead.
 */
import { createHash } from 'node:crypto'
import { sql, type Kysely } from 'kysely'
import type { FastifyBaseLogger } from 'fastify'
import { FusioError } from './errors.js'
import { isSqlConnection } from './connections/sql.js'
import type { ConnectionSet } from './connections/registry.js'
import type { MigrationEntry } from './types.js'

const quote = (text: string) => `'${text.replace(/'/g, "''")}'`

export async function applyMigrations(
  migrations: Readonly<Record<string, readonly MigrationEntry[]>>,
  connections: ConnectionSet,
  log: FastifyBaseLogger,
): Promise<number> {
  let applied = 0
  for (const [name, files] of Object.entries(migrations)) {
    if (files.length === 0) continue
    const connection = connections.get(name)
    if (!isSqlConnection(connection)) throw new FusioError('FUSIO_ERR_CONFIG_INVALID', `migrations need an SQL connection, "${name}" is not one`)
    const db = connection.client
    await db.schema
      .createTable('fusio_migration')
      .ifNotExists()
      .addColumn('name', 'varchar(255)', (c) => c.primaryKey())
      .addColumn('checksum', 'varchar(64)', (c) => c.notNull())
      .addColumn('applied_at', 'varchar(32)', (c) => c.notNull())
      .execute()
    let done = await appliedMigrations(db)
    for (const file of files) {
      const checksum = createHash('sha256').update(file.sql).digest('hex')
      const previous = done.get(file.name)
      if (previous !== undefined) {
        if (previous !== checksum) {
          throw new FusioError('FUSIO_ERR_CONFIG_INVALID', `migration ${file.name} changed after it was applied to "${name}"; add a new migration instead`)
        }
        continue
      }
      // The script and its bookkeeping row commit together, or not at all.
      const record = `insert into fusio_migration (name, checksum, applied_at) values (${quote(file.name)}, ${quote(checksum)}, ${quote(new Date().toISOString())})`
      try {
        await connection.execScripts([file.sql, record])
      } catch (error) {
        // Another instance applied it first: its script and its row committed together.
        done = await appliedMigrations(db)
        if (done.get(file.name) === checksum) continue
        throw error
      }
      log.info({ connection: name, migration: file.name }, 'migration applied')
      applied++
    }
  }
  return applied
}

async function appliedMigrations(db: Kysely<any>): Promise<Map<string, string>> {
  const rows = await sql<{ name: string; checksum: string }>`select name, checksum from fusio_migration`.execute(db)
  return new Map(rows.rows.map((r) => [r.name, r.checksum]))
}
