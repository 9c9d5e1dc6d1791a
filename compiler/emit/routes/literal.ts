/**
 * TypeScript literals for plain data (`literal(value)`), with `Code` values pasted as they are, and
 * table files: imports and one exported table, formatted entry by entry so each entry is cached.
 */
import type { Cache } from '../../cache/index.js'
import { formatEntries, formatPieces } from '../format.js'

/** Code text that the literal printer pastes as it is (an identifier, an import). */
export class Code {
  constructor(readonly text: string) {}
}

/** A TypeScript literal for plain data, with Code values pasted verbatim. */
export function literal(value: unknown): string {
  if (value instanceof Code) return value.text
  if (value === undefined) return 'undefined'
  if (value === null || typeof value !== 'object') return JSON.stringify(value)
  if (Array.isArray(value)) return `[${value.map(literal).join(', ')}]`
  const entries = Object.entries(value).filter(([, v]) => v !== undefined)
  const key = (k: string) => (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(k) ? k : literal(k))
  return `{ ${entries.map(([k, v]) => `${key(k)}: ${literal(v)}`).join(', ')} }`
}

/** A file of imports and one exported table, formatted entry by entry (an operation, an action). */
export interface TableSource {
  /** The banner and the imports. */
  readonly head: string
  /** The table's first line, up to its opening bracket or brace. */
  readonly open: string
  readonly entries: readonly string[]
  readonly close: ']' | '}'
}

export async function tableFile(source: TableSource, cache: Cache): Promise<string> {
  const head = await formatPieces([source.head], 'typescript', cache)
  return `${head}\n${await formatEntries(source.open, source.entries, source.close, 'typescript', cache)}`
}
