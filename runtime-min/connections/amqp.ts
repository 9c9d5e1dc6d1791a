/**
 * `amqp` connections (Fusio's Amqp): publishes to RabbitMQ or another AMQP 0-9-1 broker over one
 * connection and one confirm channel, opened on first use. A publish resolves only once the broker
 * has confirmed the message; a broker that is down or a nack is a 503 (nothing stored), a confirm
 * lost with the connection a 504 (it may be stored). After
 * the connection or channel closes, the next publish opens a new one.
 */
import type { ChannelModel, ConfirmChannel, Options } from 'amqplib'
import { FusioError } from '../errors.js'
import { commonJs } from '../interop.js'
import type { Connection, ConnectionDefinition } from '../types.js'
import { portOf } from './network.js'

export interface AmqpConfig {
  /** amqp://user:pass@host:port/vhost (amqps:// for TLS); wins over the discrete keys. */
  readonly url?: string
  readonly host?: string
  readonly port?: number | string
  readonly user?: string
  readonly password?: string
  readonly vhost?: string
  /** Shown by the broker (management UI, rabbitmqctl) for this service's connection. */
  readonly connectionName?: string
}

/** Where a message goes: a queue (through the default exchange), or an exchange with a routing key. */
export interface PublishTarget {
  readonly exchange?: string
  readonly routingKey?: string
  readonly queue?: string
}

export interface PublishOptions {
  readonly contentType?: string
  readonly headers?: Readonly<Record<string, string>>
  /** Lets consumers recognise a message they have already handled. */
  readonly messageId?: string
  /** Default true: the broker writes the message to disk in durable queues. */
  readonly persistent?: boolean
}

export interface AmqpClient {
  publish(target: PublishTarget, body: Buffer, options?: PublishOptions): Promise<void>
}

export interface AmqpConnection extends Connection<AmqpClient> {
  readonly kind: 'amqp'
}

export function isAmqpConnection(connection: Connection): connection is AmqpConnection {
  return connection.kind === 'amqp'
}

interface Session {
  readonly model: ChannelModel
  readonly channel: ConfirmChannel
  /** Queues declared (and bound) on this connection, by target. */
  readonly declared: Map<string, Promise<void>>
  /** The error the broker closed the channel with, if it did: it explains the publishes that fail with it. */
  failure?: unknown
}

const CONNECT_TIMEOUT_MS = 5_000
// A blocked broker (memory or disk alarm) holds publishes; the request must not wait forever.
const CONFIRM_TIMEOUT_MS = 10_000
/** Channel errors that mean the configuration does not fit the broker: access refused, not found, not allowed, precondition failed. */
const REFUSALS = new Set([403, 404, 405, 406])

/** The broker may hold the message: it was sent, but its confirm was lost with the connection or never came. */
class Unconfirmed extends Error {}

/**
 * Refusals of the broker are configuration errors (500); a message whose fate is unknown is a 504 (a
 * retry with the same Idempotency-Key lets consumers drop the copy); anything else means the broker
 * cannot be used and nothing was stored (503).
 */
function amqpError(error: unknown): FusioError {
  if (error instanceof FusioError) return error
  if (error instanceof Unconfirmed) {
    return new FusioError('FUSIO_ERR_PUBLISH_UNCONFIRMED', `the AMQP broker did not confirm the message (${error.message}); it may have been published`, {
      cause: error,
    })
  }
  const code = (error as { code?: unknown }).code
  if (typeof code === 'number' && REFUSALS.has(code)) {
    return new FusioError('FUSIO_ERR_CONFIG_INVALID', `the AMQP broker refused the queue or exchange (${code})`, { cause: error })
  }
  return new FusioError('FUSIO_ERR_CONNECTION_UNAVAILABLE', 'the AMQP broker is not available', { cause: error })
}

function connectTarget(config: AmqpConfig): string | Options.Connect {
  if (config.url) return config.url
  return {
    protocol: 'amqp',
    hostname: config.host ?? '127.0.0.1',
    port: portOf(config.port, 5672),
    username: config.user,
    password: config.password,
    vhost: config.vhost ?? '/',
  }
}

const ignore = (): void => {}

