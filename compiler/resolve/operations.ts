/**
 * Both manifest eras → operations. `operation:` (Fusio 4+) maps one-to-one; legacy `routes:` expand
 * to one operation per version and method, served under /v{N} and (newest version) unprefixed.
 */
import type { Json } from '../../runtime-min/types.js'
import { diagnostic, didYouMean, type Diagnostic, type SourceLocation } from '../diagnostics/index.js'
import { entry, toPlain, type LMap, type LNode } from '../load/index.js'
import type { HttpMethod, JsonSchemaDoc, OperationModel, PathParameter, ResponseModel, SchemaUse, Stability } from '../model/types.js'
import type { ResolvedAction } from './actions.js'
import { findTemplate, scalarOf, stringValue } from './values.js'
import { isReservedPath, parsePath, routeShape } from './paths.js'

export type ResolvedOperation = Omit<OperationModel, 'typeName'>

export interface OperationInputs {
  readonly root: LMap
  readonly basePath: string
  readonly schemaKeys: ReadonlySet<string>
  /** The declared actions that resolved without errors. */
  readonly actions: ReadonlyMap<string, ResolvedAction>
  /** Creates the action behind a `file://path` or `http(s)://url` reference (shared by every operation that names it). */
  readonly referencedAction: (reference: LNode) => ResolvedAction | undefined
}

/** What one operation says, in either era, before it is checked. */
interface OperationSource {
  readonly id: string
  readonly idLoc: SourceLocation
  readonly method: HttpMethod
  readonly path: string
  readonly pathNode: LNode
  readonly urlPrefixes: readonly string[]
  readonly httpCode: number
  readonly public: boolean
  readonly scopes: readonly string[]
  readonly active: boolean
  readonly stability?: Stability
  readonly warning?: string
  readonly description?: string
  readonly parameters?: LNode
  readonly incoming?: LNode
  readonly responses: readonly { status: number; node?: LNode }[]
  readonly action?: LNode
  readonly location: SourceLocation
}

const STABILITY: readonly Stability[] = ['deprecated', 'experimental', 'stable', 'legacy']
const BODY_METHODS = new Set<HttpMethod>(['POST', 'PUT', 'PATCH'])
const SIMPLE_TYPES = new Set(['string', 'integer', 'number', 'boolean'])

