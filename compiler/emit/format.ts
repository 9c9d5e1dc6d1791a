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

/** How prettier indents a literal's entries (its default tab width). */
const INDENT = '  '

/** Stands between the pieces of one prettier call, on a line of its own before and after formatting. */
const SEPARATOR = '// fusio: next piece'

/** Each call costs prettier a few milliseconds of its own: new pieces go in calls of about this size. */
const BATCH_CHARS = 100_000

/**
 * Comments leading a piece that prettier prints as they are: `// …` and `/** … *\/` lines, and JSDoc
 * blocks of ` * …` lines, each line ending in a visible character, the last comment followed by code
 * at the start of a line. They are split off before formatting: a comment that changed alone (an
 * operation's description) then costs no formatting.
 */
const LEADING_COMMENTS =
  /^(?:(?:\/\/(?:[^\n]*\S)?|\/\*\*(?:(?!\*\/)[^\n])*\*\/|\/\*\*\n(?: \*(?: (?:(?!\*\/)[^\n])*[^\s*])?\n)* \*\/)\n)+(?=\S)/

function splitComments(piece: string): { comments: string; code: string } {
  const comments = LEADING_COMMENTS.exec(piece)?.[0] ?? ''
  return { comments, code: piece.slice(comments.length) }
}

/** Each piece formatted, as it reads in the formatted file. */
export async function formatEach(pieces: readonly string[], parser: Parser, cache: Cache): Promise<string[]> {
  const split = pieces.map(splitComments)
  const formatted = await formatCode(split.map((s) => s.code), parser, cache)
  return formatted.map((text, i) => `${split[i].comments}${text}`)
}

async function formatCode(pieces: readonly string[], parser: Parser, cache: Cache): Promise<string[]> {
  const space = `prettier-${parser}`
  const masked = pieces.map(mask)
  const missing = [...new Set(masked.map((m) => m.text))].filter((text) => cache.get(space, text) === undefined)
  if (missing.length > 0) await formatLater(missing, parser, cache)
  return masked.map((m) => m.unmask(cache.get(space, m.text)!))
}

/** Pieces waiting for prettier, per cache and parser, and the promise of their being formatted and cached. */
const waiting = new WeakMap<Cache, Map<Parser, { readonly texts: Set<string>; readonly formatted: Promise<void> }>>()

/**
 * Formats and caches `texts` together with the texts of every other call of this turn of the event
 * loop: emitters run side by side and a file per operation group asks for little each, so sharing
 * prettier calls keeps their number (a few milliseconds each) from growing with the files.
 */
function formatLater(texts: readonly string[], parser: Parser, cache: Cache): Promise<void> {
  let byParser = waiting.get(cache)
  if (!byParser) waiting.set(cache, (byParser = new Map()))
  let batch = byParser.get(parser)
  if (!batch) {
    const queued = new Set<string>()
    const formatted = new Promise((resolve) => setImmediate(resolve)).then(async () => {
      byParser.delete(parser)
      for (const group of batches([...queued])) {
        const results = await formatBatch(group, parser)
        group.forEach((text, i) => cache.set(`prettier-${parser}`, text, results[i]))
      }
    })
    batch = { texts: queued, formatted }
    byParser.set(parser, batch)
  }
  for (const text of texts) batch.texts.add(text)
  return batch.formatted
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
  // An entry's leading comments stay out of formatting too: one empty comment holds their place (a
  // comment breaks the literal over lines), and they take its place indented as prettier indents it.
  const split = entries.map(splitComments)
  const formatted = await formatEach(split.map(({ comments, code }) => `${start}\n${comments ? '//\n' : ''}${code},\n${end}\n`), parser, cache)
  const body = formatted.map((text, i) => {
    const entry = text.slice(text.indexOf('\n') + 1, text.lastIndexOf(`${end}\n`))
    return split[i].comments ? `${split[i].comments.replace(/^(?=.)/gm, INDENT)}${entry.slice(entry.indexOf('\n') + 1)}` : entry
  })
  return `${open}\n${body.join('')}${close}\n`
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
