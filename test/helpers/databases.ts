/**
 * A scratch database per test file on each SQL backend: a temporary SQLite file, a PostgreSQL schema
 * or a MariaDB database with a unique name, dropped afterwards. Tests get its URL and a raw `exec`.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import mysql from 'mysql2/promise'
import pg from 'pg'
import { SERVICES } from './services.js'

export type Backend = 'sqlite' | 'postgres' | 'mariadb'

export interface ScratchDatabase {
  readonly backend: Backend
  /** The URL a service connects with (credentials of the local test servers). */
  readonly url: string
  exec(statement: string, parameters?: unknown[]): Promise<Record<string, unknown>[]>
  drop(): Promise<void>
}

const uniqueName = () => `fusio_t${process.pid}_${Math.random().toString(36).slice(2, 8)}`

export async function scratchDatabase(backend: Backend): Promise<ScratchDatabase> {
  const name = uniqueName()
  if (backend === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'fusio-sql-'))
    const file = join(dir, 'test.db')
    const db = new Database(file)
    return {
      backend,
      url: `sqlite:///${file}`,
      async exec(statement, parameters = []) {
        const prepared = db.prepare(statement)
        if (prepared.reader) return prepared.all(...parameters) as Record<string, unknown>[]
        prepared.run(...parameters)
        return []
      },
      async drop() {
        db.close()
        rmSync(dir, { recursive: true, force: true })
      },
    }
  }
  if (backend === 'postgres') {
    const client = new pg.Client({ connectionString: SERVICES.postgres.url })
    await client.connect()
    await client.query(`create schema ${name}`)
    await client.query(`set search_path = ${name}`)
    return {
      backend,
      url: `${SERVICES.postgres.url}?options=${encodeURIComponent(`-c search_path=${name}`)}`,
      async exec(statement, parameters = []) {
        return (await client.query(statement, parameters)).rows
      },
      async drop() {
        await client.query(`drop schema ${name} cascade`)
        await client.end()
      },
    }
  }
  const admin = await mysql.createConnection({ uri: SERVICES.mariadb.url })
  await admin.query(`create database ${name}`)
  await admin.query(`use ${name}`)
  return {
    backend,
    url: `${SERVICES.mariadb.url.replace(/\/[^/]*$/, '')}/${name}`,
    async exec(statement, parameters = []) {
      const [rows] = await admin.query(statement, parameters)
      return Array.isArray(rows) ? (rows as Record<string, unknown>[]) : []
    },
    async drop() {
      await admin.query(`drop database ${name}`)
      await admin.end()
    },
  }
}