export function resolveOperations(inputs: OperationInputs): { operations: ResolvedOperation[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = []
  const sources = [...operationEra(inputs.root, diagnostics), ...routesEra(inputs.root, diagnostics)]
  const operations: ResolvedOperation[] = []
  const ids = new Map<string, SourceLocation>()
  const routes = new Map<string, string>()
  for (const source of sources) {
    if (ids.has(source.id)) {
      diagnostics.push(diagnostic('FUSIO_RESOLVE_DUPLICATE_OPERATION_ID', { id: source.id }, source.idLoc))
      continue
    }
    ids.set(source.id, source.idLoc)
    const operation = resolveOperation(source, inputs, diagnostics)
    if (!operation) continue
    for (const url of operation.urls) {
      const key = `${operation.method} ${routeShape(url)}`
      const other = routes.get(key)
      if (other) diagnostics.push(diagnostic('FUSIO_RESOLVE_DUPLICATE_ROUTE', { method: operation.method, path: url, other: `operation "${other}"` }, source.pathNode.loc))
      else routes.set(key, operation.id)
    }
    operations.push(operation)
  }
  return { operations, diagnostics }
}

function operationEra(root: LMap, diagnostics: Diagnostic[]): OperationSource[] {
  const section = entry(root, 'operation')?.value
  if (section?.kind !== 'map') return []
  const out: OperationSource[] = []
  for (const op of section.entries) {
    if (op.value.kind !== 'map') continue
    const get = (key: string) => entry(op.value as LMap, key)?.value
    if (!/^[A-Za-z0-9_.]{3,64}$/.test(op.key)) {
      diagnostics.push(diagnostic('FUSIO_RESOLVE_INVALID_VALUE', { where: `operation "${op.key}"`, problem: 'has an id that is not 3–64 characters of A-Z, a-z, 0-9, _ and .' }, op.keyLoc))
      continue
    }
    const method = stringValue(get('httpMethod')) as HttpMethod | undefined
    const pathNode = get('httpPath')
    const path = stringValue(pathNode)
    if (!method || !path || !pathNode) continue
    const stability = scalarOf(get('stability'))
    const throws = get('throws')
    const httpCode = Number(scalarOf(get('httpCode')) ?? 200)
    out.push({
      id: op.key,
      idLoc: op.keyLoc,
      method,
      path,
      pathNode,
      urlPrefixes: [''],
      httpCode,
      public: scalarOf(get('public')) === true,
      scopes: stringList(get('scopes')),
      active: scalarOf(get('active')) !== false,
      ...(typeof stability === 'number' ? { stability: STABILITY[stability] } : {}),
      ...optionalString('description', get('description')),
      ...(get('parameters') ? { parameters: get('parameters') } : {}),
      ...(get('incoming') ? { incoming: get('incoming') } : {}),
      responses: [
        { status: httpCode, ...(get('outgoing') ? { node: get('outgoing') } : {}) },
        ...(throws?.kind === 'map' ? throws.entries.map((t) => ({ status: Number(t.key), node: t.value })) : []),
      ],
      ...(get('action') ? { action: get('action') } : {}),
      location: op.keyLoc,
    })
  }
  return out
}

const LEGACY_STATUS: Record<number, { active: boolean; warning?: string }> = {
  1: { active: true },
  2: { active: true, warning: '199 fusio "Resource is deprecated"' },
  3: { active: false },
  4: { active: true, warning: '199 fusio "Resource is in development"' },
}

function routesEra(root: LMap, diagnostics: Diagnostic[]): OperationSource[] {
  const section = entry(root, 'routes')?.value
  if (section?.kind !== 'map') return []
  const out: OperationSource[] = []
  for (const route of section.entries) {
    const versions = route.value.kind === 'seq' ? route.value.items : [route.value]
    const numbers = versions.map((v, i) => (v.kind === 'map' ? Number(scalarOf(entry(v, 'version')?.value) ?? i + 1) : 0))
    const newest = Math.max(...numbers)
    versions.forEach((version, index) => {
      if (version.kind !== 'map') return
      const number = numbers[index]
      const status = Number(scalarOf(entry(version, 'status')?.value) ?? 4)
      const { active, warning } = LEGACY_STATUS[status] ?? LEGACY_STATUS[4]
      const versionScopes = stringList(entry(version, 'scopes')?.value)
      const methods = entry(version, 'methods')?.value
      if (methods?.kind !== 'map') return
      for (const m of methods.entries) {
        if (m.value.kind !== 'map') continue
        const get = (key: string) => entry(m.value as LMap, key)?.value
        const method = m.key.toUpperCase() as HttpMethod
        const responses = get('responses')
        const id = stringValue(get('operationId')) ?? legacyId(number, route.key, method)
        out.push({
          id,
          idLoc: get('operationId')?.loc ?? m.keyLoc,
          method,
          path: route.key,
          pathNode: { kind: 'scalar', loc: route.keyLoc, value: route.key },
          urlPrefixes: number === newest ? [`/v${number}`, ''] : [`/v${number}`],
          httpCode: 200,
          public: scalarOf(get('public')) !== false,
          scopes: [...new Set([...versionScopes, ...stringList(get('scopes'))])],
          active: active && scalarOf(get('active')) !== false,
          ...(warning ? { warning } : {}),
          ...optionalString('description', get('description')),
          ...(get('parameters') ? { parameters: get('parameters') } : {}),
          ...(get('request') ? { incoming: get('request') } : {}),
          responses:
            responses?.kind === 'map'
              ? responses.entries.map((r) => ({ status: Number(r.key), node: r.value }))
              : [{ status: 200, ...(get('response') ? { node: get('response') } : {}) }],
          ...(get('action') ? { action: get('action') } : {}),
          location: m.keyLoc,
        })
      }
    })
  }
  if (section.entries.length > 0 && out.length === 0) {
    diagnostics.push(diagnostic('FUSIO_RESOLVE_NO_OPERATIONS', {}, section.loc))
  }
  return out
}

function legacyId(version: number, path: string, method: HttpMethod): string {
  const segments = path
    .split('/')
    .filter(Boolean)
    .map((s) => s.replace(/^[:$*]/, '').replace(/<.*>$/, '').replace(/[^A-Za-z0-9_]/g, '_'))
  return [`v${version}`, ...(segments.length > 0 ? segments : ['root']), method.toLowerCase()].join('.').slice(0, 64)
}

function resolveOperation(source: OperationSource, inputs: OperationInputs, diagnostics: Diagnostic[]): ResolvedOperation | undefined {
  const where = `operation "${source.id}"`
  const before = diagnostics.length
  // An `http(s)://` action reference is the config of the action it stands for: its URL may read the environment.
  const urlReference = /^https?:\/\//.test(stringValue(source.action) ?? '')
  const templated = [source.pathNode, source.incoming, source.parameters, urlReference ? undefined : source.action].find((n) => n && findTemplate(n))
  if (templated) {
    diagnostics.push(
      diagnostic('FUSIO_RESOLVE_INVALID_VALUE', { where, problem: 'may use ${…} placeholders only in action and connection config and http(s):// action URLs' }, templated.loc),
    )
    return undefined
  }
  const parsed = parsePath(source.path)
  if (!parsed.ok) {
    diagnostics.push(diagnostic('FUSIO_RESOLVE_INVALID_PATH', { path: source.path, problem: parsed.problem }, source.pathNode.loc))
    return undefined
  }
  if (isReservedPath(source.path)) diagnostics.push(diagnostic('FUSIO_RESOLVE_RESERVED_PATH', { path: source.path }, source.pathNode.loc))

  const { params, query } = parameterSchemas(source, parsed.path.parameters, inputs, diagnostics)
  const body = bodyOf(source, inputs, diagnostics)
  const responses: ResponseModel[] = []
  for (const response of source.responses) {
    if (responses.some((r) => r.status === response.status)) continue
    const schema = response.node ? schemaUse(response.node, inputs.schemaKeys, diagnostics) : { kind: 'passthru' as const }
    if (schema) responses.push({ status: response.status, schema })
  }
  const action = actionOf(source, inputs, diagnostics)
  if (action?.definition.readsId && !parsed.path.parameters.some((p) => p.name === 'id') && !queryDeclares(source, 'id')) {
    diagnostics.push(diagnostic('FUSIO_RESOLVE_ID_ARGUMENT', { operation: source.id, kind: action.class }, source.action?.loc ?? source.location))
  }
  if (!source.public && source.scopes.length === 0) {
    diagnostics.push(diagnostic('FUSIO_RESOLVE_UNREACHABLE_OPERATION', { operation: source.id }, source.location))
  }
  if (!action || diagnostics.slice(before).some((d) => d.severity === 'error')) return undefined
  const urls = source.urlPrefixes.map((prefix) => `${inputs.basePath}${prefix}${parsed.path.url === '/' && prefix ? '' : parsed.path.url}`)
  return {
    id: source.id,
    method: source.method,
    path: source.path,
    urls,
    pathParameters: parsed.path.parameters,
    httpCode: source.httpCode,
    public: source.public,
    scopes: source.scopes,
    active: source.active,
    ...(source.stability ? { stability: source.stability } : {}),
    ...(source.warning ? { warning: source.warning } : {}),
    ...(source.description ? { description: source.description } : {}),
    ...(params ? { params } : {}),
    ...(query ? { query } : {}),
    ...(body ? { body } : {}),
    responses,
    action: action.name,
    location: source.location,
  }
}

function queryDeclares(source: OperationSource, name: string): boolean {
  return source.parameters?.kind === 'map' && entry(source.parameters, name) !== undefined
}

/** Path parameters are strings unless `parameters` types them; every other parameter is a query parameter. */
function parameterSchemas(
  source: OperationSource,
  pathParameters: readonly PathParameter[],
  inputs: OperationInputs,
  diagnostics: Diagnostic[],
): { params?: JsonSchemaDoc; query?: JsonSchemaDoc } {
  const declared = new Map<string, { schema: Record<string, Json>; required: boolean; loc: SourceLocation }>()
  const parameters = source.parameters
  if (parameters?.kind === 'map') {
    for (const p of parameters.entries) {
      const plain = toPlain(p.value)
      if (plain === null || typeof plain !== 'object' || Array.isArray(plain)) {
        diagnostics.push(diagnostic('FUSIO_RESOLVE_PARAMETER_CONFLICT', { operation: source.id, name: p.key, problem: 'must be a JSON Schema object' }, p.value.loc))
        continue
      }
      const { required, ...schema } = plain as Record<string, Json>
      declared.set(p.key, { schema, required: required === true, loc: p.value.loc })
    }
  } else if (parameters?.kind === 'scalar' && typeof parameters.value === 'string') {
    // Legacy era: a schema whose properties are the query parameters.
    schemaUse(parameters, inputs.schemaKeys, diagnostics)
    const named = inputs.root.entries.find((e) => e.key === 'schema')?.value
    const node = named?.kind === 'map' ? entry(named, parameters.value)?.value : undefined
    const plain = node ? (toPlain(node) as { properties?: Record<string, Json>; required?: string[] }) : undefined
    for (const [name, schema] of Object.entries(plain?.properties ?? {})) {
      declared.set(name, { schema: schema as Record<string, Json>, required: plain?.required?.includes(name) ?? false, loc: parameters.loc })
    }
  }
  const paramProperties: Record<string, Json> = {}
  for (const p of pathParameters) {
    const typed = declared.get(p.name)
    if (typed) {
      declared.delete(p.name)
      if (typeof typed.schema.type !== 'string' || !SIMPLE_TYPES.has(typed.schema.type)) {
        diagnostics.push(diagnostic('FUSIO_RESOLVE_PARAMETER_CONFLICT', { operation: source.id, name: p.name, problem: 'is a path parameter, so its type must be string, integer, number or boolean' }, typed.loc))
      }
      paramProperties[p.name] = typed.schema
    } else {
      paramProperties[p.name] = { type: 'string', ...(p.pattern ? { pattern: `^${p.pattern}$` } : {}) }
    }
  }
  const actionName = stringValue(source.action)
  const action = actionName ? inputs.actions.get(actionName) : undefined
  const fromAction = action?.definition.queryParameters?.(action.plainConfig) ?? {}
  const queryProperties: Record<string, Json> = {}
  const required: string[] = []
  for (const [name, schema] of Object.entries(fromAction)) {
    if (!pathParameters.some((p) => p.name === name)) queryProperties[name] = schema as Json
  }
  for (const [name, p] of declared) {
    queryProperties[name] = p.schema
    if (p.required) required.push(name)
  }
  const names = Object.keys(paramProperties)
  return {
    ...(names.length > 0 ? { params: { type: 'object', properties: paramProperties, required: names, additionalProperties: false } } : {}),
    ...(Object.keys(queryProperties).length > 0
      ? { query: { type: 'object', properties: sortKeys(queryProperties), ...(required.length > 0 ? { required: required.sort() } : {}) } }
      : {}),
  }
}

function sortKeys(record: Record<string, Json>): Record<string, Json> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
}

