/**
 * One shape for column values on every dialect: booleans as booleans, timestamps as Dates (UTC when
 * the column has no zone), dates as `YYYY-MM-DD`, decimals and 64-bit integers as numbers when exact.
 */

/** `2024-05-01 10:20:30[.123]` without a zone is read as UTC, never as the server's local time. */
export function utcTimestamp(text: string): Date | string {
  const iso = text.includes('T') ? text : text.replace(' ', 'T')
  const date = new Date(/(Z|[+-]\d\d(:?\d\d)?)$/i.test(iso) ? iso : `${iso}Z`)
  return Number.isNaN(date.getTime()) ? text : date
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
