/** What every network connection shares: the socket failures that mean "unreachable", and ports from config. */

/** Node's codes for a server that cannot be reached or that went away. */
export const SOCKET_ERRORS: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN'])

/** A port from a config value or a URL part ('' or absent gives the default). */
export function portOf(value: number | string | undefined, fallback: number): number
export function portOf(value: number | string | undefined): number | undefined
export function portOf(value: number | string | undefined, fallback?: number): number | undefined {
  return value === undefined || value === '' ? fallback : Number(value)
}
