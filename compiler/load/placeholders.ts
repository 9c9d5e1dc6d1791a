/**
 * `${env.NAME}` and `${dir.src|cache|temp}` inside strings. Both become runtime lookups: the text is
 * split into literal parts and placeholders, and no value is read at build time.
 */
import { diagnostic, didYouMean, type Diagnostic, type SourceLocation } from '../diagnostics/index.js'
import type { DirName, TemplatePart } from './tree.js'

const PLACEHOLDER = /\$\{([^}]*)\}/g
const DIRS: readonly DirName[] = ['src', 'cache', 'temp']

export interface ParsedTemplate {
  readonly parts: readonly TemplatePart[]
  readonly diagnostics: readonly Diagnostic[]
}

/** Returns undefined when the string has no placeholder at all (the common case). */
export function parsePlaceholders(text: string, loc: SourceLocation): ParsedTemplate | undefined {
  if (!text.includes('${')) return undefined
  const parts: TemplatePart[] = []
  const diagnostics: Diagnostic[] = []
  let last = 0
  for (const match of text.matchAll(PLACEHOLDER)) {
    const index = match.index ?? 0
    if (index > last) parts.push(text.slice(last, index))
    last = index + match[0].length
    const inner = match[1].trim()
    const dot = inner.indexOf('.')
    if (dot <= 0 || dot === inner.length - 1) {
      diagnostics.push(diagnostic('FUSIO_LOAD_PLACEHOLDER_SYNTAX', { text: match[0] }, loc))
      continue
    }
    // Category and key are case-insensitive, as in Fusio's env replacer.
    const category = inner.slice(0, dot).toLowerCase()
    const key = inner.slice(dot + 1)
    if (category === 'env') {
      parts.push({ env: key })
    } else if (category === 'dir') {
      const dir = key.toLowerCase()
      if ((DIRS as readonly string[]).includes(dir)) parts.push({ dir: dir as DirName })
      else diagnostics.push(diagnostic('FUSIO_LOAD_PLACEHOLDER_DIR', { key, text: match[0] }, loc, didYouMean(dir, DIRS)))
    } else {
      diagnostics.push(
        diagnostic('FUSIO_LOAD_PLACEHOLDER_CATEGORY', { category, text: match[0] }, loc, didYouMean(category, ['env', 'dir'])),
      )
    }
  }
  if (last === 0 && parts.length === 0 && diagnostics.length === 0) return undefined
  if (last < text.length) parts.push(text.slice(last))
  return { parts, diagnostics }
}
