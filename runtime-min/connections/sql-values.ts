/**
 * One shape for column values on every dialect: booleans as booleans, timestamps as RFC 3339 UTC
 * (read as UTC when the column has no zone), dates as `YYYY-MM-DD`, decimals and 64-bit integers as
 * numbers when exact.
 */

const PLAIN_TIMESTAMP = /^(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d)(?:\.(\d+))?$/

/**
 * `2024-05-01 10:20:30[.123]` without a zone is read as UTC, never as the server's local time, and
 * written as `Date#toISOString` would; the common zone-less form is rewritten without a Date (a hot path).
 */
export function utcTimestamp(text: string): string {
  const plain = PLAIN_TIMESTAMP.exec(text)
  if (plain) return `${plain[1]}T${plain[2]}.${(plain[3] ?? '').padEnd(3, '0').slice(0, 3)}Z`
  const date = new Date(text.includes('T') ? text : text.replace(' ', 'T'))
  return Number.isNaN(date.getTime()) ? text : date.toISOString()
}

/** Exact integers become numbers; larger ones stay decimal strings rather than lose digits. */
export function integer(text: string): number | string {
  const value = Number(text)
  return Number.isSafeInteger(value) ? value : text
}

/** SQLite and MySQL store booleans as integers; the column's declared type says which are booleans. */
export function booleanOf(value: unknown): unknown {
  if (typeof value === 'number' || typeof value === 'bigint') return value !== 0 && value !== 0n
  if (typeof value === 'string') return value === '1' || value.toLowerCase() === 'true' || value.toLowerCase() === 't'
  return value
}

/** Decimals with at most 15 significant digits are exact as numbers; longer ones stay strings. */
export function decimal(text: string): number | string {
  const digits = text.replace(/^[-+]?0*|\.|0*$/g, '').replace(/^0+/, '')
  return digits.length <= 15 ? Number(text) : text
}
