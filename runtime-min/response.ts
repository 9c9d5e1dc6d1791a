/** Fusio's response factory: handlers return a plain body, or one of these for a status and headers. */
import type { ActionResponse, ResponseFactory } from './types.js'

const BRAND = Symbol.for('fusio.response')

function build<Body>(statusCode: number, headers: Readonly<Record<string, string>>, body: Body): ActionResponse<Body> {
  return { statusCode, headers, body, [BRAND]: true } as ActionResponse<Body>
}

export const responseFactory: ResponseFactory = {
  build,
  ok: (body) => build(200, {}, body),
  created: (body) => build(201, {}, body),
  noContent: () => build(204, {}, undefined),
}

/** Branded, so a handler's plain body that happens to have a `statusCode` field is never mistaken. */
export function isActionResponse(value: unknown): value is ActionResponse {
  return value !== null && typeof value === 'object' && (value as Record<symbol, unknown>)[BRAND] === true
}
