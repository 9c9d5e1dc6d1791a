/**
 * A PostgreSQL server of the test's own (initdb in a temporary folder, its own port), so a test can
 * stop and start it without disturbing the machine's server that other test files use.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface OwnPostgres {
  readonly url: string
  start(): void
  stop(): void
  destroy(): void
}

const VERSIONS = '/usr/lib/postgresql'

/** The server binaries, or undefined when PostgreSQL is not installed on this machine. */
export function postgresBin(): string | undefined {
  if (!existsSync(VERSIONS)) return undefined
  const version = readdirSync(VERSIONS).sort().at(-1)
  return version ? join(VERSIONS, version, 'bin') : undefined
}

export function ownPostgres(port: number): OwnPostgres {
  const bin = postgresBin()
  if (!bin) throw new Error('PostgreSQL server binaries are not installed (expected under /usr/lib/postgresql)')
  const dir = mkdtempSync(join(tmpdir(), 'fusio-pg-'))
  // The server refuses to run as root: the folder belongs to the postgres user.
  execFileSync('chown', ['-R', 'postgres:postgres', dir])
  const asPostgres = (command: string, args: string[]) =>
    execFileSync('su', ['postgres', '-c', [join(bin, command), ...args].map((a) => `'${a}'`).join(' ')], { stdio: 'pipe' })
  asPostgres('initdb', ['-D', join(dir, 'data'), '-A', 'trust', '-U', 'postgres'])
  const control = (action: 'start' | 'stop') =>
    asPostgres('pg_ctl', [
      '-D', join(dir, 'data'), '-l', join(dir, 'server.log'), '-w',
      ...(action === 'start' ? ['-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`] : ['-m', 'fast']),
      action,
    ])
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start: () => control('start'),
    stop: () => control('stop'),
    destroy() {
      try {
        control('stop')
      } catch {
        // Already stopped.
      }
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
