/**
 * load(host, manifestPath) → the manifest as a located tree (LoadedManifest) plus diagnostics.
 * In: the manifest file and everything it !includes, read only through the Host.
 * Out: one tree; included nodes keep the location in their own file; placeholders are parsed but
 * never substituted; migration files are read, handler files only checked for existence.
 */
import { posix } from 'node:path'
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml'
import { diagnostic, type Diagnostic, type SourceLocation, type StageResult } from '../diagnostics/index.js'
import type { Host } from '../host/index.js'
import { parsePlaceholders } from './placeholders.js'
import { atPointer, entry, type LEntry, type LMap, type LNode, type LoadedManifest, type LScalar } from './tree.js'

export * from './tree.js'

interface LoadContext {
  readonly host: Host
  readonly projectDir: string
  readonly diagnostics: Diagnostic[]
  readonly files: Set<string>
  /** Absolute paths of files being read, to detect include cycles. */
  readonly stack: string[]
}

export function load(host: Host, manifestPath: string): StageResult<LoadedManifest> {
  const absolute = posix.resolve(manifestPath)
  const projectDir = posix.dirname(absolute)
  const ctx: LoadContext = { host, projectDir, diagnostics: [], files: new Set(), stack: [] }
  const manifestFile = posix.relative(projectDir, absolute)
  if (!host.fileExists(absolute)) {
    return { diagnostics: [diagnostic('FUSIO_LOAD_FILE_NOT_FOUND', { file: manifestPath })] }
  }
  const root = loadFile(ctx, absolute, undefined)
  if (!root) return { diagnostics: ctx.diagnostics }
  if (root.kind !== 'map') {
    ctx.diagnostics.push(
      diagnostic('FUSIO_RESOLVE_INVALID_VALUE', { where: 'the manifest', problem: 'must be a map of sections' }, root.loc),
    )
    return { diagnostics: ctx.diagnostics }
  }
  const withFiles = attachReferencedFiles(ctx, root)
  return {
    value: { projectDir, manifestFile, root: withFiles, files: [...ctx.files].sort() },
    diagnostics: ctx.diagnostics,
  }
}

/** Reads one file as a tree: YAML and JSON with positions, any other extension as one text scalar. */
function loadFile(ctx: LoadContext, absolute: string, includedFrom: SourceLocation | undefined): LNode | undefined {
  const relative = posix.relative(ctx.projectDir, absolute)
  if (ctx.stack.includes(absolute)) {
    const chain = [...ctx.stack, absolute].map((p) => posix.relative(ctx.projectDir, p)).join(' → ')
    ctx.diagnostics.push(diagnostic('FUSIO_LOAD_INCLUDE_CYCLE', { path: relative, chain }, includedFrom))
    return undefined
  }
  const text = ctx.host.readFile(absolute)
  if (text === undefined) {
    ctx.diagnostics.push(diagnostic('FUSIO_LOAD_INCLUDE_NOT_FOUND', { path: relative }, includedFrom))
    return undefined
  }
  ctx.files.add(relative)
  if (!/\.(ya?ml|json)$/i.test(absolute)) {
    const loc = { file: relative, line: 1, column: 1 }
    return { ...scalar(ctx, text, loc), file: { path: relative, content: text } }
  }
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter, merge: true, uniqueKeys: true, prettyErrors: false })
  const locate = (offset: number, tag?: string): SourceLocation => {
    // A tagged node's range starts at its value; diagnostics about the tag point at the tag.
    const start = tag ? Math.max(text.lastIndexOf(tag, offset), 0) : offset
    const pos = lineCounter.linePos(start)
    return { file: relative, line: pos.line, column: pos.col }
  }
  if (doc.errors.length > 0) {
    for (const error of doc.errors) {
      const message = error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')
      ctx.diagnostics.push(diagnostic('FUSIO_LOAD_YAML_SYNTAX', { message }, locate(error.pos[0])))
    }
    return undefined
  }
  ctx.stack.push(absolute)
  try {
    const loc = { file: relative, line: 1, column: 1 }
    if (!doc.contents) return { kind: 'map', loc, entries: [] }
    return convert(ctx, doc, doc.contents, absolute, locate)
  } finally {
    ctx.stack.pop()
  }
}

