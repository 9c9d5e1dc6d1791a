/** Renders diagnostics for a terminal (colour on a TTY), for CI logs (plain) and for --json. */
import { codeFrame, type ReadSource } from './code-frame.js'
import type { Diagnostic } from './diagnostic.js'
import { paint, SEVERITY_STYLE } from './paint.js'

export interface RenderOptions {
  readonly color: boolean
  /** When given, each located diagnostic is followed by a code frame of its source. */
  readonly readSource?: ReadSource
}

/** `file:line:col: error FUSIO_X: message`, an optional code frame and an indented hint: the head is the shape editors and CI annotate. */
export function renderDiagnostic(d: Diagnostic, options: RenderOptions = { color: false }): string {
  const where = d.location ? `${d.location.file}:${d.location.line}:${d.location.column}: ` : ''
  const severity = paint(options.color, SEVERITY_STYLE[d.severity], d.severity)
  const head = `${paint(options.color, '1', where)}${severity} ${paint(options.color, '2', d.code)}: ${d.message}`
  const frame = frameOf(d, options)
  return [head, ...(frame ? [indent(frame)] : []), ...(d.hint ? [`  hint: ${d.hint}`] : [])].join('\n')
}

export function renderDiagnostics(diagnostics: readonly Diagnostic[], options: RenderOptions = { color: false }): string {
  // Frames make each diagnostic a block; a blank line keeps the blocks apart.
  return diagnostics.map((d) => renderDiagnostic(d, options)).join(options.readSource ? '\n\n' : '\n')
}

export function summarize(diagnostics: readonly Diagnostic[]): string {
  const errors = diagnostics.filter((d) => d.severity === 'error').length
  const warnings = diagnostics.length - errors
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`
  return `${plural(errors, 'error')}, ${plural(warnings, 'warning')}`
}

function frameOf(d: Diagnostic, options: RenderOptions): string | undefined {
  if (!d.location || !options.readSource) return undefined
  const source = options.readSource(d.location.file)
  return source === undefined ? undefined : codeFrame(source, d.location, { color: options.color, severity: d.severity })
}

function indent(text: string): string {
  return text.replace(/^/gm, '  ')
}
