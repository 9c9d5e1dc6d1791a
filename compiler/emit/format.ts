/**
 * Prettier, piece by piece. A generated file is a list of pieces (whole top-level statements), and
 * formatting the pieces one by one gives the bytes of formatting the file, so each piece is cached
 * on its own (masked, see mask.ts): only pieces never seen reach prettier, many to a call.
 */
import type { Cache } from '../cache/index.js'
import { mask } from './mask.js'

export type Parser = 'typescript' | 'babel'

/** The generated code's style. */
export const PRETTIER = { semi: false, singleQuote: true, printWidth: 120, trailingComma: 'all', arrowParens: 'always' } as const

/** Stands between the pieces of one prettier call, on a line of its own before and after formatting. */
const SEPARATOR = '// fusio: next piece'

/** Each call costs prettier a few milliseconds of its own: new pieces go in calls of about this size. */
const BATCH_CHARS = 100_000

/** Each piece formatted, as it reads in the formatted file. */
export async function formatEach(pieces: readonly string[], parser: Parser, cache: Cache): Promise<string[]> {
  const space = `prettier-${parser}`
  const masked = pieces.map(mask)
  const missing = [...new Set(masked.map((m) => m.text))].filter((text) => cache.get(space, text) === undefined)
  for (const batch of batches(missing)) {
    const formatted = await formatBatch(batch, parser)
    batch.forEach((text, i) => cache.set(space, text, formatted[i]))
  }
  return masked.map((m) => m.unmask(cache.get(space, m.text)!))
}

/** The file the pieces make, formatted: a blank line after a piece stays one blank line. */
export async function formatPieces(pieces: readonly string[], parser: Parser, cache: Cache): Promise<string> {
  const formatted = await formatEach(pieces, parser, cache)
  return formatted.map((text, i) => (i < pieces.length - 1 && /\n[ \t]*\n\s*$/.test(pieces[i]) ? `${text}\n` : text)).join('')
}

/**
 * `${open}\n${entries.join(',\n')}\n${close}\n` formatted, where `open` is a statement's first line,
 * ending in the `[` or `{` of a literal that spans lines. An entry is formatted as the only one of a
 * literal of the same kind, where it has the indentation and the trailing comma it has among many.
 */
export async function formatEntries(open: string, entries: readonly string[], close: ']' | '}', parser: Parser, cache: Cache): Promise<string> {
  if (entries.length === 0) return formatPieces([`${open}\n${close}\n`], parser, cache)
  const [start, end] = close === ']' ? [';[', ']'] : [';({', '})']
  const formatted = await formatEach(entries.map((entry) => `${start}\n${entry},\n${end}\n`), parser, cache)
  return `${open}\n${formatted.map((text) => text.slice(text.indexOf('\n') + 1, text.lastIndexOf(`${end}\n`))).join('')}${close}\n`
}

/** Groups of about BATCH_CHARS; a piece that holds the separator itself is a group of its own. */
function batches(texts: readonly string[]): string[][] {
  const groups = texts.filter((text) => text.includes(SEPARATOR)).map((text) => [text])
  let size = Infinity
  for (const text of texts.filter((t) => !t.includes(SEPARATOR))) {
    if (size + text.length > BATCH_CHARS) {
      groups.push([])
      size = 0
    }
    groups.at(-1)!.push(text)
    size += text.length
  }
  return groups
}

async function formatBatch(texts: readonly string[], parser: Parser): Promise<string[]> {
  // Loaded on a miss only: a build served from the cache never pays for importing prettier.
  const { format } = await import('prettier')
  if (texts.length === 1) return [await format(texts[0], { ...PRETTIER, parser })]
  const formatted = await format(texts.map((text) => text.trim()).join(`\n${SEPARATOR}\n`), { ...PRETTIER, parser })
  const parts = formatted.split(`${SEPARATOR}\n`)
  if (parts.length !== texts.length) throw new Error(`prettier merged pieces: ${texts.length} in, ${parts.length} out`)
  return parts
}
