/** Loads a built bundle's app factory and signs test tokens (token issuance comes with the API product layer). */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { createServer, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { FastifyInstance } from 'fastify'
import { SignJWT } from 'jose'

export const JWT_SECRET = 'test-secret-that-is-long-enough-for-hs256!'

export async function startApp(projectDir: string, env: Record<string, string> = {}): Promise<FastifyInstance> {
  const module = (await import(pathToFileURL(join(projectDir, 'dist/server.mjs')).href)) as {
    createApp(options: object): Promise<FastifyInstance>
  }
  // Each test file gets its own ${dir.src}, so SQLite files never collide between parallel files.
  const srcDir = mkdtempSync(join(tmpdir(), 'fusio-src-'))
  const app = await module.createApp({ logger: false, env: { FUSIO_JWT_SECRET: JWT_SECRET, FUSIO_DIR_SRC: srcDir, ...env } })
  await app.ready()
  return app
}

export function token(claims: { scope?: string; sub?: string; expiresIn?: string }, secret = JWT_SECRET, alg = 'HS256'): Promise<string> {
  return new SignJWT({ scope: claims.scope ?? '', client_id: 'test-app' })
    .setProtectedHeader({ alg })
    .setSubject(claims.sub ?? 'user-1')
    .setIssuedAt()
    .setExpirationTime(claims.expiresIn ?? '5m')
    .sign(new TextEncoder().encode(secret))
}

/** Starts `node dist/server.mjs`, resolving once it printed its URL. */
export function spawnService(dir: string, env: Record<string, string>): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(process.execPath, [join(dir, 'dist/server.mjs')], { env: { ...process.env, PORT: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const match = /http:\/\/127\.0\.0\.1:(\d+)/.exec(output.split('\n').find((l) => l.includes('"msg":"Service') || /: http:\/\//.test(l)) ?? '')
      if (match) resolve({ child, url: `http://127.0.0.1:${match[1]}`, output: () => output })
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    child.on('exit', (code) => reject(new Error(`service exited with ${code}: ${output}`)))
  })
}

/** Creates an active account of a built API product with `node dist/server.mjs user:add`. */
export function addUser(projectDir: string, env: Record<string, string>, user: { name: string; password: string; role?: string }): void {
  const args = ['user:add', '--name', user.name, '--email', `${user.name}@example.com`, ...(user.role ? ['--role', user.role] : [])]
  const created = spawnSync(process.execPath, [join(projectDir, 'dist/server.mjs'), ...args], {
    env: { ...process.env, ...env, FUSIO_USER_PASSWORD: user.password },
    encoding: 'utf8',
  })
  if (created.status !== 0) throw new Error(`user:add failed: ${created.stderr}`)
}

/** A port that was free a moment ago, for services whose own URL must be known before they start. */
export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

/**
 * Rate windows start at multiples of their length: when fewer than `needMs` of the current one are
 * left, waits for the next, so the calls a test counts all land in one window.
 */
export async function sameWindow(windowSeconds: number, needMs = 5_000): Promise<void> {
  const length = windowSeconds * 1000
  const left = length - (Date.now() % length)
  if (left < needMs) await new Promise((resolve) => setTimeout(resolve, left + 50))
}
