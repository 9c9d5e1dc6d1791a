/**
 * compareSchemas(base, head, field) → what changed between two JSON Schemas, as neutral findings
 * ("a required field was added", "the enum lost a value"); whether that breaks anyone depends on
 * which side of the exchange the schema describes, and is decided in classification.ts.
 * `#/definitions/<key>` references are followed through each model's schemas; a reference that
 * comes back to a pair of schemas still being compared (a recursive schema) stops there.
 */
import type { Json } from '../../runtime-min/types.js'
import type { SourceLocation } from '../diagnostics/index.js'
import type { JsonSchemaDoc, SchemaModel } from '../model/types.js'

export type FindingKind =
  | 'required-field-added'
  | 'optional-field-added'
  | 'field-removed'
  | 'field-became-required'
  | 'field-became-optional'
  | 'type-narrowed'
  | 'type-widened'
  | 'type-changed'
  | 'nullable-added'
  | 'nullable-removed'
  | 'enum-narrowed'
  | 'enum-widened'
  | 'constraint-tightened'
  | 'constraint-loosened'
  | 'constraint-changed'
  | 'schema-changed'

export interface SchemaFinding {
  readonly kind: FindingKind
  /** `body.title`, `response[200].entry[].id`. */
  readonly field: string
  /** What changed, for people: `type string → integer`, `maxLength 200 → 100`. */
  readonly detail: string
  /** The schema the finding is in: head's, or base's for what was removed. */
  readonly location?: SourceLocation
}

/** One side of the comparison: a schema and the model schemas its references point to. */
export interface SchemaRoot {
  readonly document: JsonSchemaDoc
  readonly schemas: ReadonlyMap<string, SchemaModel>
  /** Where the root is written (the operation, for inline parameter schemas). */
  readonly location?: SourceLocation
}

type SchemaObject = { readonly [key: string]: Json }

interface Node {
  readonly schema: SchemaObject | boolean
  readonly location?: SourceLocation
  /** The model schema this node is the root of, for the cycle guard. */
  readonly key?: string
}

interface Walk {
  readonly base: ReadonlyMap<string, SchemaModel>
  readonly head: ReadonlyMap<string, SchemaModel>
  readonly findings: SchemaFinding[]
  /** `baseKey>headKey` pairs being compared right now (ancestors of the current node). */
  readonly comparing: Set<string>
}

/**
 * Keywords that document, or are reached through references: changing them makes no request invalid
 * and no response different in shape (`default` changes what an action receives, not what is valid).
 */
const ANNOTATIONS = new Set(['description', 'title', 'examples', 'example', '$comment', '$schema', '$id', 'default', 'deprecated', 'readOnly', 'writeOnly', 'definitions', '$defs'])
/** A larger value, or a newly set one, accepts less. */
const LOWER_BOUNDS = ['minimum', 'exclusiveMinimum', 'minLength', 'minItems', 'minProperties'] as const
/** A smaller value, or a newly set one, accepts less. */
const UPPER_BOUNDS = ['maximum', 'exclusiveMaximum', 'maxLength', 'maxItems', 'maxProperties'] as const
/** Setting one accepts less, dropping one accepts more, changing one does both. */
const RESTRICTIONS = ['pattern', 'format', 'multipleOf', 'uniqueItems'] as const
const ANALYSED = new Set<string>(['type', 'enum', 'const', 'properties', 'required', 'additionalProperties', 'items', '$ref', ...LOWER_BOUNDS, ...UPPER_BOUNDS, ...RESTRICTIONS])

const JSON_TYPES = ['array', 'boolean', 'integer', 'null', 'number', 'object', 'string'] as const

export function compareSchemas(base: SchemaRoot, head: SchemaRoot, field: string): SchemaFinding[] {
  const walk: Walk = { base: base.schemas, head: head.schemas, findings: [], comparing: new Set() }
  compareNodes(walk, { schema: base.document, ...located(base.location) }, { schema: head.document, ...located(head.location) }, field)
  return walk.findings
}

