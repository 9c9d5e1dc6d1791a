/** Runs dist/server.mjs as a child process with the terminal attached, passing signals through. */
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'

export interface RunOptions {
  /** Keep the child's standard output instead of passing it through (for --json). */
  readonly captureStdout?: boolean
  /** Added to this process's environment. */
  readonly env?: Readonly<Record<string, string>>
}

export interface BundleExit {
  readonly code: number
  /** What the child printed, when captured. */
  readonly stdout: string
}

export function bundlePath(manifest: string, dist: string): string {
  return join(dirname(resolve(manifest)), dist, 'server.mjs')
}

export function runBundle(entry: string, args: readonly string[], options: RunOptions = {}): Promise<BundleExit> {
  if (!existsSync(entry)) return Promise.reject(new Error(`${entry} does not exist; run fusio build first`))
  return new Promise((done) => {
    const child = spawn(process.execPath, [entry, ...args], {
      stdio: ['inherit', options.captureStdout ? 'pipe' : 'inherit', 'inherit'],
      env: { ...process.env, ...options.env },
    })
    const chunks: Buffer[] = []
    child.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk))
    const forward = (signal: NodeJS.Signals) => child.kill(signal)
    process.on('SIGINT', forward)
    process.on('SIGTERM', forward)
    child.on('close', (code, signal) => {
      process.off('SIGINT', forward)
      process.off('SIGTERM', forward)
      done({ code: code ?? (signal ? 1 : 0), stdout: Buffer.concat(chunks).toString('utf8') })
    })
  })
}
