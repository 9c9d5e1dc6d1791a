/**
 * `http` connections (Fusio's Http): a keep-alive pool to an internal API, with its base URL,
 * default headers, authorization and timeout. Actions and handlers get an HttpClient; credentials
 * stay in here. Failures become problems: 502 when the upstream cannot be reached, 504 when it is slow.
 */
import type { Dispatcher } from 'undici'
import { FusioError } from '../errors.js'
import { commonJs } from '../interop.js'
import { SOCKET_ERRORS } from './network.js'
import type { Connection, ConnectionDefinition } from '../types.js'

export interface HttpConfig {
  readonly url?: string
  readonly username?: string
  readonly password?: string
  /** A full Authorization header value, e.g. `Bearer …`. */
  readonly authorization?: string
  readonly headers?: Readonly<Record<string, string>>
  /** Seconds; 30 by default, so a hung upstream cannot hold requests forever. */
  readonly timeout?: number
  /** Open connections per upstream origin. */
  readonly connections?: number
}

export interface OutgoingRequest {
  readonly method: string
  /** Absolute, or relative to the connection's base URL. */
  readonly url: string
  readonly headers?: Readonly<Record<string, string>>
  readonly body?: string | Buffer
}

export interface UpstreamResponse {
  readonly statusCode: number
  readonly headers: Readonly<Record<string, string>>
  /** The bytes as they came: a proxy passes them on unparsed; `upstreamJson` reads them when needed. */
  readonly body: Buffer
}

export interface SendOptions {
  /** Extra attempts after a failed connection; only ever used for idempotent methods. */
  readonly retries?: number
  readonly timeoutMs?: number
}

export interface HttpClient {
  readonly baseUrl?: string
  send(request: OutgoingRequest, options?: SendOptions): Promise<UpstreamResponse>
}

export interface HttpConnection extends Connection<HttpClient> {
  readonly kind: 'http'
}

export function isHttpConnection(connection: Connection): connection is HttpConnection {
  return connection.kind === 'http'
}

export const IDEMPOTENT: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE'])
/** Failures of the connection itself; only idempotent requests are retried after them, as one may have been sent. */
const UNREACHABLE = new Set([...[...SOCKET_ERRORS].filter((code) => code !== 'ETIMEDOUT'), 'UND_ERR_SOCKET', 'UND_ERR_CLOSED'])
const TIMEOUTS = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT'])

function errorCode(error: unknown): string | undefined {
  for (let current = error; current; current = (current as { cause?: unknown }).cause) {
    const code = (current as { code?: unknown }).code
    if (typeof code === 'string') return code
  }
  return undefined
}

/** 504 for a slow upstream, 502 for one that cannot be reached; never the upstream's address. */
function upstreamError(error: unknown, target: string): FusioError {
  const code = errorCode(error)
  if (code && TIMEOUTS.has(code)) return new FusioError('FUSIO_ERR_UPSTREAM_TIMEOUT', `the upstream ${target} did not answer in time`, { cause: error })
  if (code === 'UND_ERR_RES_EXCEEDED_MAX_SIZE') {
    return new FusioError('FUSIO_ERR_UPSTREAM_UNAVAILABLE', `the upstream ${target} answered with more than ${MAX_RESPONSE_BYTES} bytes`, { cause: error })
  }
  return new FusioError('FUSIO_ERR_UPSTREAM_UNAVAILABLE', `the upstream ${target} cannot be reached`, { cause: error })
}

const MAX_RESPONSE_BYTES = 32 * 1024 * 1024

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** `application/json`, `application/problem+json`, … */
export const isJson = (contentType: string | undefined): boolean => /[/+]json\b/i.test(contentType ?? '')

/** A body in a JSON media type, parsed; other bodies (and JSON that does not parse) stay bytes; empty is undefined. */
export function decodeBody(contentType: string | undefined, bytes: Buffer): unknown {
  if (bytes.length === 0) return undefined
  if (isJson(contentType)) {
    try {
      return JSON.parse(bytes.toString('utf8'))
    } catch {
      // An upstream that says JSON but sends something else is passed on as it is.
    }
  }
  return bytes
}

function flatten(headers: Dispatcher.ResponseData['headers']): Record<string, string> {
  const flat: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value
  return flat
}

