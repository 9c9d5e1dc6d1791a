/**
 * `beanstalk` connections (Fusio's Beanstalk): puts jobs into beanstalkd tubes through our own
 * protocol client. `use` is state of a socket, so each tube published to gets its own client: puts to
 * different tubes never interleave, and puts to one tube are pipelined. Sockets open on first use.
 */
import { FusioError } from '../errors.js'
import type { Connection, ConnectionDefinition } from '../types.js'
import { BeanstalkClient, BeanstalkError, type PutOptions } from './beanstalk-client.js'
import { portOf, SOCKET_ERRORS } from './network.js'

export interface BeanstalkConfig {
  /** beanstalk://host:port; wins over host and port. */
  readonly url?: string
  readonly host?: string
  readonly port?: number | string
}

export interface BeanstalkPublisher {
  /** A client of its own for custom handlers (reserve, stats…); its `use` does not affect publish. */
  readonly beanstalk: BeanstalkClient
  /** Puts `body` into `tube` and resolves with the job id once beanstalkd answered INSERTED. */
  publish(tube: string, body: Buffer, options?: PutOptions): Promise<number>
}

export interface BeanstalkConnection extends Connection<BeanstalkPublisher> {
  readonly kind: 'beanstalk'
}

export function isBeanstalkConnection(connection: Connection): connection is BeanstalkConnection {
  return connection.kind === 'beanstalk'
}

/** Socket failures, and a server that refuses new jobs while it drains: a retry later may succeed. */
const UNAVAILABLE = new Set([...SOCKET_ERRORS, 'ECLOSED', 'DRAINING'])

/** Connection failures are 503, a job larger than the server's max-job-size is the client's 400, the rest 500. */
function beanstalkError(error: unknown): FusioError {
  if (error instanceof FusioError) return error
  const code = String((error as { code?: unknown }).code ?? '')
  if (UNAVAILABLE.has(code)) return new FusioError('FUSIO_ERR_CONNECTION_UNAVAILABLE', 'the beanstalkd server is not available', { cause: error })
  if (code === 'JOB_TOO_BIG') {
    return new FusioError('FUSIO_ERR_VALIDATION_BODY', 'the message is larger than the queue accepts', {
      errors: [{ in: 'body', field: '', pointer: '', message: 'is larger than the queue accepts' }],
      cause: error,
    })
  }
  return new FusioError('FUSIO_ERR_INTERNAL', `beanstalkd refused the job (${code || 'unknown error'})`, { cause: error })
}

function beanstalkAddress(config: BeanstalkConfig): { host: string; port: number } {
  if (!config.url) return { host: config.host || '127.0.0.1', port: portOf(config.port, 11300) }
  let url: URL
  try {
    url = new URL(config.url)
  } catch {
    throw new FusioError('FUSIO_ERR_CONFIG_INVALID', 'the beanstalk URL is not a valid URL')
  }
  if (url.protocol !== 'beanstalk:') throw new FusioError('FUSIO_ERR_CONFIG_INVALID', `the beanstalk URL must start with beanstalk://, not ${url.protocol}//`)
  return { host: url.hostname || '127.0.0.1', port: portOf(url.port, 11300) }
}

function createBeanstalkConnection(config: BeanstalkConfig): BeanstalkConnection {
  const address = beanstalkAddress(config)
  let general: BeanstalkClient | undefined
  // Tubes come from action configs, so this map stays as small as the manifest.
  const tubes = new Map<string, { client: BeanstalkClient; using: Promise<void> }>()

  function tubeClient(tube: string): { client: BeanstalkClient; using: Promise<void> } {
    let entry = tubes.get(tube)
    if (!entry) {
      const client = new BeanstalkClient(address)
      const created = { client, using: client.use(tube) }
      // A failed `use` (server down, invalid name) is tried again by the next publish, on a fresh client.
      created.using.catch(() => {
        if (tubes.get(tube) === created) tubes.delete(tube)
        void client.close()
      })
      tubes.set(tube, created)
      entry = created
    }
    return entry
  }

  // After close() the next use creates fresh clients, so a closed connection is never a dead end.
  const beanstalk = (): BeanstalkClient => (general ??= new BeanstalkClient(address))

  return {
    kind: 'beanstalk',
    client: {
      get beanstalk() {
        return beanstalk()
      },
      async publish(tube, body, options) {
        let putting = false
        try {
          const { client, using } = tubeClient(tube)
          await using
          putting = true
          return await client.put(body, options)
        } catch (error) {
          // A put whose answer was lost with the connection may have been stored, as with a lost AMQP confirm.
          if (putting && error instanceof BeanstalkError && error.sent && UNAVAILABLE.has(error.code)) {
            throw new FusioError('FUSIO_ERR_PUBLISH_UNCONFIRMED', `beanstalkd did not confirm the job (${error.code}); it may have been stored`, { cause: error })
          }
          throw beanstalkError(error)
        }
      },
    },
    async ping() {
      await beanstalk()
        .ping()
        .catch((error: unknown) => {
          throw beanstalkError(error)
        })
    },
    async close() {
      const clients = [...(general ? [general] : []), ...[...tubes.values()].map((t) => t.client)]
      general = undefined
      tubes.clear()
      await Promise.all(clients.map((c) => c.close()))
    },
  }
}

export const beanstalkConnection: ConnectionDefinition<BeanstalkConfig> = {
  name: 'beanstalk',
  aliases: ['Beanstalk', 'Fusio\\Adapter\\Beanstalk\\Connection\\Beanstalk'],
  description: 'A beanstalkd work queue: puts jobs into tubes, one lazily opened socket per tube',
  configSchema: {
    type: 'object',
    properties: {
      url: { type: 'string', description: 'beanstalk://host:port; replaces host and port' },
      host: { type: 'string', description: 'server host (default 127.0.0.1)' },
      port: { type: ['integer', 'string'], description: 'server port (default 11300)' },
    },
    additionalProperties: false,
  },
  create: createBeanstalkConnection,
}
