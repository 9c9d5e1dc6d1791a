/**
 * THE runtime catalog: `FUSIO_ERR_<AREA>_<WHAT>` → HTTP status and RFC 9457 problem title.
 * Codes are never renamed or reused. Every error a client sees is one of these, as
 * application/problem+json with Fusio's `success: false` and `message` members.
 */
export interface ErrorEntry {
  readonly status: number
  readonly title: string
}

export const ERRORS = {
  // routing
  FUSIO_ERR_ROUTE_NOT_FOUND: { status: 404, title: 'Not Found' },
  FUSIO_ERR_ROUTE_METHOD_NOT_ALLOWED: { status: 405, title: 'Method Not Allowed' },
  FUSIO_ERR_OPERATION_GONE: { status: 410, title: 'Gone' },
  // authentication and scopes
  FUSIO_ERR_AUTH_TOKEN_MISSING: { status: 401, title: 'Unauthorized' },
  FUSIO_ERR_AUTH_TOKEN_INVALID: { status: 401, title: 'Unauthorized' },
  FUSIO_ERR_AUTH_NOT_CONFIGURED: { status: 401, title: 'Unauthorized' },
  FUSIO_ERR_AUTH_SCOPE_MISSING: { status: 403, title: 'Forbidden' },
  // request parsing and validation
  FUSIO_ERR_VALIDATION_BODY: { status: 400, title: 'Bad Request' },
  FUSIO_ERR_VALIDATION_QUERY: { status: 400, title: 'Bad Request' },
  FUSIO_ERR_VALIDATION_PARAMS: { status: 400, title: 'Bad Request' },
  FUSIO_ERR_BODY_MALFORMED: { status: 400, title: 'Bad Request' },
  FUSIO_ERR_BODY_TOO_LARGE: { status: 413, title: 'Content Too Large' },
  FUSIO_ERR_MEDIA_TYPE: { status: 415, title: 'Unsupported Media Type' },
  // SQL actions
  FUSIO_ERR_SQL_ENTRY_NOT_FOUND: { status: 404, title: 'Not Found' },
  FUSIO_ERR_SQL_ARGUMENT: { status: 400, title: 'Bad Request' },
  FUSIO_ERR_SQL_CONSTRAINT: { status: 409, title: 'Conflict' },
  FUSIO_ERR_SQL_NOT_NULL: { status: 400, title: 'Bad Request' },
  FUSIO_ERR_SQL_TABLE_MISSING: { status: 500, title: 'Internal Server Error' },
  // Redis actions
  FUSIO_ERR_REDIS_FIELD_NOT_FOUND: { status: 404, title: 'Not Found' },
  // util actions
  FUSIO_ERR_CONDITION_FAILED: { status: 400, title: 'Bad Request' },
  // connections and configuration
  FUSIO_ERR_CONNECTION_UNAVAILABLE: { status: 503, title: 'Service Unavailable' },
  FUSIO_ERR_UPSTREAM_UNAVAILABLE: { status: 502, title: 'Bad Gateway' },
  FUSIO_ERR_UPSTREAM_TIMEOUT: { status: 504, title: 'Gateway Timeout' },
  FUSIO_ERR_PUBLISH_UNCONFIRMED: { status: 504, title: 'Gateway Timeout' },
  FUSIO_ERR_CONFIG_INVALID: { status: 500, title: 'Internal Server Error' },
  FUSIO_ERR_CONFIG_MISSING_ENV: { status: 500, title: 'Internal Server Error' },
  // rate limits and the API-product layer
  FUSIO_ERR_RATE_LIMITED: { status: 429, title: 'Too Many Requests' },
  FUSIO_ERR_ACCOUNT_THROTTLED: { status: 429, title: 'Too Many Requests' },
  FUSIO_ERR_ACCOUNT_CREDENTIALS: { status: 401, title: 'Unauthorized' },
  FUSIO_ERR_ACCOUNT_NOT_ACTIVE: { status: 403, title: 'Forbidden' },
  FUSIO_ERR_ACCOUNT_EXISTS: { status: 409, title: 'Conflict' },
  FUSIO_ERR_ONE_TIME_TOKEN_INVALID: { status: 400, title: 'Bad Request' },
  FUSIO_ERR_RESOURCE_NOT_FOUND: { status: 404, title: 'Not Found' },
  FUSIO_ERR_QUOTA_REACHED: { status: 409, title: 'Conflict' },
  FUSIO_ERR_SCOPE_NOT_ALLOWED: { status: 400, title: 'Bad Request' },
  FUSIO_ERR_MAIL_UNAVAILABLE: { status: 503, title: 'Service Unavailable' },
  FUSIO_ERR_IDENTITY_FAILED: { status: 502, title: 'Bad Gateway' },
  // service state
  FUSIO_ERR_SHUTTING_DOWN: { status: 503, title: 'Service Unavailable' },
  FUSIO_ERR_INTERNAL: { status: 500, title: 'Internal Server Error' },
} as const satisfies Record<string, ErrorEntry>

export type ErrorCode = keyof typeof ERRORS

/** One failing field of a request, named by where it was (body, query, path) and its JSON path. */
export interface FieldError {
  readonly in: 'body' | 'query' | 'path'
  readonly field: string
  readonly pointer: string
  readonly message: string
}

/** An error that becomes a problem+json response. Thrown by the runtime and by custom handlers. */
export class FusioError extends Error {
  readonly code: ErrorCode
  readonly status: number
  readonly errors?: readonly FieldError[]
  readonly headers?: Readonly<Record<string, string>>

  constructor(
    code: ErrorCode,
    detail: string,
    options: { errors?: readonly FieldError[]; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'FusioError'
    this.code = code
    this.status = ERRORS[code].status
    if (options.errors) this.errors = options.errors
    if (options.headers) this.headers = options.headers
  }
}

/** The problem `type` URI of a code: a stable URN, so clients can branch on it. */
export function problemType(code: ErrorCode): string {
  return `urn:fusio:error:${code.slice('FUSIO_ERR_'.length).toLowerCase().replace(/_/g, '-')}`
}
