/**
 * The service's own database (FUSIO_DATABASE_URL; SQLite at .fusio/service.db by default), shared by
 * the job queue and the product layer. It opens on first use and closes once, after everything that
 * uses it has stopped.
 */
import { join } from 'node:path'
import type { RuntimeEnvironment } from './config.js'
import { sqlConnection, type SqlConnection } from './connections/sql.js'

export interface ServiceDatabase {
  get(): Promise<SqlConnection>
  close(): Promise<void>
}

export function serviceDatabaseUrl(environment: RuntimeEnvironment): string {
  return environment.env.FUSIO_DATABASE_URL ?? `sqlite:///${join(environment.srcDir, '.fusio', 'service.db')}`
}

export function createServiceDatabase(environment: RuntimeEnvironment): ServiceDatabase {
  let connection: Promise<SqlConnection> | undefined
  return {
    get() {
      connection ??= Promise.resolve(sqlConnection.create({ url: serviceDatabaseUrl(environment) }) as SqlConnection | Promise<SqlConnection>)
      return connection
    },
    async close() {
      if (connection) await (await connection).close()
    },
  }
}
