/**
 * startService(options) → `node dist/server.mjs` as a child process, its output forwarded, ready once
 * GET /health answers 200; or, when it exits first, its exit and the last of its output. stop() sends
 * SIGTERM (the service drains its requests) and waits for the exit.
 */
import { spawn } from 'node:child_process'
import { get } from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Writable } from 'node:stream'

export interface ServiceOptions {
  readonly entry: string
  /** The child's whole environment; PORT and HOST say where it listens. */
  readonly env: NodeJS.ProcessEnv
  readonly host: string
  readonly port: number
  /** Where the service's own log lines go. */
  readonly output: Writable
  /** Called when the service exits without having been asked to. */
  readonly onExit: (exit: ServiceExit) => void
}

export interface ServiceExit {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  /** The end of what the service printed, to show why it stopped. */
  readonly output: string
}

export interface RunningService {
  readonly pid: number
  readonly url: string
  stop(): Promise<void>
}

export type Started = { readonly ok: true; readonly service: RunningService } | ({ readonly ok: false } & ServiceExit)

/** Enough of the output for a stack trace or the service's own "cannot start" line. */
const TAIL_CHARS = 4000
/** /health is polled this often until it answers. */
const POLL_MS = 5
/** A service that neither answers nor exits by then is killed and reported. */
const READY_TIMEOUT_MS = 60_000
/** After SIGTERM the service drains for up to FUSIO_SHUTDOWN_TIMEOUT (10 s) itself; past this it is killed. */
const KILL_AFTER_MS = 15_000

export async function startService(options: ServiceOptions): Promise<Started> {
  const child = spawn(process.execPath, [options.entry], { env: { ...options.env, HOST: options.host, PORT: String(options.port) }, stdio: ['ignore', 'pipe', 'pipe'] })
  let tail = ''
  const keep = (chunk: Buffer) => {
    options.output.write(chunk)
    tail = (tail + chunk.toString()).slice(-TAIL_CHARS)
  }
  child.stdout.on('data', keep)
  child.stderr.on('data', keep)
  let stopping = false
  const exited = new Promise<ServiceExit>((done) => {
    // 'close' comes after the output's last bytes: the tail holds the service's last words.
    child.once('close', (code, signal) => done({ code, signal, output: tail }))
    // A process that could not be spawned has no exit of its own.
    child.once('error', (error) => done({ code: null, signal: null, output: `${tail}${error.message}\n` }))
  })
  const url = `http://${wildcard(options.host) ? 'localhost' : literal(options.host)}:${options.port}`
  const probe = `http://${wildcard(options.host) ? '127.0.0.1' : literal(options.host)}:${options.port}/health`
  let exit: ServiceExit | undefined
  void exited.then((e) => (exit = e))
  const deadline = performance.now() + READY_TIMEOUT_MS
  while (!exit && !(await answers(probe))) {
    if (performance.now() > deadline) {
      child.kill('SIGKILL')
      const killed = await exited
      return { ok: false, ...killed, output: `${killed.output}no answer on ${probe} within ${READY_TIMEOUT_MS / 1000} s\n` }
    }
    await sleep(POLL_MS)
  }
  if (exit) return { ok: false, ...exit }
  void exited.then((e) => {
    if (!stopping) options.onExit(e)
  })
  return {
    ok: true,
    service: {
      pid: child.pid!,
      url,
      async stop() {
        stopping = true
        if (exit) return
        child.kill('SIGTERM')
        const timer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS)
        await exited
        clearTimeout(timer)
      },
    },
  }
}

/** Listening on every interface: reached, and shown, as this machine. */
function wildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === ''
}

/** An IPv6 address goes in brackets in a URL. */
function literal(host: string): string {
  return host.includes(':') ? `[${host}]` : host
}

/** One request on a connection of its own: a pooled one could still lead to the service that was stopped. */
function answers(url: string): Promise<boolean> {
  return new Promise((done) => {
    get(url, { agent: false }, (response) => {
      response.resume()
      done(response.statusCode === 200)
    }).once('error', () => done(false))
  })
}
