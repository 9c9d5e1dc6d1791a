/**
 * Fusio's raw-SQL placeholders: `{name}` binds an argument as a parameter, `{%name}` / `{name%}` /
 * `{%name%}` add LIKE wildcards around it, `{user_id}` / `{user_name}` come from the token.
 * Values are always bound, never spliced into the SQL text.
 */
import { sql, type RawBuilder } from 'kysely'
import type { ActionRequest } from '../types.js'
import { argument } from './inputs.js'
import { escapeLike } from './sql-shared.js'

export type SqlPart = string | { readonly name: string; readonly prefix: boolean; readonly suffix: boolean }

const PLACEHOLDER = /\{(%?)([A-Za-z_][A-Za-z0-9_]*)(%?)\}/g

export function parseSqlTemplate(text: string): readonly SqlPart[] {
  const parts: SqlPart[] = []
  let last = 0
  for (const match of text.matchAll(PLACEHOLDER)) {
    const index = match.index ?? 0
    if (index > last) parts.push(text.slice(last, index))
    parts.push({ name: match[2], prefix: match[1] === '%', suffix: match[3] === '%' })
    last = index + match[0].length
  }
  if (last < text.length) parts.push(text.slice(last))
  return parts
}

/** Names of the arguments a template reads, without the ones taken from the token. */
export function templateArguments(parts: readonly SqlPart[]): string[] {
  const names = new Set<string>()
  for (const part of parts) if (typeof part !== 'string' && !CONTEXT_NAMES.has(part.name)) names.add(part.name)
  return [...names]
}

const CONTEXT_NAMES = new Set(['user_id', 'user_name'])

function valueOf(request: ActionRequest, name: string): unknown {
  if (name === 'user_id') return request.user?.subject ?? null
  if (name === 'user_name') return (request.user?.claims.name as string | undefined) ?? null
  const fromArguments = argument(request, name)
  if (fromArguments !== undefined) return fromArguments
  const body = request.body
  if (body !== null && typeof body === 'object' && !Array.isArray(body)) {
    const value = (body as Record<string, unknown>)[name]
    if (value !== undefined) return value
  }
  return null
}

export function bindTemplate(parts: readonly SqlPart[], request: ActionRequest): RawBuilder<unknown> {
  const pieces = parts.map((part) => {
    if (typeof part === 'string') return sql.raw(part)
    let value = valueOf(request, part.name)
    if (part.prefix || part.suffix) {
      const text = escapeLike(value === null ? '' : String(value))
      value = `${part.prefix ? '%' : ''}${text}${part.suffix ? '%' : ''}`
    }
    if (typeof value === 'boolean') value = value ? 1 : 0
    return sql`${value}`
  })
  return sql.join(pieces, sql.raw(''))
}