function located(location: SourceLocation | undefined): { location?: SourceLocation } {
  return location ? { location } : {}
}

function compareNodes(walk: Walk, baseRaw: Node, headRaw: Node, field: string): void {
  const base = deref(baseRaw, walk.base)
  const head = deref(headRaw, walk.head)
  const pair = `${base.key ?? ''}>${head.key ?? ''}`
  if ((base.key || head.key) && walk.comparing.has(pair)) return
  walk.comparing.add(pair)
  try {
    compareSchemaNodes(walk, base, head, field)
  } finally {
    walk.comparing.delete(pair)
  }
}

function compareSchemaNodes(walk: Walk, base: Node, head: Node, field: string): void {
  const found = (kind: FindingKind, detail: string) => walk.findings.push({ kind, field, detail, ...located(head.location) })
  const types = compareTypes(typesOf(base.schema), typesOf(head.schema))
  for (const [kind, detail] of types.findings) found(kind, detail)
  // Any JSON on one side: the type finding says everything; listing each field of the other side adds nothing.
  if (!types.comparable || acceptsAnything(base.schema) || acceptsAnything(head.schema)) return
  const b = asObject(base.schema)
  const h = asObject(head.schema)
  compareEnums(b, h, found)
  compareConstraints(b, h, found)
  for (const keyword of keywordsComparedWhole(b, h)) found('schema-changed', `${keyword} changed`)
  if (types.shared.has('object')) compareObjects(walk, { ...base, schema: b }, { ...head, schema: h }, field)
  if (types.shared.has('array') && isSchema(b.items) && isSchema(h.items)) {
    compareNodes(walk, child(base, b.items), child(head, h.items), `${field}[]`)
  }
}

/** Follows `$ref`s to the schema they name, keeping where that schema is written. */
function deref(node: Node, schemas: ReadonlyMap<string, SchemaModel>): Node {
  let current = node
  const seen = new Set<string>()
  for (;;) {
    const ref = typeof current.schema === 'object' ? current.schema.$ref : undefined
    const key = typeof ref === 'string' && ref.startsWith('#/definitions/') ? ref.slice('#/definitions/'.length) : undefined
    const target = key === undefined || seen.has(key) ? undefined : schemas.get(key)
    if (!target) return current
    seen.add(key!)
    current = { schema: target.document as SchemaObject | boolean, key: key!, ...located(target.location) }
  }
}

/** A sub-schema written in the same place as its parent (it is no model schema of its own). */
function child(parent: Node, schema: SchemaObject | boolean): Node {
  return { schema, ...located(parent.location) }
}

/** `true`, or a schema with nothing but annotations (Passthru content). */
function acceptsAnything(schema: SchemaObject | boolean): boolean {
  return schema === true || (typeof schema === 'object' && Object.keys(schema).every((keyword) => ANNOTATIONS.has(keyword)))
}

function asObject(schema: SchemaObject | boolean): SchemaObject {
  return typeof schema === 'object' ? schema : {}
}

function isSchema(value: Json | undefined): value is SchemaObject | boolean {
  return typeof value === 'boolean' || isSchemaObject(value)
}

/** The JSON types a schema accepts; `number` includes `integer`. */
function typesOf(schema: SchemaObject | boolean): Set<string> {
  if (schema === false) return new Set()
  if (schema === true) return new Set(JSON_TYPES)
  const declared = typeof schema.type === 'string' ? [schema.type] : Array.isArray(schema.type) ? schema.type.map(String) : undefined
  const inferred =
    declared ??
    (Array.isArray(schema.enum) ? schema.enum.map(jsonType) : 'const' in schema ? [jsonType(schema.const)] : undefined) ??
    (schema.properties || schema.required || schema.additionalProperties !== undefined ? ['object'] : schema.items ? ['array'] : [...JSON_TYPES])
  const types = new Set(inferred)
  if (types.has('number')) types.add('integer')
  return types
}

function jsonType(value: Json): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number'
  return typeof value
}

