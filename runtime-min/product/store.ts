/**
 * The product layer's tables in the service database (FUSIO_DATABASE_URL; SQLite under .fusio/ by
 * default): users, apps, tokens, one-time secrets and the usage log, created by kysely migrations
 * that run at start-up (or `node dist/server.mjs migrate`), on SQLite, PostgreSQL and MySQL alike.
 * Times are milliseconds since the epoch; ids are database-generated integers.
 */
import { Migrator, sql, type Generated, type Kysely, type Selectable, type Migration, type MigrationProvider, type CreateTableBuilder, type InsertQueryBuilder } from 'kysely'
import type { SqlConnection, SqlDialectName } from '../connections/sql.js'
import { FusioError } from '../errors.js'

export type UserStatus = 'pending' | 'active' | 'disabled'
export type AppStatus = 'active' | 'pending' | 'deactivated'

export interface UserTable {
  id: Generated<number>
  status: UserStatus
  name: string
  email: string
  /** scrypt hash; null for accounts that only log in through an identity provider. */
  password: string | null
  role: string
  plan: string | null
  identity: string | null
  remote_id: string | null
  points: number
  created_at: number
}

export interface AppTable {
  id: Generated<number>
  user_id: number
  status: AppStatus
  name: string
  url: string
  app_key: string
  /** SHA-256 of the secret: it is 256 random bits, so a fast hash is as strong as a slow one. */
  secret_hash: string
  scopes: string
  created_at: number
}

export interface TokenTable {
  id: Generated<number>
  jti: string
  user_id: number
  app_id: number | null
  /** `access`: issued by a grant (may carry a refresh token); `personal`: made by the user. */
  kind: 'access' | 'personal'
  name: string | null
  scopes: string
  refresh_hash: string | null
  refresh_expires: number | null
  expires: number
  revoked_at: number | null
  ip: string | null
  created_at: number
}

/** Activation and reset tokens, authorization codes and login states: stored hashed, used once. */
export interface SecretTable {
  hash: string
  kind: 'activate' | 'reset' | 'code' | 'identity'
  user_id: number | null
  data: string
  expires: number
  created_at: number
}

export interface LogTable {
  id: Generated<number>
  operation: string
  user_id: number | null
  app_key: string | null
  ip: string
  method: string
  path: string
  status: number
  duration_ms: number
  user_agent: string | null
  created_at: number
}

export interface ProductTables {
  fusio_user: UserTable
  fusio_app: AppTable
  fusio_token: TokenTable
  fusio_secret: SecretTable
  fusio_log: LogTable
}

export type ProductDb = Kysely<ProductTables>
export type User = Selectable<UserTable>
export type App = Selectable<AppTable>
export type Token = Selectable<TokenTable>
export type LogRow = Selectable<LogTable>

/** An autoincrement integer key in each dialect's own spelling. */
function withId<T extends string>(table: CreateTableBuilder<T, never>, dialect: SqlDialectName): CreateTableBuilder<T, 'id'> {
  return dialect === 'postgres'
    ? table.addColumn('id', 'bigserial', (c) => c.primaryKey())
    : table.addColumn('id', dialect === 'mysql' ? 'bigint' : 'integer', (c) => c.primaryKey().autoIncrement())
}

