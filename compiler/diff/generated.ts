/**
 * diffGenerated(base, head) → per generated file that differs: lines added and removed, and the
 * operations whose code changed there. Files are taken as emit returns them, whatever the layout.
 * A block of changed lines belongs to the operations it names, or those its enclosing code names.
 */
import type { EmittedFile } from '../emit/index.js'
import type { Model } from '../model/types.js'
import { buildOperationIndex, type Mentions, type OperationIndex } from './attribution.js'
import { diffLines } from './line-diff.js'

export interface GeneratedChange {
  /** Relative to the generated folder. */
  readonly path: string
  readonly status: 'added' | 'removed' | 'changed'
  readonly added: number
  readonly removed: number
  /** Operation ids whose generated code changed in this file, sorted. */
  readonly operations: readonly string[]
}

export interface GeneratedSide {
  readonly model: Model
  readonly files: readonly EmittedFile[]
}

export function diffGenerated(base: GeneratedSide, head: GeneratedSide): GeneratedChange[] {
  const baseIndex = buildOperationIndex(base.model)
  const headIndex = buildOperationIndex(head.model)
  const baseFiles = new Map(base.files.map((f) => [f.path, f.contents]))
  const headFiles = new Map(head.files.map((f) => [f.path, f.contents]))
  const paths = [...new Set([...baseFiles.keys(), ...headFiles.keys()])].sort()
  return paths.flatMap((path) => {
    const before = baseFiles.get(path)
    const after = headFiles.get(path)
    if (before === after) return []
    const baseLines = before === undefined ? [] : lines(before)
    const headLines = after === undefined ? [] : lines(after)
    const { removed, added } = diffLines(baseLines, headLines)
    const operations = new Set([...attribute(baseLines, removed, baseIndex), ...attribute(headLines, added, headIndex)])
    return [
      {
        path,
        status: before === undefined ? 'added' : after === undefined ? 'removed' : 'changed',
        added: added.length,
        removed: removed.length,
        operations: [...operations].sort(),
      } satisfies GeneratedChange,
    ]
  })
}

function lines(text: string): string[] {
  return text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n')
}

/**
 * The operations the changed lines belong to; `changed` is ascending. A block that names an operation
 * directly belongs to it. Otherwise the nearest line above that names any (the enclosing route entry
 * or declaration) decides when it names one directly; failing that, the schemas and actions the block
 * or that line name stand for the operations that use them.
 */
function attribute(text: readonly string[], changed: readonly number[], index: OperationIndex): Set<string> {
  const operations = new Set<string>()
  for (const block of blocks(changed)) {
    const inBlock = merge(block.map((line) => index.mentionsIn(text[line])))
    const enclosing = enclosingMentions(text, block[0], index)
    const chosen = [inBlock.direct, enclosing.direct, inBlock.indirect, enclosing.indirect].find((ids) => ids.length > 0) ?? []
    for (const id of chosen) operations.add(id)
  }
  return operations
}

function enclosingMentions(text: readonly string[], from: number, index: OperationIndex): Mentions {
  for (let line = from - 1; line >= 0; line--) {
    const mentions = index.mentionsIn(text[line])
    if (mentions.direct.length > 0 || mentions.indirect.length > 0) return mentions
  }
  return { direct: [], indirect: [] }
}

function merge(all: readonly Mentions[]): Mentions {
  return { direct: [...new Set(all.flatMap((m) => m.direct))], indirect: [...new Set(all.flatMap((m) => m.indirect))] }
}

/** Runs of consecutive line numbers. */
function blocks(changed: readonly number[]): number[][] {
  const runs: number[][] = []
  for (const line of changed) {
    const last = runs.at(-1)
    if (last && last.at(-1) === line - 1) last.push(line)
    else runs.push([line])
  }
  return runs
}
