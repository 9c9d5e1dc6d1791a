/** Renders diagnostics for a terminal (colour on a TTY), for CI logs (plain) and for --json. */
import type { Diagnostic } from './diagnostic.js'

export interface RenderOptions {
  readonly color: boolean
}

const paint = (on: boolean, code: string, text: string): string => (on ? `\u001b[${code}m${text}\u001b[0m` : text)

/** `file:line:col: error FUSIO_X: message` and an indented hint: the shape editors and CI annotate. */
export function renderDiagnostic(d: Diagnostic, options: RenderOptions = { color: false }): string {
  const where = d.location ? `${d.location.file}:${d.location.line}:${d.location.column}: ` : ''
  const severity = paint(options.color, d.severity === 'error' ? '31;1' : '33;1', d.severity)
  const head = `${paint(options.color, '1', where)}${severity} ${paint(options.color, '2', d.code)}: ${d.message}`
  return d.hint ? `${head}\n  hint: ${d.hint}` : head
}

export function renderDiagnostics(diagnostics: readonly Diagnostic[], options: RenderOptions = { color: false }): string {
  return diagnostics.map((d) => renderDiagnostic(d, options)).join('\n')
}

export function summarize(diagnostics: readonly Diagnostic[]): string {
  const errors = diagnostics.filter((d) => d.severity === 'error').length
  const warnings = diagnostics.length - errors
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`
  return `${plural(errors, 'error')}, ${plural(warnings, 'warning')}`
}
