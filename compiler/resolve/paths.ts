/**
 * Fusio paths → Fastify (find-my-way) URL patterns:
 * `:id` → `:id`, `$year<[0-9]+>` → `:year(^[0-9]+$)`, `*path` (last segment only) → `*`.
 */
import type { PathParameter } from '../model/types.js'

export interface ParsedPath {
  readonly url: string
  readonly parameters: readonly PathParameter[]
}

export type PathResult = { readonly ok: true; readonly path: ParsedPath } | { readonly ok: false; readonly problem: string }

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/
const STATIC = /^[A-Za-z0-9._~!&'()+,;=@-]+$/
const RESERVED_FIRST = new Set(['backend', 'consumer', 'system', 'authorization', 'developer', '.well-known'])
const RESERVED_EXACT = new Set(['/health', '/ready'])

export function parsePath(path: string): PathResult {
  if (!path.startsWith('/')) return { ok: false, problem: 'must start with /' }
  if (path.length > 1 && path.endsWith('/')) return { ok: false, problem: 'must not end with /' }
  const segments = path === '/' ? [] : path.slice(1).split('/')
  const parameters: PathParameter[] = []
  const out: string[] = []
  for (const [index, segment] of segments.entries()) {
    if (segment === '') return { ok: false, problem: 'has an empty segment (//)' }
    if (segment.startsWith(':')) {
      const name = segment.slice(1)
      if (!NAME.test(name)) return { ok: false, problem: `has an invalid parameter name "${name}"` }
      parameters.push({ name, rest: false })
      out.push(`:${name}`)
    } else if (segment.startsWith('$')) {
      const match = /^\$([A-Za-z_][A-Za-z0-9_]*)<(.+)>$/.exec(segment)
      if (!match) return { ok: false, problem: `has a malformed parameter "${segment}" (write $name<regex>)` }
      const [, name, pattern] = match
      try {
        new RegExp(pattern)
      } catch {
        return { ok: false, problem: `has an invalid regular expression in "${segment}"` }
      }
      if (pattern.includes('/') || pattern.includes('(')) {
        return { ok: false, problem: `has a regular expression with "/" or groups in "${segment}"` }
      }
      parameters.push({ name, pattern, rest: false })
      out.push(`:${name}(^${pattern}$)`)
    } else if (segment.startsWith('*')) {
      const name = segment.slice(1)
      if (!NAME.test(name)) return { ok: false, problem: `has an invalid rest parameter "${segment}"` }
      if (index !== segments.length - 1) return { ok: false, problem: `may only have *${name} as its last segment` }
      parameters.push({ name, rest: true })
      out.push('*')
    } else {
      if (!STATIC.test(segment)) return { ok: false, problem: `has a segment with characters that need escaping ("${segment}")` }
      out.push(segment)
    }
  }
  const names = parameters.map((p) => p.name)
  const duplicate = names.find((n, i) => names.indexOf(n) !== i)
  if (duplicate) return { ok: false, problem: `names the parameter "${duplicate}" twice` }
  return { ok: true, path: { url: `/${out.join('/')}`, parameters } }
}

export function isReservedPath(path: string): boolean {
  const first = path.split('/')[1] ?? ''
  return RESERVED_EXACT.has(path) || RESERVED_FIRST.has(first.toLowerCase())
}

/** Two URL patterns collide when they differ only in parameter names. */
export function routeShape(url: string): string {
  return url.replace(/:[A-Za-z_][A-Za-z0-9_]*/g, ':')
}
