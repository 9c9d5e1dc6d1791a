/**
 * Schemas → one flat namespace of definitions. Each manifest schema becomes the definition of its
 * name; its own `definitions`/`$defs` become `<Name>_<Def>`; every `$ref` (local, by name,
 * `schema://Name`, or to another included file) is rewritten to `#/definitions/<key>`. Fusio
 * TypeSchema documents (`root`, struct/map/array/reference types) and draft-04 idioms are translated.
 */
import { posix } from 'node:path'
import { Ajv } from 'ajv'
import type { Json } from '../../runtime-min/types.js'
import { diagnostic, didYouMean, type Diagnostic, type SourceLocation } from '../diagnostics/index.js'
import { atPointer, entry, toPlain, type LMap, type LNode } from '../load/index.js'
import type { JsonSchemaDoc } from '../model/types.js'
import { pointerSteps } from './located.js'

export interface SchemaInput {
  readonly name: string
  readonly node: LNode
}

export interface SchemaDraft {
  readonly key: string
  readonly document: JsonSchemaDoc
  readonly references: readonly string[]
  readonly location?: SourceLocation
}

export const MESSAGE_SCHEMA: JsonSchemaDoc = {
  type: 'object',
  description: 'Result of a write operation',
  properties: {
    success: { type: 'boolean' },
    message: { type: 'string' },
    id: { type: ['string', 'integer'] },
  },
}

interface Unit {
  readonly name: string
  readonly node: LNode
  readonly file: string
  readonly internal: ReadonlyMap<string, string>
  readonly rootTarget?: string
}

const SCHEMA_MAP_KEYWORDS = new Set(['properties', 'patternProperties', 'dependentSchemas'])
const SCHEMA_KEYWORDS = new Set(['additionalProperties', 'additionalItems', 'contains', 'propertyNames', 'not', 'if', 'then', 'else', 'unevaluatedProperties', 'unevaluatedItems'])
const SCHEMA_LIST_KEYWORDS = new Set(['allOf', 'anyOf', 'oneOf', 'prefixItems'])
const DROPPED = new Set(['$schema', '$id', 'definitions', '$defs', 'root', '$import'])