function bodyOf(source: OperationSource, inputs: OperationInputs, diagnostics: Diagnostic[]): SchemaUse | undefined {
  if (!BODY_METHODS.has(source.method)) {
    if (source.incoming) {
      diagnostics.push(diagnostic('FUSIO_RESOLVE_INVALID_VALUE', { where: `operation "${source.id}"`, problem: `declares a request body, but ${source.method} requests carry none (only POST, PUT and PATCH do)` }, source.incoming.loc))
    }
    return undefined
  }
  return source.incoming ? schemaUse(source.incoming, inputs.schemaKeys, diagnostics) : { kind: 'passthru' }
}

/** A schema reference: a name, `schema://Name`, `Passthru`, or `mime://application/json`. */
export function schemaUse(node: LNode, keys: ReadonlySet<string>, diagnostics: Diagnostic[]): SchemaUse | undefined {
  const raw = stringValue(node)
  if (raw === undefined) {
    diagnostics.push(diagnostic('FUSIO_RESOLVE_INVALID_VALUE', { where: 'a schema reference', problem: 'must be a schema name' }, node.loc))
    return undefined
  }
  const name = raw.startsWith('schema://') ? raw.slice(9) : raw
  if (name === 'Passthru' || /^mime:\/\/application\/(.+\+)?json$/.test(raw)) return { kind: 'passthru' }
  if (keys.has(name)) return { kind: 'schema', key: name }
  diagnostics.push(diagnostic('FUSIO_RESOLVE_UNKNOWN_SCHEMA', { name: raw }, node.loc, didYouMean(name, [...keys, 'Passthru'])))
  return undefined
}

