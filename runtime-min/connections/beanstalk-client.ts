/**
 * A minimal beanstalkd protocol client on node:net. One socket, opened lazily; commands are pipelined
 * and answered in order, so each reply settles the oldest pending command. After the socket drops,
 * the next command reconnects and first restores the used and watched tubes.
 */
import { connect, type Socket } from 'node:net'

export interface BeanstalkClientOptions {
  readonly host: string
  readonly port: number
  /** Default 5000 ms. */
  readonly connectTimeoutMs?: number
  /** Time the server has to answer a command, default 5000 ms; `reserve` adds its own timeout. */
  readonly commandTimeoutMs?: number
}

export interface PutOptions {
  /** 0 is the most urgent; default 1024. */
  readonly priority?: number
  /** Seconds before the job becomes ready; default 0. */
  readonly delay?: number
  /** Seconds a worker may hold the job; default 60. */
  readonly ttr?: number
}

export interface ReservedJob {
  readonly id: number
  readonly body: Buffer
}

/**
 * Every failure of a command. `code` is the server's protocol word (`NOT_FOUND`, `JOB_TOO_BIG`, …),
 * or for the connection a Node-style code: the socket's own (`ECONNREFUSED`, …), `ECONNRESET` when it
 * closed, `ETIMEDOUT`, `EPROTO` for a reply that breaks the protocol, `ECLOSED` after `close()`.
 */
export class BeanstalkError extends Error {
  readonly code: string
  /** The command had reached an open connection when it failed: the server may have carried it out. */
  readonly sent: boolean

  constructor(code: string, message: string, options?: ErrorOptions & { sent?: boolean }) {
    super(message, options)
    this.name = 'BeanstalkError'
    this.code = code
    this.sent = options?.sent ?? false
  }
}

interface Reply {
  readonly command: string
  readonly words: readonly string[]
  readonly body?: Buffer
}

interface Pending {
  readonly command: string
  readonly timeoutMs: number
  readonly resolve: (reply: Reply) => void
  readonly reject: (error: BeanstalkError) => void
  timer?: NodeJS.Timeout
}

const CRLF = Buffer.from('\r\n')
const EMPTY = Buffer.alloc(0)
const DEFAULT_TUBE = 'default'
const MAX_UINT32 = 2 ** 32 - 1
// setTimeout fires at once for longer delays, which a long reserve would ask for.
const MAX_TIMER_MS = 2 ** 31 - 1
// Replies whose last word is the byte count of a body that follows the line.
const BODY_REPLIES = new Set(['RESERVED', 'FOUND', 'OK'])
// beanstalkd's own rule for tube names.
const TUBE_NAME = /^[A-Za-z0-9+/;.$_()][A-Za-z0-9\-+/;.$_()]{0,199}$/
// `current-jobs-ready: 3` is a number, but a tube named `42` stays a name.
const STRING_STATS = new Set(['name'])

export class BeanstalkClient {
  readonly #host: string
  readonly #port: number
  readonly #connectTimeoutMs: number
  readonly #commandTimeoutMs: number
  #socket: Socket | null = null
  #connected = false
  #connectTimer: NodeJS.Timeout | undefined
  #buffer: Buffer = EMPTY
  #pending: Pending[] = []
  #closed = false
  #usedTube = DEFAULT_TUBE
  // A fresh connection watches only `default`.
  #watched = new Set([DEFAULT_TUBE])

  constructor(options: BeanstalkClientOptions) {
    this.#host = options.host
    this.#port = options.port
    this.#connectTimeoutMs = options.connectTimeoutMs ?? 5000
    this.#commandTimeoutMs = options.commandTimeoutMs ?? 5000
  }

