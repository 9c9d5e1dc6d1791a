/**
 * A RabbitMQ node of the test's own (its own node name, ports, data, logs and Erlang cookie in a
 * temporary folder), so a test can stop and start it without disturbing the machine's broker on 5672
 * that other test files use. Data survive stop() and start(): durable queues and persistent messages
 * come back after a restart.
 *
 * The scripts are run directly (not through Debian's /usr/sbin wrapper, which switches to the
 * rabbitmq user and its HOME). Node and rabbitmqctl both get HOME set to the temporary folder, where
 * the node's cookie lives, so rabbitmqctl can talk to the node whichever user runs the tests, and
 * neither /root/.erlang.cookie nor /var/lib/rabbitmq/.erlang.cookie is read or created. The machine's
 * rabbitmq.conf, rabbitmq-env.conf (NODENAME, ERL_FLAGS) and enabled_plugins are replaced by files
 * of the folder, so the node listens on 127.0.0.1:<port> only and starts no plugins.
 */
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { delimiter, dirname, join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { tcpOpen } from './services.js'

export interface OwnRabbitmq {
  readonly node: string
  readonly port: number
  readonly distPort: number
  /** amqp://guest:guest@127.0.0.1:<port> (guest may connect from localhost only, which is where the tests are). */
  readonly url: string
  readonly dir: string
  /** Milliseconds each start() and stop() took, in order. */
  readonly timings: { readonly action: 'start' | 'stop'; readonly ms: number }[]
  /** Starts the node and resolves once AMQP accepts connections and `rabbitmqctl await_startup` succeeded. */
  start(): Promise<void>
  /** Stops the node gracefully and resolves once its process is gone and the AMQP port is closed. */
  stop(): Promise<void>
  /** Stops the node if it runs and removes its folder. Never throws. */
  destroy(): Promise<void>
}

const DEBIAN_SCRIPTS = '/usr/lib/rabbitmq/bin'
const START_TIMEOUT_MS = 60_000
const STOP_TIMEOUT_MS = 30_000

/**
 * The folder of the real rabbitmq-server and rabbitmqctl scripts, or undefined when RabbitMQ is not
 * installed. Debian's /usr/sbin entries link to a wrapper in the same folder as the real scripts.
 */
export function rabbitmqScripts(): string | undefined {
  if (existsSync(join(DEBIAN_SCRIPTS, 'rabbitmq-server')) && existsSync(join(DEBIAN_SCRIPTS, 'rabbitmqctl'))) return DEBIAN_SCRIPTS
  const path = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin', '/opt/homebrew/sbin']
  for (const folder of path) {
    const server = join(folder, 'rabbitmq-server')
    if (!folder || !existsSync(server)) continue
    const real = dirname(realpathSync(server))
    if (existsSync(join(real, 'rabbitmq-server')) && existsSync(join(real, 'rabbitmqctl'))) return real
  }
  return undefined
}

/** Whether 127.0.0.1:port can be bound right now. */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(false))
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
  })
}

/** An AMQP port in 20000–24999 (away from 5672, 15672 and 25672) whose distribution port, 20000 higher, is free as well. */
async function freePorts(): Promise<{ port: number; distPort: number }> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = 20_000 + ((process.pid + attempt * 37) % 5_000)
    if ((await portFree(port)) && (await portFree(port + 20_000))) return { port, distPort: port + 20_000 }
  }
  throw new Error('found no free pair of ports for a private RabbitMQ node')
}