export function normalizeSchemas(
  inputs: readonly SchemaInput[],
  manifestFile: string,
): { drafts: SchemaDraft[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = []
  const units = new Map<string, Unit>()
  const perFile = new Map<string, string[]>()
  for (const input of inputs) {
    const unit = describeUnit(input)
    units.set(input.name, unit)
    perFile.set(unit.file, [...(perFile.get(unit.file) ?? []), input.name])
  }
  // A schema that is the only one in its own included file can be referenced by that file's path.
  const byFile = new Map<string, string>()
  for (const [file, names] of perFile) if (file !== manifestFile && names.length === 1) byFile.set(file, names[0])
  if (!units.has('Message')) units.set('Message', { name: 'Message', node: undefined as never, file: '', internal: new Map() })

  const drafts: SchemaDraft[] = []
  for (const unit of units.values()) {
    if (unit.name === 'Message' && unit.node === undefined) {
      drafts.push({ key: 'Message', document: MESSAGE_SCHEMA, references: [] })
      continue
    }
    const references = new Set<string>()
    const context: WalkContext = { unit, units, byFile, references, diagnostics }
    const defs = unit.node.kind === 'map' ? definitionsOf(unit.node) : []
    if (unit.rootTarget) {
      const target = defs.find((d) => d.key === unit.rootTarget)
      if (target) drafts.push(draft(unit.name, walk(target.value, context), references, unit.node.loc))
    } else {
      drafts.push(draft(unit.name, walk(unit.node, context), references, unit.node.loc))
    }
    for (const def of defs) {
      if (def.key === unit.rootTarget) continue
      const defReferences = new Set<string>()
      const document = walk(def.value, { ...context, references: defReferences })
      drafts.push(draft(unit.internal.get(def.key)!, document, defReferences, def.value.loc))
    }
  }
  const deduped = dedupe(drafts)
  for (const d of deduped) diagnostics.push(...checkSchema(d, inputs))
  return { drafts: deduped, diagnostics }
}

function draft(key: string, document: JsonSchemaDoc, references: Set<string>, location: SourceLocation): SchemaDraft {
  return { key, document, references: [...references].sort(), location }
}

function definitionsOf(node: LMap): { key: string; value: LNode }[] {
  const out: { key: string; value: LNode }[] = []
  for (const section of ['definitions', '$defs']) {
    const defs = entry(node, section)?.value
    if (defs?.kind === 'map') for (const e of defs.entries) out.push({ key: e.key, value: e.value })
  }
  return out
}

function describeUnit(input: SchemaInput): Unit {
  const node = input.node
  const internal = new Map<string, string>()
  let rootTarget: string | undefined
  if (node.kind === 'map') {
    const defs = definitionsOf(node)
    const root = entry(node, 'root')?.value
    const ref = entry(node, '$ref')?.value
    const hasBody = ['type', 'properties', 'items', 'allOf', 'anyOf', 'oneOf'].some((k) => entry(node, k))
    if (root?.kind === 'scalar' && typeof root.value === 'string') rootTarget = root.value
    else if (!hasBody && ref?.kind === 'scalar' && typeof ref.value === 'string') {
      const local = /^#\/(?:definitions|\$defs)\/([^/]+)$/.exec(ref.value)?.[1] ?? ref.value
      if (defs.some((d) => d.key === local)) rootTarget = local
    }
    for (const def of defs) internal.set(def.key, def.key === rootTarget ? input.name : `${input.name}_${def.key}`)
  }
  return { name: input.name, node, file: node.loc.file, internal, ...(rootTarget ? { rootTarget } : {}) }
}

interface WalkContext {
  readonly unit: Unit
  readonly units: ReadonlyMap<string, Unit>
  readonly byFile: ReadonlyMap<string, string>
  readonly references: Set<string>
  readonly diagnostics: Diagnostic[]
}

function walk(node: LNode, ctx: WalkContext): JsonSchemaDoc {
  if (node.kind === 'scalar') return typeof node.value === 'boolean' ? node.value : {}
  if (node.kind !== 'map') return {}
  const out: Record<string, Json> = {}
  const get = (key: string) => entry(node, key)?.value
  for (const e of node.entries) {
    const key = e.key
    const value = e.value
    if (DROPPED.has(key) || (key === 'id' && value.kind === 'scalar')) continue
    if (key === '$ref' || key === '$extends') continue
    if (SCHEMA_MAP_KEYWORDS.has(key) && value.kind === 'map') {
      out[key] = Object.fromEntries(value.entries.map((p) => [p.key, walk(p.value, ctx) as Json]))
    } else if (SCHEMA_KEYWORDS.has(key) && value.kind === 'map') {
      out[key] = walk(value, ctx) as Json
    } else if (SCHEMA_LIST_KEYWORDS.has(key) && value.kind === 'seq') {
      out[key] = value.items.map((item) => walk(item, ctx) as Json)
    } else if (key === 'items') {
      out.items = value.kind === 'seq' ? value.items.map((i) => walk(i, ctx) as Json) : (walk(value, ctx) as Json)
    } else if (key === 'dependencies' && value.kind === 'map') {
      out.dependencies = Object.fromEntries(value.entries.map((p) => [p.key, p.value.kind === 'map' ? (walk(p.value, ctx) as Json) : (toPlain(p.value) as Json)]))
    } else if (key === 'schema' || key === 'parent' || key === 'target' || key === 'nullable') {
      // TypeSchema keywords, translated below.
    } else {
      out[key] = toPlain(value) as Json
    }
  }
  // Fusio TypeSchema types.
  const type = out.type
  if (type === 'struct') out.type = 'object'
  if (type === 'any' || type === 'generic') delete out.type
  if (type === 'map') {
    out.type = 'object'
    const inner = get('schema')
    out.additionalProperties = inner ? (walk(inner, ctx) as Json) : true
  }
  if (type === 'array' && get('schema')) out.items = walk(get('schema')!, ctx) as Json
  if (type === 'reference') {
    delete out.type
    const target = get('target')
    if (target) out.$ref = refTo(target, ctx)
  }
  const ref = get('$ref')
  if (ref) {
    const target = refTo(ref, ctx)
    if (Object.keys(out).length === 0) out.$ref = target
    else return withParent(out, target)
  }
  const parent = get('parent') ?? get('$extends')
  if (parent) {
    const target = parent.kind === 'map' ? entry(parent, 'target')?.value : parent
    if (target) return withParent(out, refTo(target, ctx))
  }
  if (get('nullable')?.kind === 'scalar' && (get('nullable') as { value: unknown }).value === true && typeof out.type === 'string') {
    out.type = [out.type, 'null']
  }
  // draft-04 boolean exclusiveMinimum/Maximum → draft-07 numbers.
  for (const [flag, bound] of [['exclusiveMinimum', 'minimum'], ['exclusiveMaximum', 'maximum']] as const) {
    if (typeof out[flag] === 'boolean') {
      if (out[flag] === true && typeof out[bound] === 'number') {
        out[flag] = out[bound]
        delete out[bound]
      } else delete out[flag]
    }
  }
  return out
}

function withParent(out: Record<string, Json>, parentRef: string): JsonSchemaDoc {
  return { allOf: [{ $ref: parentRef }, out] }
}

/** Resolves one reference and records it; an unresolvable one is a diagnostic at the $ref's value. */
function refTo(node: LNode, ctx: WalkContext): string {
  const ref = node.kind === 'scalar' ? String(node.value) : ''
  const key = resolveRef(ref, ctx)
  if (key === undefined) {
    const names = [...ctx.units.keys(), ...ctx.unit.internal.keys()]
    ctx.diagnostics.push(diagnostic('FUSIO_RESOLVE_SCHEMA_REF', { name: ctx.unit.name, ref }, node.loc, didYouMean(ref.replace(/^.*[/#:]/, ''), names)))
    return '#'
  }
  ctx.references.add(key)
  return `#/definitions/${key}`
}

function resolveRef(ref: string, ctx: WalkContext): string | undefined {
  const { unit, units, byFile } = ctx
  if (ref === '#') return unit.name
  const local = /^#\/(?:definitions|\$defs)\/([^/]+)$/.exec(ref)
  if (local) return unit.internal.get(decodeURIComponent(local[1]))
  if (ref.startsWith('schema://')) return units.has(ref.slice(9)) ? ref.slice(9) : undefined
  const file = /^([^#]+\.(?:json|ya?ml))(#.*)?$/i.exec(ref)
  if (file) {
    const path = posix.normalize(posix.join(posix.dirname(unit.file), file[1]))
    const name = byFile.get(path)
    if (name === undefined) return undefined
    if (!file[2] || file[2] === '#') return name
    const inner = /^#\/(?:definitions|\$defs)\/([^/]+)$/.exec(file[2])
    return inner ? units.get(name)?.internal.get(inner[1]) : undefined
  }
  if (unit.internal.has(ref)) return unit.internal.get(ref)
  if (units.has(ref)) return ref
  return undefined
}

/** `<Name>_<Def>` identical to the manifest schema `<Def>` is the same type: keep one. */
function dedupe(drafts: SchemaDraft[]): SchemaDraft[] {
  const byKey = new Map(drafts.map((d) => [d.key, d]))
  const alias = new Map<string, string>()
  for (const d of drafts) {
    const underscore = d.key.lastIndexOf('_')
    for (let i = d.key.indexOf('_'); i > 0 && i <= underscore; i = d.key.indexOf('_', i + 1)) {
      const candidate = byKey.get(d.key.slice(i + 1))
      if (candidate && candidate !== d && JSON.stringify(candidate.document) === JSON.stringify(d.document)) {
        alias.set(d.key, candidate.key)
        break
      }
    }
  }
  if (alias.size === 0) return drafts
  const rewrite = (value: Json): Json => {
    if (Array.isArray(value)) return value.map(rewrite)
    if (value === null || typeof value !== 'object') return value
    const out: Record<string, Json> = {}
    for (const [k, v] of Object.entries(value)) {
      const target = k === '$ref' && typeof v === 'string' ? alias.get(v.replace('#/definitions/', '')) : undefined
      out[k] = target ? `#/definitions/${target}` : rewrite(v as Json)
    }
    return out
  }
  return drafts
    .filter((d) => !alias.has(d.key))
    .map((d) => ({
      ...d,
      document: typeof d.document === 'boolean' ? d.document : (rewrite(d.document as Json) as JsonSchemaDoc),
      references: [...new Set(d.references.map((r) => alias.get(r) ?? r))].sort(),
    }))
}

const metaAjv = new Ajv({ strict: false, allErrors: true })

/** Checks a normalized document against the draft-07 meta-schema, pointing into the source where it can. */
function checkSchema(d: SchemaDraft, inputs: readonly SchemaInput[]): Diagnostic[] {
  if (metaAjv.validateSchema(d.document as object)) return []
  const source = inputs.find((i) => i.name === d.key)?.node
  // The meta-schema reports each failed branch; one diagnostic per place is enough.
  const firstPerPath = new Map<string, string>()
  for (const error of metaAjv.errors ?? []) {
    if (firstPerPath.has(error.instancePath)) continue
    const message = error.instancePath.endsWith('/type')
      ? 'must be one of string, number, integer, boolean, object, array, null (or a list of them)'
      : (error.message ?? 'is invalid')
    firstPerPath.set(error.instancePath, message)
  }
  return [...firstPerPath].slice(0, 5).map(([path, message]) => {
    const node = source ? atPointer(source, pointerSteps(path)) : undefined
    const where = path === '' ? '' : `${path.slice(1).replace(/\//g, '.')} `
    return diagnostic('FUSIO_RESOLVE_INVALID_SCHEMA', { name: d.key, problem: `${where}${message}` }, node?.loc ?? d.location)
  })
}
