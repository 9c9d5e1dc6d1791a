/**
 * The loaded manifest: a YAML tree in which every node knows its file, line and column, with
 * includes already spliced in and placeholders parsed. Nothing here is interpreted yet.
 */
import type { SourceLocation } from '../diagnostics/index.js'

/** A `${…}` placeholder. Both kinds stay lookups that the service performs when it starts. */
export type Placeholder = { readonly env: string } | { readonly dir: DirName }
export type DirName = 'src' | 'cache' | 'temp'
export type TemplatePart = string | Placeholder

export interface LScalar {
  readonly kind: 'scalar'
  readonly loc: SourceLocation
  readonly value: string | number | boolean | null
  /** Set when the string contains placeholders: literal text interleaved with lookups. */
  readonly template?: readonly TemplatePart[]
  /** Set when the string names a file the manifest depends on (migrations, handler modules). */
  readonly file?: ReferencedFile
}

export interface ReferencedFile {
  /** Relative to the project folder, forward slashes. */
  readonly path: string
  /** Text of the file when the compiler needs it (migrations); undefined for handler modules. */
  readonly content?: string
}

export interface LEntry {
  readonly key: string
  readonly keyLoc: SourceLocation
  readonly value: LNode
}

export interface LMap {
  readonly kind: 'map'
  readonly loc: SourceLocation
  readonly entries: readonly LEntry[]
}

export interface LSeq {
  readonly kind: 'seq'
  readonly loc: SourceLocation
  readonly items: readonly LNode[]
}

export type LNode = LMap | LSeq | LScalar

export interface LoadedManifest {
  /** Absolute path of the project folder (the manifest's folder). Never written into output. */
  readonly projectDir: string
  /** The manifest file relative to the project folder, as it appears in banners. */
  readonly manifestFile: string
  readonly root: LMap
  /** Every file read, relative to the project folder, sorted (for `fusio dev` watching). */
  readonly files: readonly string[]
}

export function entry(map: LMap, key: string): LEntry | undefined {
  return map.entries.find((e) => e.key === key)
}

/** Plain JSON for a subtree (placeholders rendered as their source text); used to validate shapes. */
export function toPlain(node: LNode): unknown {
  switch (node.kind) {
    case 'scalar':
      return node.value
    case 'seq':
      return node.items.map(toPlain)
    case 'map': {
      const out: Record<string, unknown> = {}
      for (const e of node.entries) out[e.key] = toPlain(e.value)
      return out
    }
  }
}

/** Walks a JSON pointer (`/a/b/0`) through the tree; undefined when a step is missing. */
export function atPointer(node: LNode, pointer: readonly string[]): LNode | undefined {
  let current: LNode | undefined = node
  for (const step of pointer) {
    if (!current) return undefined
    if (current.kind === 'map') current = entry(current, step)?.value
    else if (current.kind === 'seq') current = /^\d+$/.test(step) ? current.items[Number(step)] : undefined
    else return undefined
  }
  return current
}