interface TypeComparison {
  readonly findings: readonly (readonly [FindingKind, string])[]
  /** The types both sides accept (their structure is compared further). */
  readonly shared: ReadonlySet<string>
  /** False when no value fits both: comparing keywords below would only repeat that. */
  readonly comparable: boolean
}

function compareTypes(base: Set<string>, head: Set<string>): TypeComparison {
  const removed = [...base].filter((t) => !head.has(t))
  const added = [...head].filter((t) => !base.has(t))
  const shared = new Set([...base].filter((t) => head.has(t) && t !== 'null'))
  const comparable = shared.size > 0 || (without(base, 'null').size === 0 && without(head, 'null').size === 0)
  const detail = `type ${describeTypes(base)} → ${describeTypes(head)}`
  // null alone has its own findings: "may now be null" is what a response reader needs to hear.
  if (removed.length === 0 && added.length === 1 && added[0] === 'null') return { findings: [['nullable-added', 'may now be null']], shared, comparable }
  if (added.length === 0 && removed.length === 1 && removed[0] === 'null') return { findings: [['nullable-removed', 'can no longer be null']], shared, comparable }
  const kind: FindingKind | undefined = removed.length > 0 && added.length > 0 ? 'type-changed' : removed.length > 0 ? 'type-narrowed' : added.length > 0 ? 'type-widened' : undefined
  return { findings: kind ? [[kind, detail]] : [], shared, comparable }
}

function without(types: Set<string>, type: string): Set<string> {
  return new Set([...types].filter((t) => t !== type))
}

/** `number` stands for the integer it includes; every type at once is `any`. */
function describeTypes(types: Set<string>): string {
  const named = [...types].filter((t) => !(t === 'integer' && types.has('number')))
  if (named.length === 0) return 'none'
  return named.length === JSON_TYPES.length - 1 ? 'any' : named.sort().join('|')
}

type Found = (kind: FindingKind, detail: string) => void

function compareEnums(base: SchemaObject, head: SchemaObject, found: Found): void {
  const before = enumValues(base)
  const after = enumValues(head)
  if (!before && !after) return
  if (!before) return found('enum-narrowed', `now limited to ${list(after!)}`)
  if (!after) return found('enum-widened', `no longer limited to ${list(before)}`)
  const removed = before.filter((v) => !after.includes(v))
  const added = after.filter((v) => !before.includes(v))
  if (removed.length > 0) found('enum-narrowed', `${list(removed)} removed`)
  if (added.length > 0) found('enum-widened', `${list(added)} added`)
}

/** Enum (or const) values as canonical JSON, so `1` and `"1"` stay apart. */
function enumValues(schema: SchemaObject): string[] | undefined {
  if (Array.isArray(schema.enum)) return schema.enum.map(canonical)
  return 'const' in schema ? [canonical(schema.const)] : undefined
}

function list(values: readonly string[]): string {
  return values.join(', ')
}

function compareConstraints(base: SchemaObject, head: SchemaObject, found: Found): void {
  const bound = (keyword: string, tighter: (before: number, after: number) => boolean) => {
    const before = base[keyword]
    const after = head[keyword]
    if (before === after) return
    if (!isOptionalNumber(before) || !isOptionalNumber(after)) return found('constraint-changed', change(keyword, before, after))
    const tightened = before === undefined || (after !== undefined && tighter(before, after))
    found(tightened ? 'constraint-tightened' : 'constraint-loosened', change(keyword, before, after))
  }
  for (const keyword of LOWER_BOUNDS) bound(keyword, (before, after) => after > before)
  for (const keyword of UPPER_BOUNDS) bound(keyword, (before, after) => after < before)
  for (const keyword of RESTRICTIONS) {
    const before = restriction(base, keyword)
    const after = restriction(head, keyword)
    if (canonical(before) === canonical(after)) continue
    const kind = before === undefined ? 'constraint-tightened' : after === undefined ? 'constraint-loosened' : 'constraint-changed'
    found(kind, change(keyword, before, after))
  }
  const closedBefore = base.additionalProperties === false
  const closedAfter = head.additionalProperties === false
  if (closedBefore !== closedAfter) {
    found(closedAfter ? 'constraint-tightened' : 'constraint-loosened', closedAfter ? 'properties not listed are no longer allowed' : 'properties not listed are now allowed')
  }
}