function run(file: string, args: string[], env: NodeJS.ProcessEnv, cwd: string, timeout: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { env, cwd, timeout, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${file} ${args.join(' ')} failed: ${error.message}\n${stdout}${stderr}`.trim()))
      else resolve(stdout)
    })
  })
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

export async function ownRabbitmq(): Promise<OwnRabbitmq> {
  const scripts = rabbitmqScripts()
  if (!scripts) throw new Error('RabbitMQ is not installed (no rabbitmq-server and rabbitmqctl found)')
  const server = join(scripts, 'rabbitmq-server')
  const rabbitmqctl = join(scripts, 'rabbitmqctl')
  const { port, distPort } = await freePorts()
  const node = `fusio-${process.pid}@localhost`
  const dir = mkdtempSync(join(tmpdir(), 'fusio-rabbitmq-'))
  const pidFile = join(dir, 'rabbitmq.pid')
  const logFile = join(dir, 'log', `${node}.log`)
  // The cookie of this node only: Erlang wants it readable by its owner alone.
  writeFileSync(join(dir, '.erlang.cookie'), `FUSIO${process.pid}${Math.random().toString(36).slice(2)}`.toUpperCase(), { mode: 0o400 })
  writeFileSync(join(dir, 'rabbitmq.conf'), `listeners.tcp.1 = 127.0.0.1:${port}\n`)
  writeFileSync(join(dir, 'enabled_plugins'), '[].\n')
  writeFileSync(join(dir, 'rabbitmq-env.conf'), '')

  const env: NodeJS.ProcessEnv = {
    ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('RABBITMQ_') && key !== 'ERL_FLAGS')),
    HOME: dir,
    RABBITMQ_NODENAME: node,
    RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
    RABBITMQ_NODE_PORT: String(port),
    RABBITMQ_DIST_PORT: String(distPort),
    RABBITMQ_CONFIG_FILE: join(dir, 'rabbitmq.conf'),
    RABBITMQ_ADVANCED_CONFIG_FILE: join(dir, 'advanced.config'),
    RABBITMQ_CONF_ENV_FILE: join(dir, 'rabbitmq-env.conf'),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'enabled_plugins'),
    RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
    RABBITMQ_LOG_BASE: join(dir, 'log'),
    RABBITMQ_PID_FILE: pidFile,
    // The distribution port on the loopback interface only, as the machine's node has it.
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: '-kernel inet_dist_use_interface {127,0,0,1}',
  }
  const ctl = (args: string[], timeout: number) => run(rabbitmqctl, ['-q', '-n', node, ...args], env, dir, timeout)
  const nodePid = (): number | undefined => {
    const text = existsSync(pidFile) ? readFileSync(pidFile, 'utf8').trim() : ''
    return /^\d+$/.test(text) ? Number(text) : undefined
  }
  const logTail = (): string => (existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').slice(-30).join('\n') : '(no log file)')
  const portOpen = () => tcpOpen('127.0.0.1', port, 500).then(() => true, () => false)

  const timings: { action: 'start' | 'stop'; ms: number }[] = []
  let running = false
  // A worker that dies without afterAll must not leave the node behind.
  const onExit = (): void => {
    const pid = nodePid()
    if (running && pid) {
      try {
        process.kill(pid, 'SIGKILL')
      } catch {
        // Already gone.
      }
    }
  }
  process.once('exit', onExit)

  async function start(): Promise<void> {
    const started = Date.now()
    if (await portOpen()) throw new Error(`127.0.0.1:${port} is already taken; cannot start ${node}`)
    running = true
    // A PID file left by a node that was killed belongs to a process that is gone.
    rmSync(pidFile, { force: true })
    // -detached returns at once; the node boots in the background.
    await run(server, ['-detached'], env, dir, 30_000)
    const deadline = started + START_TIMEOUT_MS
    while (!(await portOpen())) {
      if (Date.now() > deadline) throw new Error(`${node} did not open 127.0.0.1:${port} within ${START_TIMEOUT_MS} ms; log:\n${logTail()}`)
      const pid = nodePid()
      // The PID file is written early in the boot; a node that crashed afterwards will never listen.
      if (pid && !alive(pid)) throw new Error(`${node} exited while starting; log:\n${logTail()}`)
      await sleep(100)
    }
    await ctl(['await_startup', '--timeout', String(Math.max(1, Math.ceil((deadline - Date.now()) / 1000)))], START_TIMEOUT_MS)
    timings.push({ action: 'start', ms: Date.now() - started })
  }

  async function stop(): Promise<void> {
    const started = Date.now()
    const pid = nodePid()
    try {
      // With the PID file, rabbitmqctl returns only once the node's OS process has exited.
      await ctl(pid ? ['stop', pidFile] : ['stop'], STOP_TIMEOUT_MS)
    } catch (error) {
      // The node does not answer: end it by its own process id.
      if (!pid || !alive(pid)) throw error
      process.kill(pid, 'SIGKILL')
    }
    const deadline = Date.now() + STOP_TIMEOUT_MS
    while ((pid && alive(pid)) || (await portOpen())) {
      if (Date.now() > deadline) throw new Error(`${node} did not go away within ${STOP_TIMEOUT_MS} ms`)
      await sleep(100)
    }
    running = false
    timings.push({ action: 'stop', ms: Date.now() - started })
  }

  return {
    node,
    port,
    distPort,
    url: `amqp://guest:guest@127.0.0.1:${port}`,
    dir,
    timings,
    start,
    stop,
    async destroy() {
      try {
        if (running || (await portOpen())) await stop()
      } catch {
        onExit()
      }
      process.removeListener('exit', onExit)
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
