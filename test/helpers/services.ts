/**
 * Probes the machine's real servers (PostgreSQL, MariaDB, Redis, RabbitMQ, beanstalkd). A test file
 * runs its suite only when the server answers; with FUSIO_REQUIRE_SERVICES=1 an absent server is a
 * failure, never a skip.
 */
import { connect } from 'node:net'

export interface ServiceProbe {
  readonly available: boolean
  /** Why the suite is skipped, shown in its title. */
  readonly reason: string
}

export const required = process.env.FUSIO_REQUIRE_SERVICES === '1'

export const SERVICES = {
  postgres: { host: '127.0.0.1', port: 5432, url: 'postgres://postgres@127.0.0.1:5432/test' },
  mariadb: { host: '127.0.0.1', port: 3306, url: 'mysql://root@127.0.0.1:3306/test' },
  redis: { host: '127.0.0.1', port: 6379, url: 'redis://127.0.0.1:6379' },
  rabbitmq: { host: '127.0.0.1', port: 5672, url: 'amqp://guest:guest@127.0.0.1:5672' },
  beanstalkd: { host: '127.0.0.1', port: 11300, url: 'beanstalk://127.0.0.1:11300' },
} as const

export type ServiceName = keyof typeof SERVICES

/** Resolves when a TCP connection to host:port opens within the timeout. */
export function tcpOpen(host: string, port: number, timeoutMs = 1500): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port })
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new Error(`no answer from ${host}:${port} within ${timeoutMs} ms`))
    }, timeoutMs)
    socket.once('connect', () => {
      clearTimeout(timer)
      socket.end()
      resolve()
    })
    socket.once('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
  })
}

/** Checks that a server listens; throws when it is required and missing, else reports a visible skip. */
export async function probeService(name: ServiceName, check?: () => Promise<unknown>): Promise<ServiceProbe> {
  const { host, port } = SERVICES[name]
  try {
    await tcpOpen(host, port)
    if (check) await check()
    return { available: true, reason: '' }
  } catch (error) {
    const reason = `${name} at ${host}:${port} is not reachable (${error instanceof Error ? error.message : String(error)})`
    if (required) throw new Error(`${reason}; FUSIO_REQUIRE_SERVICES=1 makes a missing service a failure`)
    console.warn(`skipping ${name} tests: ${reason}`)
    return { available: false, reason: ` [skipped: ${reason}]` }
  }
}