function convert(
  ctx: LoadContext,
  doc: Document,
  node: Node,
  file: string,
  locate: (offset: number, tag?: string) => SourceLocation,
): LNode | undefined {
  const custom = node.tag && node.tag.startsWith('!') && !node.tag.startsWith('!!') ? node.tag : undefined
  const loc = locate(node.range?.[0] ?? 0, custom)
  if (isAlias(node)) {
    const target = node.resolve(doc)
    return target ? convert(ctx, doc, target, file, locate) : undefined
  }
  if (node.tag === '!include') return include(ctx, node, file, loc)
  if (node.tag && node.tag.startsWith('!') && !node.tag.startsWith('!!')) {
    ctx.diagnostics.push(diagnostic('FUSIO_LOAD_UNKNOWN_TAG', { tag: node.tag }, loc))
    return undefined
  }
  if (isMap(node)) {
    const entries: LEntry[] = []
    const merges: LNode[] = []
    for (const pair of node.items) {
      if (!isPair(pair)) continue
      const keyNode = pair.key as Node | null
      const keyLoc = keyNode ? locate(keyNode.range?.[0] ?? 0) : loc
      const isMerge = isScalar(keyNode) && typeof keyNode.value === 'symbol'
      const key = isScalar(keyNode) ? String(keyNode.value) : String(keyNode)
      const valueNode = pair.value as Node | null
      const value: LNode | undefined = valueNode
        ? convert(ctx, doc, valueNode, file, locate)
        : { kind: 'scalar', loc: keyLoc, value: null }
      if (isMerge && value) {
        // YAML merge key (`<<: *base` or `<<: [*a, *b]`): keys of the map itself win.
        merges.push(...(value.kind === 'seq' ? value.items : [value]))
        continue
      }
      if (value) entries.push({ key, keyLoc, value })
    }
    for (const merged of merges) {
      if (merged.kind !== 'map') continue
      for (const e of merged.entries) if (!entries.some((x) => x.key === e.key)) entries.push(e)
    }
    return { kind: 'map', loc, entries }
  }
  if (isSeq(node)) {
    const items: LNode[] = []
    for (const item of node.items) {
      const converted = convert(ctx, doc, item as Node, file, locate)
      if (converted) items.push(converted)
    }
    return { kind: 'seq', loc, items }
  }
  if (isScalar(node)) {
    const value = node.value
    if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      return scalar(ctx, value, loc)
    }
    if (typeof value === 'bigint') return scalar(ctx, Number(value), loc)
    return scalar(ctx, String(value), loc)
  }
  return undefined
}

function scalar(ctx: LoadContext, value: LScalar['value'], loc: SourceLocation): LScalar {
  if (typeof value !== 'string') return { kind: 'scalar', loc, value }
  const parsed = parsePlaceholders(value, loc)
  if (!parsed) return { kind: 'scalar', loc, value }
  ctx.diagnostics.push(...parsed.diagnostics)
  return { kind: 'scalar', loc, value, template: parsed.parts }
}

/** `!include path[#/json/pointer]`, relative to the including file. */
function include(ctx: LoadContext, node: Node, file: string, loc: SourceLocation): LNode | undefined {
  const raw = isScalar(node) && typeof node.value === 'string' ? node.value.trim() : undefined
  if (!raw) {
    ctx.diagnostics.push(diagnostic('FUSIO_LOAD_INCLUDE_SYNTAX', {}, loc))
    return undefined
  }
  const [pathPart, fragment] = splitFragment(raw)
  const target = resolveBuildPath(ctx, pathPart, posix.dirname(file), loc)
  if (target === undefined) return undefined
  const included = loadFile(ctx, target, loc)
  if (!included || fragment === undefined) return included
  const steps = fragment
    .split('/')
    .slice(1)
    .map((s) => decodeURIComponent(s).replace(/~1/g, '/').replace(/~0/g, '~'))
  const picked = atPointer(included, steps)
  if (!picked) {
    ctx.diagnostics.push(
      diagnostic('FUSIO_LOAD_INCLUDE_POINTER', { pointer: `#${fragment}`, path: posix.relative(ctx.projectDir, target) }, loc),
    )
  }
  return picked
}

function splitFragment(raw: string): [string, string | undefined] {
  const hash = raw.indexOf('#')
  if (hash < 0) return [raw, undefined]
  return [raw.slice(0, hash), raw.slice(hash + 1)]
}

