/**
 * What the HTTP actions share, as Fusio's HTTP adapter does it: `:name` path substitution, forwarded
 * query and headers (minus hop-by-hop and credentials), the `x-fusio-*` context headers, the body in
 * the configured content type, and the upstream's answer passed through with its status.
 */
import { FusioError } from '../errors.js'
import { createHttpClient, isHttpConnection, type HttpClient, type UpstreamResponse } from '../connections/http.js'
import { connectionOf } from './inputs.js'
import type { ActionDeps, ActionRequest, ActionResponse, ActionContext, JsonSchema } from '../types.js'

export const CONTENT_TYPES = {
  json: 'application/json',
  form: 'application/x-www-form-urlencoded',
  text: 'text/plain',
} as const

export type BodyType = keyof typeof CONTENT_TYPES

export interface HttpActionConfig {
  readonly connection?: string
  readonly type?: BodyType | (typeof CONTENT_TYPES)[BodyType]
  readonly query?: string | Readonly<Record<string, string>>
  readonly retries?: number
  readonly timeout?: number
}

export const httpConfigProperties: Record<string, JsonSchema> = {
  connection: { type: 'string', description: 'name of an HTTP connection (base URL, headers, authorization, pool)' },
  type: { type: 'string', enum: [...Object.keys(CONTENT_TYPES), ...Object.values(CONTENT_TYPES)], description: 'content type of the forwarded body (default json)' },
  query: {
    anyOf: [{ type: 'string' }, { type: 'object', additionalProperties: { type: 'string' } }],
    description: 'query parameters added to every upstream request',
  },
  retries: { type: 'integer', minimum: 0, maximum: 5, description: 'extra attempts after a failed connection, idempotent methods only (default 1)' },
  timeout: { type: 'number', exclusiveMinimum: 0, maximum: 3600, description: 'seconds to wait for the upstream (default: the connection’s, else 30)' },
}

/** Hop-by-hop headers (RFC 9110 §7.6.1), credentials and what the outgoing request sets itself. */
const NOT_FORWARDED = new Set([
  'connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'te', 'trailer',
  'transfer-encoding', 'upgrade', 'host', 'authorization', 'cookie', 'content-type', 'content-length', 'user-agent',
  'accept-encoding', 'expect',
])

/** Response headers that describe the upstream's own framing, not the answer we send (content-type is decided below). */
const NOT_RETURNED = new Set([...NOT_FORWARDED, 'content-encoding', 'date', 'server', 'set-cookie', 'x-powered-by'].filter((h) => h !== 'content-type'))

/** The client of the action's connection, or one shared pool for absolute URLs. */
export function httpClientOf(deps: ActionDeps, connection: string | undefined): () => Promise<HttpClient> {
  if (connection) {
    // Looked up on first use (connections are all created by then), then kept.
    let client: Promise<HttpClient> | undefined
    return () => (client ??= Promise.resolve(connectionOf(deps, connection, isHttpConnection, 'an HTTP').client))
  }
  return () =>
    (sharedClient ??= createHttpClient({}).catch((error: unknown) => {
      // A failed start is not kept: the next request tries again.
      sharedClient = undefined
      throw error
    }))
}

let sharedClient: Promise<HttpClient> | undefined

/** A URL template split once into text and `:name`/`{name}` placeholders: [text, name, match, text, name, match, …, text]. */
const templates = new Map<string, readonly string[]>()
function template(url: string): readonly string[] {
  let parts = templates.get(url)
  if (!parts) {
    const split: string[] = []
    let last = 0
    for (const match of url.matchAll(/:([A-Za-z_][A-Za-z0-9_]*)|\{([A-Za-z_][A-Za-z0-9_]*)\}/g)) {
      split.push(url.slice(last, match.index), (match[1] ?? match[2])!, match[0])
      last = match.index + match[0].length
    }
    split.push(url.slice(last))
    parts = split
    // Templates come from the manifest (a fixed few); a bound keeps odd callers from growing it.
    if (templates.size < 1024) templates.set(url, parts)
  }
  return parts
}

