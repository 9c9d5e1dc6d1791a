/** Diagnostics: the catalog, the data type, and `diagnostic()` which fills a template. */
import { CODES, type DiagnosticCode } from './codes.js'
import type { Diagnostic, SourceLocation } from './diagnostic.js'

export * from './diagnostic.js'
export { CODES, type DiagnosticCode } from './codes.js'
export { closest, didYouMean } from './suggest.js'

export function diagnostic(
  code: DiagnosticCode,
  args: Readonly<Record<string, string | number>>,
  location?: SourceLocation,
  hint?: string,
): Diagnostic {
  const entry = CODES[code]
  const message = entry.template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in args ? String(args[name]) : whole,
  )
  return {
    code,
    severity: entry.severity,
    message,
    ...(location ? { location } : {}),
    ...(hint ? { hint } : {}),
  }
}