/** A path read at build time: ${dir.src} and ${dir.cache} expand here, ${env.X} cannot. */
function resolveBuildPath(ctx: LoadContext, text: string, baseDir: string, loc: SourceLocation): string | undefined {
  const parsed = parsePlaceholders(text, loc)
  let expanded = text
  if (parsed) {
    ctx.diagnostics.push(...parsed.diagnostics)
    let out = ''
    for (const part of parsed.parts) {
      if (typeof part === 'string') out += part
      else if ('env' in part) {
        ctx.diagnostics.push(diagnostic('FUSIO_LOAD_PLACEHOLDER_IN_PATH', { name: part.env }, loc))
        return undefined
      } else if (part.dir === 'src') out += ctx.projectDir
      else if (part.dir === 'cache') out += posix.join(ctx.projectDir, '.fusio/cache')
      else {
        ctx.diagnostics.push(diagnostic('FUSIO_LOAD_PLACEHOLDER_IN_PATH', { name: 'dir.temp' }, loc))
        return undefined
      }
    }
    expanded = out
  }
  return posix.resolve(baseDir, expanded)
}

/**
 * Marks scalars that name files: `migration.<connection>[]` (read: their SQL is compiled in),
 * `action.*.config.path` and `file://` action references (checked: the check stage type-checks them).
 */
function attachReferencedFiles(ctx: LoadContext, root: LMap): LMap {
  const mapEntries = (map: LMap, fn: (e: LEntry) => LEntry): LMap => ({ ...map, entries: map.entries.map(fn) })
  const reference = (node: LScalar, read: boolean, path: string): LScalar => {
    const base = posix.resolve(ctx.projectDir, posix.dirname(node.loc.file))
    const absolute = resolveBuildPath(ctx, path, base, node.loc)
    if (absolute === undefined) return node
    const relative = posix.relative(ctx.projectDir, absolute)
    if (!ctx.host.fileExists(absolute)) {
      ctx.diagnostics.push(diagnostic('FUSIO_LOAD_REFERENCED_FILE', { path: relative }, node.loc))
      return node
    }
    ctx.files.add(relative)
    const content = read ? ctx.host.readFile(absolute) : undefined
    return { ...node, file: content === undefined ? { path: relative } : { path: relative, content } }
  }
  const fileRef = (node: LNode): LNode =>
    node.kind === 'scalar' && typeof node.value === 'string' && node.value.startsWith('file://')
      ? reference(node, false, node.value.slice('file://'.length))
      : node
  const actionRefs = (node: LNode, depth: number): LNode => {
    // operation.<id>.action, and routes.<path>[.versions].methods.<M>.action in the legacy era.
    if (node.kind === 'seq') return { ...node, items: node.items.map((i) => actionRefs(i, depth)) }
    if (node.kind !== 'map' || depth > 4) return node
    return mapEntries(node, (e) =>
      e.key === 'action' ? { ...e, value: fileRef(e.value) } : { ...e, value: actionRefs(e.value, depth + 1) },
    )
  }
  return mapEntries(root, (section) => {
    const value = section.value
    if (section.key === 'migration' && value.kind === 'map') {
      return {
        ...section,
        value: mapEntries(value, (conn) =>
          conn.value.kind === 'seq'
            ? {
                ...conn,
                value: {
                  ...conn.value,
                  items: conn.value.items.map((item) =>
                    item.kind === 'scalar' && typeof item.value === 'string' && !item.file
                      ? reference(item, true, item.value)
                      : item,
                  ),
                },
              }
            : conn,
        ),
      }
    }
    if (section.key === 'action' && value.kind === 'map') {
      return {
        ...section,
        value: mapEntries(value, (action) => {
          if (action.value.kind !== 'map') return action
          const config = entry(action.value, 'config')
          const path = config?.value.kind === 'map' ? entry(config.value, 'path') : undefined
          if (!config || config.value.kind !== 'map' || !path || path.value.kind !== 'scalar') return action
          const pathValue = path.value
          if (typeof pathValue.value !== 'string') return action
          const target = pathValue.value.replace(/^file:\/\//, '')
          const withFile = mapEntries(config.value, (e) => (e === path ? { ...e, value: reference(pathValue, false, target) } : e))
          return { ...action, value: mapEntries(action.value, (e) => (e === config ? { ...e, value: withFile } : e)) }
        }),
      }
    }
    if (section.key === 'operation' || section.key === 'routes') return { ...section, value: actionRefs(value, 0) }
    return section
  })
}