function actionOf(source: OperationSource, inputs: OperationInputs, diagnostics: Diagnostic[]): ResolvedAction | undefined {
  const node = source.action
  const name = stringValue(node)
  if (!node || name === undefined) {
    diagnostics.push(diagnostic('FUSIO_RESOLVE_MISSING_KEY', { where: `operation "${source.id}"`, key: 'action' }, source.location))
    return undefined
  }
  if (/^(file|https?):\/\//.test(name)) return inputs.referencedAction(node)
  const action = inputs.actions.get(name)
  // A declared action that did not resolve has reported its own errors already.
  const declared = inputs.root.entries.find((e) => e.key === 'action')?.value
  const reported = declared?.kind === 'map' && entry(declared, name) !== undefined
  if (!action && !reported) diagnostics.push(diagnostic('FUSIO_RESOLVE_UNKNOWN_ACTION', { name }, node.loc, didYouMean(name, inputs.actions.keys())))
  return action
}

function stringList(node: LNode | undefined): string[] {
  if (node?.kind !== 'seq') return []
  return node.items.flatMap((item) => (item.kind === 'scalar' && typeof item.value === 'string' ? [item.value] : []))
}

function optionalString<K extends string>(key: K, node: LNode | undefined): Partial<Record<K, string>> {
  const value = stringValue(node)
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>)
}
