/**
 * codeFrame(source, position) → the pointed line and the one above it, numbered, with a caret under
 * the column: the excerpt printed under a diagnostic. Columns are 1-based UTF-16 offsets, as the YAML
 * parser and tsc report them; tabs are expanded so the caret lines up, and lines wider than `width`
 * are cut around the caret. Undefined when the position is not in the source (the file changed).
 */
import type { Severity } from './diagnostic.js'
import { paint, SEVERITY_STYLE } from './paint.js'

/** Reads a file named as in a diagnostic's location; undefined when it cannot be read. */
export type ReadSource = (file: string) => string | undefined

export interface CodeFrameOptions {
  readonly color: boolean
  /** Colours the marker and the caret. */
  readonly severity?: Severity
  /** Lines shown above the pointed one. */
  readonly linesBefore?: number
  /** Widest source text shown, in terminal columns. */
  readonly width?: number
}

const TAB_STOP = 4
const DEFAULT_WIDTH = 120

export function codeFrame(source: string, position: { readonly line: number; readonly column: number }, options: CodeFrameOptions): string | undefined {
  const lines = source.split(/\r\n|\r|\n/)
  if (position.line < 1 || position.line > lines.length) return undefined
  const target = lines[position.line - 1]!
  const width = Math.max(options.width ?? DEFAULT_WIDTH, 10)
  const caret = cells(target.slice(0, Math.max(position.column - 1, 0))).length
  // One window for every line of the frame, so the context stays aligned with the pointed line.
  const start = Math.max(0, Math.min(caret - Math.floor(width / 2), cells(target).length + 1 - width))
  const first = Math.max(1, position.line - (options.linesBefore ?? 1))
  const numberWidth = String(position.line).length
  const style = SEVERITY_STYLE[options.severity ?? 'error']
  const row = (marker: string, label: string, text: string) =>
    `${paint(options.color, style, marker)} ${paint(options.color, '2', `${label.padStart(numberWidth)} |`)}${text === '' ? '' : ` ${text}`}`

  const rows: string[] = []
  for (let n = first; n <= position.line; n++) {
    rows.push(row(n === position.line ? '>' : ' ', String(n), window(lines[n - 1]!, start, width).trimEnd()))
  }
  rows.push(row(' ', '', `${' '.repeat(caret - start)}${paint(options.color, style, '^')}`))
  return rows.join('\n')
}

/** One entry per terminal column: code points, with each tab widened to the next tab stop. */
function cells(text: string): string[] {
  const out: string[] = []
  for (const char of text) {
    if (char === '\t') out.push(...' '.repeat(TAB_STOP - (out.length % TAB_STOP)))
    else out.push(char)
  }
  return out
}

/** The columns [start, start + width) of a line, with an ellipsis where text was cut off. */
function window(line: string, start: number, width: number): string {
  const all = cells(line)
  const shown = all.slice(start, start + width)
  if (start > 0 && shown.length > 0) shown[0] = '…'
  if (all.length > start + width) shown[width - 1] = '…'
  return shown.join('')
}