  /** Puts later jobs into `tube`; remembered across reconnects. */
  async use(tube: string): Promise<void> {
    checkTube(tube)
    expectWord(await this.#send(`use ${tube}`), 'USING')
    this.#usedTube = tube
  }

  /** Returns the new job's id. */
  async put(body: string | Buffer, options: PutOptions = {}): Promise<number> {
    const { priority = 1024, delay = 0, ttr = 60 } = options
    checkInteger('priority', priority, 0, MAX_UINT32)
    checkInteger('delay', delay, 0, MAX_UINT32)
    checkInteger('ttr', ttr, 0, MAX_UINT32)
    const data = typeof body === 'string' ? Buffer.from(body) : body
    const reply = await this.#send(`put ${priority} ${delay} ${ttr} ${data.length}`, data)
    // BURIED on put means the server stored the job but could not queue it: a failure for the caller.
    if (reply.words[0] === 'BURIED') throw new BeanstalkError('BURIED', `put: job ${reply.words[1]} was buried, the server is out of memory`)
    return jobId(expectWord(reply, 'INSERTED'))
  }

  /** Adds `tube` to the tubes `reserve` takes jobs from; remembered across reconnects. */
  async watch(tube: string): Promise<void> {
    checkTube(tube)
    expectWord(await this.#send(`watch ${tube}`), 'WATCHING')
    this.#watched.add(tube)
  }

  /** Stops watching `tube`; NOT_IGNORED when it is the last one watched. */
  async ignore(tube: string): Promise<void> {
    checkTube(tube)
    expectWord(await this.#send(`ignore ${tube}`), 'WATCHING')
    this.#watched.delete(tube)
  }

  /** Waits up to `timeoutSeconds` for a job of a watched tube; null when none came. */
  async reserve(timeoutSeconds: number): Promise<ReservedJob | null> {
    checkInteger('timeout', timeoutSeconds, 0, MAX_UINT32)
    const reply = await this.#send(`reserve-with-timeout ${timeoutSeconds}`, undefined, timeoutSeconds * 1000)
    if (reply.words[0] === 'TIMED_OUT') return null
    return { id: jobId(expectWord(reply, 'RESERVED')), body: reply.body ?? EMPTY }
  }

  async delete(id: number): Promise<void> {
    checkInteger('job id', id, 1, Number.MAX_SAFE_INTEGER)
    expectWord(await this.#send(`delete ${id}`), 'DELETED')
  }

  /** Hands a reserved job back to the ready (or, with a delay, delayed) queue. */
  async release(id: number, priority = 1024, delay = 0): Promise<void> {
    checkInteger('job id', id, 1, Number.MAX_SAFE_INTEGER)
    checkInteger('priority', priority, 0, MAX_UINT32)
    checkInteger('delay', delay, 0, MAX_UINT32)
    expectWord(await this.#send(`release ${id} ${priority} ${delay}`), 'RELEASED')
  }

  /** Sets a reserved job aside until it is kicked or deleted. */
  async bury(id: number, priority = 1024): Promise<void> {
    checkInteger('job id', id, 1, Number.MAX_SAFE_INTEGER)
    checkInteger('priority', priority, 0, MAX_UINT32)
    expectWord(await this.#send(`bury ${id} ${priority}`), 'BURIED')
  }

  /** The server's counters for `tube`, numbers as numbers. */
  async statsTube(tube: string): Promise<Record<string, string | number>> {
    checkTube(tube)
    const reply = await this.#send(`stats-tube ${tube}`)
    expectWord(reply, 'OK')
    return parseDict(reply.body ?? EMPTY)
  }

  /** Resolves when the server answers; opens the connection if needed. */
  async ping(): Promise<void> {
    expectWord(await this.#send('list-tube-used'), 'USING')
  }

  /** Ends the connection for good: answers on their way still settle; unanswered and later commands reject with ECLOSED. */
  async close(): Promise<void> {
    this.#closed = true
    const socket = this.#socket
    if (!socket) return
    await new Promise<void>((resolve) => {
      // A server that never closes its side must not keep close() waiting.
      const timer = setTimeout(() => socket.destroy(), this.#commandTimeoutMs)
      socket.once('close', () => {
        clearTimeout(timer)
        resolve()
      })
      socket.end()
    })
  }

  #send(command: string, body?: Buffer, extraTimeoutMs = 0): Promise<Reply> {
    if (this.#closed) return Promise.reject(new BeanstalkError('ECLOSED', `${verb(command)}: the client is closed`))
    const timeoutMs = this.#commandTimeoutMs + extraTimeoutMs
    return new Promise<Reply>((resolve, reject) => this.#enqueue({ command, timeoutMs, resolve, reject }, body))
  }

  #enqueue(pending: Pending, body?: Buffer): void {
    const socket = this.#socket ?? this.#open()
    this.#pending.push(pending)
    const line = Buffer.from(`${pending.command}\r\n`)
    socket.write(body ? Buffer.concat([line, body, CRLF]) : line)
    this.#armHead()
  }

  #open(): Socket {
    const socket = connect({ host: this.#host, port: this.#port })
    socket.setNoDelay(true)
    this.#socket = socket
    this.#connected = false
    this.#buffer = EMPTY
    this.#connectTimer = setTimeout(
      () => this.#drop(socket, 'ETIMEDOUT', `could not connect to ${this.#address()} within ${this.#connectTimeoutMs} ms`),
      this.#connectTimeoutMs,
    )
    socket.on('connect', () => {
      clearTimeout(this.#connectTimer)
      this.#connected = true
      this.#armHead()
    })
    socket.on('data', (chunk: Buffer) => {
      if (socket === this.#socket) this.#receive(socket, chunk)
    })
    socket.on('error', (error: NodeJS.ErrnoException) => {
      this.#drop(socket, error.code ?? 'ECONNRESET', `${this.#address()}: ${error.message}`, error)
    })
    socket.on('close', () => {
      if (this.#closed) this.#drop(socket, 'ECLOSED', 'the client was closed before the server answered')
      else this.#drop(socket, 'ECONNRESET', `${this.#address()} closed the connection`)
    })
    this.#restoreTubes(socket)
    return socket
  }

  // Queued ahead of the caller's command, so a reconnect is invisible to it.
  #restoreTubes(socket: Socket): void {
    const restore: [command: string, reply: string][] = []
    if (this.#usedTube !== DEFAULT_TUBE) restore.push([`use ${this.#usedTube}`, 'USING'])
    for (const tube of this.#watched) if (tube !== DEFAULT_TUBE) restore.push([`watch ${tube}`, 'WATCHING'])
    // Watch the others first: beanstalkd refuses to ignore the last watched tube.
    if (!this.#watched.has(DEFAULT_TUBE)) restore.push([`ignore ${DEFAULT_TUBE}`, 'WATCHING'])
    for (const [command, expected] of restore) {
      this.#enqueue({
        command,
        timeoutMs: this.#commandTimeoutMs,
        // Checked synchronously, so the commands behind it fail instead of running on the wrong tube.
        resolve: ({ words }) => {
          if (words[0] !== expected) this.#drop(socket, words[0] || 'EPROTO', `restoring "${command}" failed: ${words.join(' ')}`)
        },
        // The connection failed: the caller's commands behind this one get the error.
        reject: () => {},
      })
    }
  }

  // Only the oldest command is timed: the ones behind it wait for it, not for the server.
  #armHead(): void {
    const head = this.#pending[0]
    const socket = this.#socket
    if (!head || head.timer || !this.#connected || !socket) return
    head.timer = setTimeout(
      () => this.#drop(socket, 'ETIMEDOUT', `no answer from ${this.#address()} within ${head.timeoutMs} ms`),
      Math.min(head.timeoutMs, MAX_TIMER_MS),
    )
  }

  #receive(socket: Socket, chunk: Buffer): void {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk])
    while (socket === this.#socket) {
      const lineEnd = this.#buffer.indexOf(CRLF)
      if (lineEnd < 0) return
      const words = this.#buffer.toString('latin1', 0, lineEnd).split(' ')
      let end = lineEnd + CRLF.length
      let body: Buffer | undefined
      if (BODY_REPLIES.has(words[0])) {
        const size = Number(words[words.length - 1])
        if (!Number.isSafeInteger(size) || size < 0) return this.#drop(socket, 'EPROTO', `malformed reply "${words.join(' ')}"`)
        // Bodies may hold CRLF, so they are cut by their announced size, never at a line end.
        if (this.#buffer.length < end + size + CRLF.length) return
        if (!this.#buffer.subarray(end + size, end + size + CRLF.length).equals(CRLF)) {
          return this.#drop(socket, 'EPROTO', `the body of "${words.join(' ')}" does not end with CRLF`)
        }
        // A copy, so the job does not pin the whole receive buffer.
        body = Buffer.from(this.#buffer.subarray(end, end + size))
        end += size + CRLF.length
      }
      this.#buffer = this.#buffer.subarray(end)
      const head = this.#pending.shift()
      if (!head) return this.#drop(socket, 'EPROTO', `unexpected reply "${words.join(' ')}"`)
      clearTimeout(head.timer)
      head.resolve({ command: head.command, words, body })
      this.#armHead()
    }
  }

  // Destroying the socket keeps a late answer from being taken as the reply to a later command.
  #drop(socket: Socket, code: string, message: string, cause?: Error): void {
    if (socket !== this.#socket) return
    // Commands written before the connection opened never left the process.
    const sent = this.#connected
    this.#socket = null
    this.#connected = false
    this.#buffer = EMPTY
    clearTimeout(this.#connectTimer)
    socket.destroy()
    for (const pending of this.#pending.splice(0)) {
      clearTimeout(pending.timer)
      pending.reject(new BeanstalkError(code, `${verb(pending.command)}: ${message}`, { ...(cause && { cause }), sent }))
    }
  }

  #address(): string {
    return `beanstalkd at ${this.#host}:${this.#port}`
  }
}

/** Any reply but `word` is the server's error: its first word becomes the error's code. */
function expectWord(reply: Reply, word: string): Reply {
  const [first = ''] = reply.words
  if (first !== word) {
    throw new BeanstalkError(first || 'EPROTO', `${verb(reply.command)}: beanstalkd answered ${reply.words.join(' ') || 'an empty line'}`)
  }
  return reply
}

function jobId(reply: Reply): number {
  const id = Number(reply.words[1])
  if (!Number.isSafeInteger(id)) throw new BeanstalkError('EPROTO', `malformed job id in "${reply.words.join(' ')}"`)
  return id
}

// Checked here so a bad name fails with the code the server would send, without a round trip.
function checkTube(tube: string): void {
  if (!TUBE_NAME.test(tube)) throw new BeanstalkError('BAD_FORMAT', `invalid tube name ${JSON.stringify(tube)}`)
}

function checkInteger(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new BeanstalkError('BAD_FORMAT', `${name} must be an integer from ${min} to ${max}, got ${value}`)
  }
}

/** Reads the `key: value` lines of a YAML dict reply; the `---` header and blank lines are skipped. */
function parseDict(body: Buffer): Record<string, string | number> {
  const result: Record<string, string | number> = {}
  for (const line of body.toString('utf8').split('\n')) {
    const match = /^([\w-]+): ?(.*)$/.exec(line)
    if (!match) continue
    const [, key, value] = match
    result[key] = !STRING_STATS.has(key) && /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value
  }
  return result
}

function verb(command: string): string {
  return command.split(' ', 1)[0]
}
