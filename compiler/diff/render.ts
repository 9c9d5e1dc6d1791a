/**
 * renderComparison(comparison, options) → the report `fusio diff` prints for people: changes grouped
 * by operation, each tagged BREAKING or non-breaking, then the generated files that changed, then a
 * one-line total. Colour only when asked (a TTY); the text is the same without it.
 */
import type { SourceLocation } from '../diagnostics/index.js'
import { paint } from '../diagnostics/paint.js'
import type { ApiChange } from './changes.js'
import type { ManifestComparison } from './compare.js'
import type { GeneratedChange } from './generated.js'

export interface RenderComparisonOptions {
  readonly color: boolean
}

export function renderComparison(comparison: Pick<ManifestComparison, 'base' | 'head' | 'changes' | 'generated'>, options: RenderComparisonOptions): string {
  const color = options.color
  const out = [`${comparison.base.label} → ${comparison.head.label}`, '']
  if (comparison.changes.length === 0) out.push('No API changes.', '')
  const codeWidth = Math.max(0, ...comparison.changes.map((c) => c.code.length))
  for (const [operation, changes] of groupByOperation(comparison.changes)) {
    out.push(paint(color, '1', operation ?? 'service'))
    for (const change of changes) out.push(renderChange(change, codeWidth, color))
    out.push('')
  }
  out.push(...renderGenerated(comparison.generated, color))
  out.push(total(comparison.changes))
  return out.join('\n')
}

function groupByOperation(changes: readonly ApiChange[]): Map<string | undefined, ApiChange[]> {
  const groups = new Map<string | undefined, ApiChange[]>()
  for (const change of changes) {
    const group = groups.get(change.operation) ?? []
    group.push(change)
    groups.set(change.operation, group)
  }
  return groups
}

function renderChange(change: ApiChange, codeWidth: number, color: boolean): string {
  const tag = change.breaking ? paint(color, '31;1', 'BREAKING    ') : paint(color, '32', 'non-breaking')
  const what = change.field ? `${change.field}: ${change.message}` : change.message
  const where = change.location ? `  ${paint(color, '2', at(change.location))}` : ''
  return `  ${tag}  ${change.code.padEnd(codeWidth)}  ${what}${where}`
}

function at(location: SourceLocation): string {
  return `${location.file}:${location.line}:${location.column}`
}

function renderGenerated(generated: readonly GeneratedChange[], color: boolean): string[] {
  if (generated.length === 0) return ['Generated code: no changes.', '']
  const added = generated.reduce((sum, file) => sum + file.added, 0)
  const removed = generated.reduce((sum, file) => sum + file.removed, 0)
  const pathWidth = Math.max(...generated.map((file) => file.path.length))
  const countWidth = Math.max(...generated.map((file) => counts(file).length))
  const lines = generated.map((file) => {
    const note = file.status === 'changed' ? file.operations.join(', ') : `(${file.status}) ${file.operations.join(', ')}`
    return `  ${file.path.padEnd(pathWidth)}  ${counts(file).padEnd(countWidth)}  ${paint(color, '2', note.trim())}`.trimEnd()
  })
  return [paint(color, '1', `Generated code: ${plural(generated.length, 'file')} changed, +${added} −${removed}`), ...lines, '']
}

function counts(file: GeneratedChange): string {
  return `+${file.added} −${file.removed}`
}

function total(changes: readonly ApiChange[]): string {
  const breaking = changes.filter((c) => c.breaking).length
  return `${plural(breaking, 'breaking change')}, ${changes.length - breaking} non-breaking`
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}
