// {{banner}}
/**
 * The fixed part of a generated fusio client, copied as it is next to the generated index.ts: it
 * sends one call with the global fetch (or the one given), and turns a non-2xx answer into a
 * FusioApiError that carries the RFC 9457 problem. It imports nothing.
 */

export interface ClientOptions {
  /** Where the service listens, e.g. `http://127.0.0.1:8080` (operation paths are appended to it). */
  readonly baseUrl: string
  /** A bearer access token, or a function asked for one before each request. */
  readonly token?: string | (() => string | Promise<string>)
  /** Headers sent with every request. */
  readonly headers?: Readonly<Record<string, string>>
  /** Replaces the global fetch, e.g. to add retries or logging. */
  readonly fetch?: typeof fetch
}

/** Per call: more headers, and a signal to abort it. */
export interface RequestOptions {
  readonly headers?: Readonly<Record<string, string>>
  readonly signal?: AbortSignal
}

/** One failing field of a validation error. */
export interface ProblemError {
  readonly in?: 'body' | 'query' | 'path'
  readonly field?: string
  readonly pointer?: string
  readonly message: string
}

/** An RFC 9457 problem, as the service answers it (`application/problem+json`). */
export interface Problem {
  readonly type: string
  readonly title: string
  readonly status: number
  readonly detail?: string
  readonly instance?: string
  /** The service's error code, e.g. `FUSIO_ERR_VALIDATION_BODY`. */
  readonly code?: string
  readonly message?: string
  readonly errors?: readonly ProblemError[]
  readonly [member: string]: unknown
}

/** Thrown for every answer outside 2xx. */
export class FusioApiError extends Error {
  override readonly name = 'FusioApiError'
  /** The operation that failed, e.g. `todo.get`. */
  readonly operationId: string
  readonly status: number
  readonly problem: Problem

  constructor(operationId: string, status: number, problem: Problem) {
    super(`${operationId} failed with ${status} ${problem.title}${problem.detail ? `: ${problem.detail}` : ''}`)
    this.operationId = operationId
    this.status = status
    this.problem = problem
  }

  get type(): string {
    return this.problem.type
  }

  get title(): string {
    return this.problem.title
  }

  get detail(): string | undefined {
    return this.problem.detail
  }

  get errors(): readonly ProblemError[] {
    return this.problem.errors ?? []
  }
}

/** What a generated method knows of its operation; `:name` and `*name` in the path are filled from the argument. */
export interface Operation {
  readonly id: string
  readonly method: string
  readonly path: string
  readonly body?: true
}

/** The argument of a generated method: path parameters by name, `query` and `body`. */
type Argument = { readonly query?: object; readonly body?: unknown } & object

export type Send = <Result>(operation: Operation, args: Argument, init?: RequestOptions) => Promise<Result>

export function createSend(options: ClientOptions): Send {
  const base = options.baseUrl.replace(/\/+$/, '')
  return async function send<Result>(operation: Operation, args: Argument, init: RequestOptions = {}): Promise<Result> {
    const url = `${base}${fillPath(operation, args as Record<string, unknown>)}${queryString(args.query)}`
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers, ...init.headers }
    const token = typeof options.token === 'function' ? await options.token() : options.token
    if (token) headers.authorization = `Bearer ${token}`
    const sendsBody = operation.body === true && args.body !== undefined
    if (sendsBody) headers['content-type'] = 'application/json'
    const response = await (options.fetch ?? fetch)(url, {
      method: operation.method,
      headers,
      ...(sendsBody ? { body: JSON.stringify(args.body) } : {}),
      ...(init.signal ? { signal: init.signal } : {}),
    })
    const text = await response.text()
    const body =
      text !== '' && /[/+]json\b/.test(response.headers.get('content-type') ?? '')
        ? (JSON.parse(text) as unknown)
        : text || undefined
    if (!response.ok) throw new FusioApiError(operation.id, response.status, problemOf(body, response))
    return body as Result
  }
}

/** `/todo/:id` with `{ id: 'a/b' }` → `/todo/a%2Fb`; a `*rest` keeps the slashes of its value. */
export function fillPath(operation: Operation, argument: Record<string, unknown>): string {
  return operation.path
    .split('/')
    .map((segment) => {
      if (!segment.startsWith(':') && !segment.startsWith('*')) return segment
      const value = argument[segment.slice(1)]
      if (value === undefined || value === null)
        throw new TypeError(`${operation.id} needs the path parameter ${segment.slice(1)}`)
      const text = String(value)
      return segment.startsWith('*') ? text.split('/').map(encodeURIComponent).join('/') : encodeURIComponent(text)
    })
    .join('/')
}

/** Undefined and null members are left out; an array repeats its name. */
export function queryString(query: object | undefined): string {
  const search = new URLSearchParams()
  for (const [name, value] of Object.entries(query ?? {})) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item !== undefined && item !== null)
        search.append(name, typeof item === 'object' ? JSON.stringify(item) : String(item))
    }
  }
  const text = search.toString()
  return text === '' ? '' : `?${text}`
}

/** The problem the service answered, or one made from the status when the body is not a problem (a proxy's page). */
function problemOf(body: unknown, response: Response): Problem {
  if (typeof body === 'object' && body !== null && typeof (body as Problem).title === 'string') {
    const problem = body as Partial<Problem> & { readonly title: string }
    return { ...problem, type: problem.type ?? 'about:blank', status: problem.status ?? response.status }
  }
  return {
    type: 'about:blank',
    title: response.statusText || `HTTP ${response.status}`,
    status: response.status,
    ...(typeof body === 'string' && body !== '' ? { detail: body.slice(0, 500) } : {}),
  }
}