function migrations(dialect: SqlDialectName): Record<string, Migration> {
  return {
    '001_product': {
      async up(db: Kysely<any>) {
        await withId(db.schema.createTable('fusio_user'), dialect)
          .addColumn('status', 'varchar(16)', (c) => c.notNull())
          .addColumn('name', 'varchar(64)', (c) => c.notNull().unique())
          .addColumn('email', 'varchar(255)', (c) => c.notNull().unique())
          .addColumn('password', 'varchar(255)')
          .addColumn('role', 'varchar(64)', (c) => c.notNull())
          .addColumn('plan', 'varchar(64)')
          .addColumn('identity', 'varchar(64)')
          .addColumn('remote_id', 'varchar(255)')
          .addColumn('points', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .execute()
        await db.schema.createIndex('fusio_user_remote').on('fusio_user').columns(['identity', 'remote_id']).execute()
        await withId(db.schema.createTable('fusio_app'), dialect)
          .addColumn('user_id', 'bigint', (c) => c.notNull())
          .addColumn('status', 'varchar(16)', (c) => c.notNull())
          .addColumn('name', 'varchar(64)', (c) => c.notNull())
          .addColumn('url', 'varchar(255)', (c) => c.notNull())
          .addColumn('app_key', 'varchar(64)', (c) => c.notNull().unique())
          .addColumn('secret_hash', 'varchar(128)', (c) => c.notNull())
          .addColumn('scopes', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .execute()
        await db.schema.createIndex('fusio_app_user').on('fusio_app').column('user_id').execute()
        await withId(db.schema.createTable('fusio_token'), dialect)
          .addColumn('jti', 'varchar(64)', (c) => c.notNull().unique())
          .addColumn('user_id', 'bigint', (c) => c.notNull())
          .addColumn('app_id', 'bigint')
          .addColumn('kind', 'varchar(16)', (c) => c.notNull())
          .addColumn('name', 'varchar(64)')
          .addColumn('scopes', 'text', (c) => c.notNull())
          .addColumn('refresh_hash', 'varchar(128)', (c) => c.unique())
          .addColumn('refresh_expires', 'bigint')
          .addColumn('expires', 'bigint', (c) => c.notNull())
          .addColumn('revoked_at', 'bigint')
          .addColumn('ip', 'varchar(64)')
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .execute()
        await db.schema.createIndex('fusio_token_user').on('fusio_token').columns(['user_id', 'kind']).execute()
        await db.schema.createIndex('fusio_token_revoked').on('fusio_token').column('revoked_at').execute()
        await db.schema
          .createTable('fusio_secret')
          .addColumn('hash', 'varchar(128)', (c) => c.primaryKey())
          .addColumn('kind', 'varchar(16)', (c) => c.notNull())
          .addColumn('user_id', 'bigint')
          .addColumn('data', 'text', (c) => c.notNull())
          .addColumn('expires', 'bigint', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .execute()
        await withId(db.schema.createTable('fusio_log'), dialect)
          .addColumn('operation', 'varchar(128)', (c) => c.notNull())
          .addColumn('user_id', 'bigint')
          .addColumn('app_key', 'varchar(64)')
          .addColumn('ip', 'varchar(64)', (c) => c.notNull())
          .addColumn('method', 'varchar(8)', (c) => c.notNull())
          .addColumn('path', 'varchar(1024)', (c) => c.notNull())
          .addColumn('status', 'integer', (c) => c.notNull())
          .addColumn('duration_ms', 'integer', (c) => c.notNull())
          .addColumn('user_agent', 'varchar(255)')
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .execute()
        await db.schema.createIndex('fusio_log_user').on('fusio_log').columns(['user_id', 'created_at']).execute()
        await db.schema.createIndex('fusio_log_created').on('fusio_log').column('created_at').execute()
      },
    },
  }
}

/** Applies the product migrations not yet applied; kysely's migrator locks against a second instance doing the same. */
export async function migrateProductStore(connection: SqlConnection): Promise<void> {
  const provider: MigrationProvider = { getMigrations: async () => migrations(connection.dialect) }
  // Without a schema kysely takes a same-named table in any schema for its own: name the current one.
  const schema =
    connection.dialect === 'postgres' ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(connection.client)).rows[0]?.schema : undefined
  const migrator = new Migrator({
    db: connection.client,
    provider,
    migrationTableName: 'fusio_product_migration',
    migrationLockTableName: 'fusio_product_migration_lock',
    ...(schema ? { migrationTableSchema: schema } : {}),
  })
  const { error, results } = await migrator.migrateToLatest()
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName
    throw new FusioError('FUSIO_ERR_CONFIG_INVALID', `the service database cannot be migrated${failed ? ` (${failed})` : ''}: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    })
  }
}

/** Inserts one row and returns its generated id, whichever way the dialect reports it. */
export async function insertReturningId(dialect: SqlDialectName, query: InsertQueryBuilder<ProductTables, keyof ProductTables, any>): Promise<number> {
  if (dialect === 'postgres') {
    const row = (await query.returning('id' as never).executeTakeFirstOrThrow()) as { id: number | string }
    return Number(row.id)
  }
  const result = await query.executeTakeFirstOrThrow()
  return Number(result.insertId)
}

/** PostgreSQL and MySQL return bigint columns as strings; the API answers numbers. */
export const num = (value: number | string | bigint | null): number | null => (value === null ? null : Number(value))

/**
 * Drops one-time secrets that expired, tokens that ended more than a week ago (their refresh too), and
 * usage log rows older than `logDays` (0 keeps them).
 */
export async function pruneExpired(db: ProductDb, logDays: number): Promise<number> {
  const now = Date.now()
  const logs = logDays > 0 ? await db.deleteFrom('fusio_log').where('created_at', '<', now - logDays * 86400_000).executeTakeFirst() : { numDeletedRows: 0n }
  const secrets = await db.deleteFrom('fusio_secret').where('expires', '<', now).executeTakeFirst()
  const weekAgo = now - 7 * 86400_000
  const tokens = await db
    .deleteFrom('fusio_token')
    .where('expires', '<', weekAgo)
    .where((eb) => eb.or([eb('refresh_expires', 'is', null), eb('refresh_expires', '<', weekAgo)]))
    .executeTakeFirst()
  return Number(secrets.numDeletedRows) + Number(tokens.numDeletedRows) + Number(logs.numDeletedRows)
}
