/** Runs dist/server.mjs as a child process with the terminal attached, passing signals through. */
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'

export function bundlePath(manifest: string, dist: string): string {
  return join(dirname(resolve(manifest)), dist, 'server.mjs')
}

export function runBundle(entry: string, args: readonly string[]): Promise<number> {
  if (!existsSync(entry)) return Promise.reject(new Error(`${entry} does not exist; run fusio build first`))
  return new Promise((done) => {
    const child = spawn(process.execPath, [entry, ...args], { stdio: 'inherit' })
    const forward = (signal: NodeJS.Signals) => child.kill(signal)
    process.on('SIGINT', forward)
    process.on('SIGTERM', forward)
    child.on('exit', (code, signal) => {
      process.off('SIGINT', forward)
      process.off('SIGTERM', forward)
      done(code ?? (signal ? 1 : 0))
    })
  })
}