/** `uniqueItems: false` restricts nothing, like leaving it out. */
function restriction(schema: SchemaObject, keyword: string): Json | undefined {
  const value = schema[keyword]
  return keyword === 'uniqueItems' && value === false ? undefined : value
}

function isOptionalNumber(value: Json | undefined): value is number | undefined {
  return value === undefined || typeof value === 'number'
}

function change(keyword: string, before: Json | undefined, after: Json | undefined): string {
  const show = (value: Json | undefined) => (value === undefined ? 'unset' : canonical(value))
  return `${keyword} ${show(before)} → ${show(after)}`
}

/** Changed keywords this module does not analyse (allOf, oneOf, patternProperties…): any change counts. */
function keywordsComparedWhole(base: SchemaObject, head: SchemaObject): string[] {
  const comparedWhole = (keyword: string): boolean => {
    if (ANNOTATIONS.has(keyword)) return false
    // Only `additionalProperties: false` is analysed (as a constraint); a schema there is compared whole.
    if (keyword === 'additionalProperties') return isSchemaObject(base[keyword]) || isSchemaObject(head[keyword])
    // Only one `items` schema for every element is analysed; tuples are compared whole.
    if (keyword === 'items') return Array.isArray(base[keyword]) || Array.isArray(head[keyword])
    return !ANALYSED.has(keyword)
  }
  return [...new Set([...Object.keys(base), ...Object.keys(head)])]
    .filter((keyword) => comparedWhole(keyword) && canonical(base[keyword]) !== canonical(head[keyword]))
    .sort()
}

function isSchemaObject(value: Json | undefined): value is SchemaObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function compareObjects(walk: Walk, base: Node & { schema: SchemaObject }, head: Node & { schema: SchemaObject }, field: string): void {
  const baseProperties = propertiesOf(base.schema)
  const headProperties = propertiesOf(head.schema)
  const baseRequired = requiredOf(base.schema)
  const headRequired = requiredOf(head.schema)
  const names = [...new Set([...Object.keys(baseProperties), ...Object.keys(headProperties)])].sort()
  for (const name of names) {
    const path = `${field}.${name}`
    const at = (node: Node) => ({ field: path, ...located(node.location) })
    const before = baseProperties[name]
    const after = headProperties[name]
    if (after === undefined) {
      walk.findings.push({ kind: 'field-removed', detail: `${baseRequired.has(name) ? 'required' : 'optional'} field "${name}" removed`, ...at(base) })
      continue
    }
    if (before === undefined) {
      const required = headRequired.has(name)
      walk.findings.push({ kind: required ? 'required-field-added' : 'optional-field-added', detail: `${required ? 'required' : 'optional'} field "${name}" added`, ...at(head) })
      continue
    }
    if (baseRequired.has(name) !== headRequired.has(name)) {
      const required = headRequired.has(name)
      walk.findings.push({ kind: required ? 'field-became-required' : 'field-became-optional', detail: `"${name}" is now ${required ? 'required' : 'optional'}`, ...at(head) })
    }
    compareNodes(walk, child(base, before), child(head, after), path)
  }
}

function propertiesOf(schema: SchemaObject): Record<string, SchemaObject | boolean> {
  const properties = schema.properties
  if (typeof properties !== 'object' || properties === null || Array.isArray(properties)) return {}
  return Object.fromEntries(Object.entries(properties).filter((entry): entry is [string, SchemaObject | boolean] => isSchema(entry[1])))
}

function requiredOf(schema: SchemaObject): Set<string> {
  return new Set(Array.isArray(schema.required) ? schema.required.map(String) : [])
}

/** JSON with sorted keys: equal values give equal text whatever their key order. */
function canonical(value: Json | undefined): string {
  if (value === undefined) return 'undefined'
  return JSON.stringify(value, (_key, v: Json) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v,
  )
}