/** Replaces `:name` and `{name}` in a URL with the request's path parameters, encoded. */
export function substitute(url: string, params: Readonly<Record<string, string>>): string {
  const parts = template(url)
  let out = parts[0]!
  for (let i = 1; i < parts.length; i += 3) {
    const name = parts[i]!
    const value = params[name]
    // `https://host:8080` keeps its port: only names that are parameters are replaced.
    if (value === undefined) out += parts[i + 1]!
    // URL resolution would turn `.` and `..` into steps out of the upstream's path.
    else if (value === '.' || value === '..') {
      throw new FusioError('FUSIO_ERR_VALIDATION_PARAMS', `${name} must not be "${value}"`, { errors: [{ in: 'path', field: name, pointer: `/${name}`, message: 'must not be a dot segment' }] })
    } else out += encodeURIComponent(value)
    out += parts[i + 2]!
  }
  return out
}

/** The request's own query string plus the action's static query. */
export function withQuery(url: string, requestUrl: string, extra: HttpActionConfig['query']): string {
  const own = requestUrl.includes('?') ? requestUrl.slice(requestUrl.indexOf('?') + 1) : ''
  const added = typeof extra === 'string' ? extra.replace(/^\?/, '') : extra ? new URLSearchParams(extra as Record<string, string>).toString() : ''
  const query = [url.includes('?') ? url.slice(url.indexOf('?') + 1) : '', own, added].filter(Boolean).join('&')
  const base = url.includes('?') ? url.slice(0, url.indexOf('?')) : url
  return query ? `${base}?${query}` : base
}

/** Forwarded request headers plus Fusio's context headers; a client cannot forge `x-fusio-*`. */
export function forwardHeaders(request: ActionRequest, context: ActionContext): Record<string, string> {
  const headers: Record<string, string> = {}
  const listed = String(request.headers.connection ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined || NOT_FORWARDED.has(name) || listed.includes(name) || name.startsWith('x-fusio-')) continue
    headers[name] = Array.isArray(value) ? value.join(', ') : value
  }
  const user = request.user
  headers['x-fusio-operation-id'] = request.operationId
  headers['x-fusio-user-anonymous'] = user ? '0' : '1'
  if (user) {
    headers['x-fusio-user-id'] = user.subject
    if (typeof user.claims.name === 'string') headers['x-fusio-user-name'] = user.claims.name
    if (user.clientId) headers['x-fusio-app-key'] = user.clientId
  }
  headers['x-fusio-remote-ip'] = request.ip
  headers['x-request-id'] = context.requestId
  const forwardedFor = request.headers['x-forwarded-for']
  headers['x-forwarded-for'] = forwardedFor ? `${forwardedFor}, ${request.ip}` : request.ip
  if (request.headers.host) headers['x-forwarded-host'] = request.headers.host
  headers['user-agent'] = 'fusio-ts'
  return headers
}

/** The body in the configured content type; only methods with a body send one. */
/** The media type a config's `type` names (a short name or the type itself); JSON by default. */
export const contentTypeOf = (type: HttpActionConfig['type']): string => (type && type in CONTENT_TYPES ? CONTENT_TYPES[type as BodyType] : (type ?? CONTENT_TYPES.json))

export function encodeBody(method: string, body: unknown, contentType: string): { body?: string; contentType?: string } {
  if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS' || body === undefined || body === null) return {}
  if (contentType === CONTENT_TYPES.form) {
    const form = new URLSearchParams()
    for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
      if (value !== undefined && value !== null) form.append(key, typeof value === 'object' ? JSON.stringify(value) : String(value))
    }
    return { body: form.toString(), contentType }
  }
  if (contentType === CONTENT_TYPES.text) return { body: typeof body === 'string' ? body : JSON.stringify(body), contentType }
  return { body: JSON.stringify(body), contentType }
}

/**
 * The upstream's answer as ours: status, content type and bytes unchanged (never parsed and
 * serialized again), framing headers dropped. Actions that wrap this one read the JSON on demand.
 */
export function passThrough(upstream: UpstreamResponse, context: ActionContext): ActionResponse {
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(upstream.headers)) if (!NOT_RETURNED.has(name)) headers[name] = value
  return context.response.build(upstream.statusCode, headers, upstream.body.length === 0 ? undefined : upstream.body)
}

export const timeoutMs = (config: HttpActionConfig): number | undefined => (config.timeout === undefined ? undefined : config.timeout * 1000)