async function createAmqpConnection(config: AmqpConfig): Promise<AmqpConnection> {
  const amqp = commonJs(await import('amqplib'))
  let current: Promise<Session> | undefined
  let generation = 0

  async function open(forget: () => void): Promise<Session> {
    const model = await amqp.connect(connectTarget(config), {
      timeout: CONNECT_TIMEOUT_MS,
      clientProperties: { connection_name: config.connectionName ?? 'fusio-ts' },
    })
    // 'close' follows every 'error'; without a listener an 'error' would crash the process.
    model.on('error', ignore)
    model.on('close', forget)
    let channel: ConfirmChannel
    try {
      channel = await model.createConfirmChannel()
    } catch (error) {
      await model.close().catch(ignore)
      throw error
    }
    const session: Session = { model, channel, declared: new Map() }
    channel.on('error', (error: unknown) => {
      session.failure = error
    })
    // A channel the broker closed (a refused declaration, an unknown exchange) takes its connection along: the next publish starts afresh.
    channel.on('close', () => {
      forget()
      model.close().catch(ignore)
    })
    return session
  }

  /** The open session, or a new one; concurrent callers share one connection attempt. */
  function session(): Promise<Session> {
    if (!current) {
      const id = ++generation
      const forget = (): void => {
        if (generation === id) current = undefined
      }
      current = open(forget).catch((error: unknown) => {
        forget()
        throw amqpError(error)
      })
    }
    return current
  }

  /** Declares the queue once per connection (and, with an exchange, binds it as Fusio does). */
  function declare(s: Session, target: PublishTarget, routingKey: string): Promise<void> {
    const { queue, exchange } = target
    if (!queue) return Promise.resolve()
    const key = JSON.stringify([queue, exchange, routingKey])
    let declared = s.declared.get(key)
    if (!declared) {
      declared = (async () => {
        await s.channel.assertQueue(queue, { durable: true })
        if (exchange) {
          await s.channel.assertExchange(exchange, 'direct', { durable: true })
          await s.channel.bindQueue(queue, exchange, routingKey)
        }
      })()
      s.declared.set(key, declared)
      declared.catch(() => s.declared.delete(key))
    }
    return declared
  }

  function confirmed(s: Session, exchange: string, routingKey: string, body: Buffer, options: PublishOptions): Promise<void> {
    return new Promise((resolve, reject) => {
      let sent = false
      const timer = setTimeout(() => {
        // A broker that stopped answering (blocked, frozen) is left behind: the next publish connects afresh.
        s.model.close().catch(ignore)
        reject(new Unconfirmed(`no confirm within ${CONFIRM_TIMEOUT_MS} ms`))
      }, CONFIRM_TIMEOUT_MS)
      const settle = (error: unknown): void => {
        clearTimeout(timer)
        if (!error) resolve()
        // A nack is the broker's definite "not stored"; a channel that closed after the send leaves it open.
        else if (sent && !(error instanceof Error && error.message === 'message nacked')) reject(new Unconfirmed(error instanceof Error ? error.message : String(error)))
        else reject(error)
      }
      try {
        s.channel.publish(
          exchange,
          routingKey,
          body,
          { contentType: options.contentType, headers: options.headers, messageId: options.messageId, persistent: options.persistent ?? true },
          settle,
        )
        sent = true
      } catch (error) {
        // amqplib throws at once when the channel has already closed.
        settle(error)
      }
    })
  }

  const client: AmqpClient = {
    async publish(target, body, options = {}) {
      if (!target.queue && !target.exchange) throw new FusioError('FUSIO_ERR_CONFIG_INVALID', 'an AMQP publish needs a queue or an exchange')
      const exchange = target.exchange ?? ''
      // The default exchange routes by queue name; a named exchange by the routing key.
      const routingKey = target.exchange ? (target.routingKey ?? '') : target.queue!
      const s = await session()
      try {
        await declare(s, target, routingKey)
        await confirmed(s, exchange, routingKey, body, options)
      } catch (error) {
        // A refusal the broker closed the channel with (unknown exchange) explains the lost confirm: it stored nothing.
        const refused = REFUSALS.has((s.failure as { code?: number } | undefined)?.code ?? 0)
        throw amqpError(error instanceof Unconfirmed && !refused ? error : (s.failure ?? error))
      }
    },
  }

  return {
    kind: 'amqp',
    client,
    async ping() {
      await session()
    },
    async close() {
      const closing = current
      current = undefined
      generation++
      const s = await closing?.catch(() => undefined)
      if (!s) return
      await s.channel.close().catch(ignore)
      await s.model.close().catch(ignore)
    },
  }
}

export const amqpConnection: ConnectionDefinition<AmqpConfig> = {
  name: 'amqp',
  aliases: ['AMQP', 'Amqp', 'Fusio\\Adapter\\Amqp\\Connection\\Amqp'],
  description: 'An AMQP 0-9-1 broker (RabbitMQ): publishes with publisher confirms over one lazily opened connection',
  configSchema: {
    type: 'object',
    properties: {
      url: { type: 'string', description: 'amqp://user:pass@host:port/vhost or amqps://…; replaces host, port, user, password and vhost' },
      host: { type: 'string', description: 'broker host (default 127.0.0.1)' },
      port: { type: ['integer', 'string'], description: 'broker port (default 5672)' },
      user: { type: 'string', description: 'user name (default guest, with password guest)' },
      password: { type: 'string', description: 'password' },
      vhost: { type: 'string', description: 'virtual host (default /)' },
      connectionName: { type: 'string', description: 'name the broker shows for the connection (default fusio-ts)' },
    },
    additionalProperties: false,
  },
  create: createAmqpConnection,
}