/** Where a request goes, and how it is named in errors (origin only: paths may carry ids or keys). */
function resolveUrl(baseUrl: string | undefined, url: string): { origin: string; path: string } {
  try {
    const resolved = baseUrl ? new URL(url.replace(/^\//, ''), baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`) : new URL(url)
    return { origin: resolved.origin, path: `${resolved.pathname}${resolved.search}` }
  } catch {
    throw new FusioError('FUSIO_ERR_CONFIG_INVALID', `"${url}" is not an absolute URL and no connection gives a base URL`)
  }
}

/** Plain path and query characters only (what URL parsing leaves as it is), and no dot segment. */
const PLAIN_PATH = /^(?:\/(?:[A-Za-z0-9_~!$&'()*+,;=:@.-]|%[0-9A-Fa-f]{2})*)+(?:\?(?:[A-Za-z0-9_~!$&()*+,;=:@/?.-]|%[0-9A-Fa-f]{2})+)?$/
const plainPath = (url: string): boolean => PLAIN_PATH.test(url) && !url.includes('/.')

/** resolveUrl for one base: a plain relative path is joined to the parsed base without parsing it again. */
export function resolverFor(baseUrl: string | undefined): (url: string) => { origin: string; path: string } {
  if (!baseUrl) return (url) => resolveUrl(baseUrl, url)
  let base: URL
  try {
    base = new URL(baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`)
  } catch {
    return (url) => resolveUrl(baseUrl, url)
  }
  // A base with a query of its own is left to URL parsing.
  if (base.search !== '') return (url) => resolveUrl(baseUrl, url)
  const { origin } = base
  const prefix = base.pathname.slice(0, -1)
  return (url) => (plainPath(url) ? { origin, path: `${prefix}${url}` } : resolveUrl(baseUrl, url))
}

export async function createHttpClient(config: HttpConfig): Promise<HttpClient & { close(): Promise<void> }> {
  const { Agent } = commonJs(await import('undici'))
  const timeoutMs = (config.timeout ?? 30) * 1000
  const resolve = resolverFor(config.url)
  const agent = new Agent({
    connections: config.connections ?? 64,
    keepAliveTimeout: 4_000,
    connect: { timeout: Math.min(timeoutMs, 10_000) },
    // Answers are buffered: an upstream cannot make the service hold more than this per request.
    maxResponseSize: MAX_RESPONSE_BYTES,
  })
  const defaults: Record<string, string> = {}
  for (const [name, value] of Object.entries(config.headers ?? {})) defaults[name.toLowerCase()] = value
  if (config.authorization) defaults.authorization = config.authorization
  else if (config.username !== undefined) defaults.authorization = `Basic ${Buffer.from(`${config.username}:${config.password ?? ''}`).toString('base64')}`
  return {
    ...(config.url ? { baseUrl: config.url } : {}),
    async send(request, options = {}) {
      const url = resolve(request.url)
      const method = request.method.toUpperCase()
      const attempts = IDEMPOTENT.has(method) ? 1 + Math.max(0, Math.min(options.retries ?? 1, 5)) : 1
      const timeout = options.timeoutMs ?? timeoutMs
      for (let attempt = 1; ; attempt++) {
        try {
          const response = await agent.request({
            origin: url.origin,
            path: url.path,
            method: method as Dispatcher.HttpMethod,
            // The connection's own headers (keys, tenant ids) win over anything a client sent.
            headers: { ...request.headers, ...defaults },
            body: request.body,
            headersTimeout: timeout,
            bodyTimeout: timeout,
          })
          const headers = flatten(response.headers)
          return { statusCode: response.statusCode, headers, body: Buffer.from(await response.body.arrayBuffer()) }
        } catch (error) {
          const code = errorCode(error)
          if (attempt >= attempts || !code || !UNREACHABLE.has(code)) throw upstreamError(error, url.origin)
          // A short, growing pause lets a restarting upstream come back between attempts.
          await pause(25 * 2 ** (attempt - 1))
        }
      }
    },
    close: () => agent.close(),
  }
}

async function createHttpConnection(config: HttpConfig): Promise<HttpConnection> {
  const client = await createHttpClient(config)
  return {
    kind: 'http',
    client,
    async ping() {
      if (!config.url) return
      // Any answer, whatever its status, shows the upstream is reachable.
      await client.send({ method: 'HEAD', url: config.url }, { retries: 0, timeoutMs: 2_000 })
    },
    close: () => client.close(),
  }
}

export const httpConnection: ConnectionDefinition<HttpConfig> = {
  name: 'http',
  aliases: ['HTTP', 'Http', 'Fusio\\Adapter\\Http\\Connection\\Http'],
  description: 'An HTTP upstream: base URL, default headers, authorization and timeout over a keep-alive pool',
  configSchema: {
    type: 'object',
    properties: {
      url: { type: 'string', description: 'base URL that relative action URLs resolve against' },
      username: { type: 'string', description: 'basic authentication user' },
      password: { type: 'string', description: 'basic authentication password' },
      authorization: { type: 'string', description: 'Authorization header value sent with every request' },
      headers: { type: 'object', additionalProperties: { type: 'string' }, description: 'headers sent with every request' },
      timeout: { type: 'number', exclusiveMinimum: 0, maximum: 3600, description: 'seconds to wait for an answer (default 30)' },
      connections: { type: 'integer', minimum: 1, maximum: 1024, description: 'open connections per origin (default 64)' },
    },
    additionalProperties: false,
  },
  create: createHttpConnection,
}
