/**
 * A diagnostic is data, not an exception: stages return them so one run can report every mistake.
 * Positions are 1-based; `file` is relative to the project folder so output is the same on every machine.
 */
import type { DiagnosticCode } from './codes.js'

export interface SourceLocation {
  readonly file: string
  readonly line: number
  readonly column: number
}

export type Severity = 'error' | 'warning'

export interface Diagnostic {
  readonly code: DiagnosticCode
  readonly severity: Severity
  readonly message: string
  readonly location?: SourceLocation
  /** One actionable sentence, e.g. a "did you mean" or the list of allowed values. */
  readonly hint?: string
}

/** What every stage's door returns: a value when it could produce one, and everything it noticed. */
export interface StageResult<T> {
  readonly value?: T
  readonly diagnostics: readonly Diagnostic[]
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error')
}

/** Sorts by file, line, column, then code, so output order never depends on traversal order. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort((a, b) => {
    const fa = a.location?.file ?? ''
    const fb = b.location?.file ?? ''
    if (fa !== fb) return fa < fb ? -1 : 1
    const la = a.location?.line ?? 0
    const lb = b.location?.line ?? 0
    if (la !== lb) return la - lb
    const ca = a.location?.column ?? 0
    const cb = b.location?.column ?? 0
    if (ca !== cb) return ca - cb
    return a.message < b.message ? -1 : a.message > b.message ? 1 : 0
  })
}
