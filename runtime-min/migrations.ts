/**
 * Applies the manifest's `migration:` SQL files once each, in order, tracked in `fusio_migration`
 * with a checksum. A migration that changed after it was applied stops start-up. Instances that start
 * at once may race for a migration: the loser's script fails, and it finds the winner's row instead.
 */
import { createHash } from 'node:crypto'
import { sql, type Kysely } from 'kysely'
import type { FastifyBaseLogger } from 'fastify'
import { FusioError } from './errors.js'
import { isSqlConnection, type SqlConnection } from './connections/sql.js'
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
    applied += await exclusively(connection, (db) => applyTo(name, connection, db, files, log))
  }
  return applied
}

async function applyTo(name: string, connection: SqlConnection, db: Kysely<any>, files: readonly MigrationEntry[], log: FastifyBaseLogger): Promise<number> {
  let applied = 0
  // Two instances creating it at once: PostgreSQL's IF NOT EXISTS can still fail one; again, it is there.
  await createLedger(db).catch(() => createLedger(db))
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
  return applied
}

/** How long an instance waits for another one's migrations on MySQL, in seconds. */
const LOCK_WAIT_SECONDS = 120

/**
 * MySQL commits DDL at once, so a script and its row are not atomic there: instances take turns under
 * a named lock, held by one pinned connection that the work also uses. SQLite and PostgreSQL need none.
 */
async function exclusively<T>(connection: SqlConnection, work: (db: Kysely<any>) => Promise<T>): Promise<T> {
  if (connection.dialect !== 'mysql') return work(connection.client)
  return connection.client.connection().execute(async (db) => {
    const locked = await sql<{ locked: number | null }>`select get_lock('fusio_migration', ${LOCK_WAIT_SECONDS}) as locked`.execute(db)
    if (Number(locked.rows[0]?.locked) !== 1) throw new FusioError('FUSIO_ERR_CONFIG_INVALID', `another instance held the migration lock for ${LOCK_WAIT_SECONDS} s`)
    try {
      return await work(db)
    } finally {
      await sql`select release_lock('fusio_migration')`.execute(db)
    }
  })
}

function createLedger(db: Kysely<any>): Promise<void> {
  return db.schema
    .createTable('fusio_migration')
    .ifNotExists()
    .addColumn('name', 'varchar(255)', (c) => c.primaryKey())
    .addColumn('checksum', 'varchar(64)', (c) => c.notNull())
    .addColumn('applied_at', 'varchar(32)', (c) => c.notNull())
    .execute()
    .then(() => undefined)
}

async function appliedMigrations(db: Kysely<any>): Promise<Map<string, string>> {
  const rows = await sql<{ name: string; checksum: string }>`select name, checksum from fusio_migration`.execute(db)
  return new Map(rows.rows.map((r) => [r.name, r.checksum]))
}
