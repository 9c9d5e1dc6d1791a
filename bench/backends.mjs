// Requests per second of the generated service next to a hand-written Fastify service, in the same
// run: sql-select-all on SQLite, PostgreSQL and MariaDB, and http-processor to a local upstream.
// autocannon runs in this process; each service and the upstream run in their own process.
// Usage: node bench/backends.mjs [seconds per round] [rounds]   (needs the machine's PostgreSQL and MariaDB)
import { execFileSync, spawn } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir, cpus } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import autocannon from 'autocannon'
import Database from 'better-sqlite3'
import mysql from 'mysql2/promise'
import pg from 'pg'

const [seconds = '5', rounds = '3'] = process.argv.slice(2)
const root = join(import.meta.dirname, '..')
const work = mkdtempSync(join(tmpdir(), 'fusio-bench-'))
const project = join(work, 'project')
cpSync(join(root, 'bench/projects/backends'), project, { recursive: true })
execFileSync(process.execPath, [join(root, 'bin/fusio'), 'build', '--manifest', join(project, '.fusio.yml')], { stdio: 'ignore' })

let nextPort = 21000 + Math.floor(Math.random() * 1000)
const children = []
async function serve(script, env) {
  const port = nextPort++
  const child = spawn(process.execPath, [script], { env: { ...process.env, ...env, PORT: String(port), FUSIO_LOG_LEVEL: 'warn' }, stdio: 'ignore' })
  children.push(child)
  for (let i = 0; i < 500; i++) {
    try {
      await fetch(`http://127.0.0.1:${port}/`)
      return { port, child }
    } catch {
      await sleep(20)
    }
  }
  throw new Error(`${script} did not start`)
}

const ROWS = 100
const ddl = {
  sqlite: 'create table bench_item (id integer primary key, name varchar(100) not null, price decimal(10,2), active boolean, created_at datetime)',
  postgres: 'create table bench_item (id serial primary key, name varchar(100) not null, price numeric(10,2), active boolean, created_at timestamp)',
  mariadb: 'create table bench_item (id int auto_increment primary key, name varchar(100) not null, price decimal(10,2), active boolean, created_at datetime)',
}
const insert = (i) => [`item ${i}`, i * 1.25, i % 2, '2024-05-01 10:20:30']

async function database(backend) {
  if (backend === 'sqlite') {
    const file = join(work, 'bench.db')
    const db = new Database(file)
    db.exec(ddl.sqlite)
    const statement = db.prepare('insert into bench_item (name, price, active, created_at) values (?, ?, ?, ?)')
    for (let i = 0; i < ROWS; i++) statement.run(...insert(i))
    db.close()
    return `sqlite:///${file}`
  }
  const name = `fusio_bench_${process.pid}`
  if (backend === 'postgres') {
    const client = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/test' })
    await client.connect()
    await client.query(`drop schema if exists ${name} cascade; create schema ${name}; set search_path = ${name}`)
    await client.query(ddl.postgres)
    for (let i = 0; i < ROWS; i++) await client.query('insert into bench_item (name, price, active, created_at) values ($1, $2, $3, $4)', [...insert(i).slice(0, 2), i % 2 === 1, insert(i)[3]])
    await client.end()
    return `postgres://postgres@127.0.0.1:5432/test?options=${encodeURIComponent(`-c search_path=${name}`)}`
  }
  const connection = await mysql.createConnection({ uri: 'mysql://root@127.0.0.1:3306/test' })
  await connection.query(`drop database if exists ${name}`)
  await connection.query(`create database ${name}`)
  await connection.query(`use ${name}`)
  await connection.query(ddl.mariadb)
  for (let i = 0; i < ROWS; i++) await connection.query('insert into bench_item (name, price, active, created_at) values (?, ?, ?, ?)', insert(i))
  await connection.end()
  return `mysql://root@127.0.0.1:3306/${name}`
}

async function load(port, path) {
  const result = await autocannon({ url: `http://127.0.0.1:${port}${path}`, connections: 32, duration: Number(seconds) })
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${path} on ${port}: ${result.non2xx} non-2xx, ${result.errors} errors`)
  return { rps: result.requests.average, p99: result.latency.p99 }
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]

/** Warm-up, then rounds that alternate the two services so drift hits both alike. */
async function compare(label, path, generated, handwritten) {
  await load(generated, path)
  await load(handwritten, path)
  const runs = { generated: [], handwritten: [] }
  for (let round = 0; round < Number(rounds); round++) {
    runs.generated.push(await load(generated, path))
    runs.handwritten.push(await load(handwritten, path))
  }
  const summary = (list) => ({ rps: Math.round(median(list.map((r) => r.rps))), min: Math.round(Math.min(...list.map((r) => r.rps))), max: Math.round(Math.max(...list.map((r) => r.rps))), p99: median(list.map((r) => r.p99)) })
  const row = { label, generated: summary(runs.generated), handwritten: summary(runs.handwritten) }
  row.ratio = Number((row.generated.rps / row.handwritten.rps).toFixed(2))
  console.log(`${label.padEnd(28)} generated ${String(row.generated.rps).padStart(6)} req/s (p99 ${row.generated.p99} ms)  hand-written ${String(row.handwritten.rps).padStart(6)} req/s (p99 ${row.handwritten.p99} ms)  ratio ${row.ratio}`)
  return row
}

const results = []
try {
  const upstream = await serve(join(root, 'bench/upstream.mjs'), {})
  const upstreamUrl = `http://127.0.0.1:${upstream.port}`
  for (const backend of ['sqlite', 'postgres', 'mariadb']) {
    const env = { DATABASE_URL: await database(backend), UPSTREAM_URL: upstreamUrl, FUSIO_DIR_SRC: work }
    const generated = await serve(join(project, 'dist/server.mjs'), env)
    const handwritten = await serve(join(root, 'bench/handwritten-backends.mjs'), env)
    results.push(await compare(`sql-select-all (${backend})`, '/item', generated.port, handwritten.port))
    if (backend === 'sqlite') results.push(await compare('http-processor', '/users/42', generated.port, handwritten.port))
    generated.child.kill()
    handwritten.child.kill()
  }
} finally {
  for (const child of children) child.kill()
  rmSync(work, { recursive: true, force: true })
}
const report = { date: new Date().toISOString(), node: process.version, cpus: cpus().length, seconds: Number(seconds), rounds: Number(rounds), results }
mkdirSync(join(root, 'bench/results'), { recursive: true })
const file = join(root, 'bench/results', `backends-${report.date.slice(0, 10)}.json`)
writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`)
console.log(`written ${file}`)
