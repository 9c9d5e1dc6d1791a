/**
 * diffOperations(base, head) → the API changes between two models' operations.
 * Operations are matched by id; one that only changed its id (same method and URLs) is matched as a
 * rename. Request and response schemas are compared by schemas.ts and named by classification.ts.
 */
import type { JsonSchemaDoc, Model, OperationModel, ResponseModel, SchemaModel, SchemaUse } from '../model/types.js'
import { routeShape } from '../resolve/paths.js'
import { apiChange, type ApiChange, type ChangeCode } from './changes.js'
import { classify, type SchemaRole } from './classification.js'
import { compareSchemas, type SchemaRoot } from './schemas.js'

interface Side {
  readonly operation: OperationModel
  readonly schemas: ReadonlyMap<string, SchemaModel>
  /** Left out of URLs: a changed base path is reported once for the service. */
  readonly basePath: string
}

export function diffOperations(base: Model, head: Model): ApiChange[] {
  const changes: ApiChange[] = []
  const baseSchemas = new Map(base.schemas.map((s) => [s.key, s]))
  const headSchemas = new Map(head.schemas.map((s) => [s.key, s]))
  const side = (model: Model, schemas: ReadonlyMap<string, SchemaModel>) => (operation: OperationModel): Side => ({ operation, schemas, basePath: model.service.basePath })
  const { pairs, removed, added } = matchOperations(base.operations.map(side(base, baseSchemas)), head.operations.map(side(head, headSchemas)))
  for (const { operation } of removed) {
    changes.push(apiChange('operation-removed', { operation: operation.id, message: `${describe(operation)} removed`, location: operation.location }))
  }
  for (const { operation } of added) {
    changes.push(apiChange('operation-added', { operation: operation.id, message: `${describe(operation)} added`, location: operation.location }))
  }
  for (const [before, after] of pairs) changes.push(...compareOperations(before, after))
  return changes
}

function describe(operation: OperationModel): string {
  return `${operation.method} ${operation.path}`
}

/** The URLs an operation answers below the base path, whatever its path parameters are called. */
function urlShape(side: Side): string {
  return side.operation.urls.map((url) => routeShape(url.startsWith(side.basePath) ? url.slice(side.basePath.length) : url)).sort().join(' ')
}

function matchOperations(base: readonly Side[], head: readonly Side[]) {
  const headIds = new Set(head.map((s) => s.operation.id))
  const baseById = new Map(base.map((s) => [s.operation.id, s]))
  const unmatched = base.filter((s) => !headIds.has(s.operation.id))
  const pairs: [Side, Side][] = []
  const added: Side[] = []
  for (const side of head) {
    const renamed = () => unmatched.find((s) => s.operation.method === side.operation.method && urlShape(s) === urlShape(side))
    const before = baseById.get(side.operation.id) ?? renamed()
    if (!before) {
      added.push(side)
      continue
    }
    pairs.push([before, side])
    if (before.operation.id !== side.operation.id) unmatched.splice(unmatched.indexOf(before), 1)
  }
  return { pairs, removed: unmatched, added }
}

function compareOperations(base: Side, head: Side): ApiChange[] {
  const before = base.operation
  const after = head.operation
  const changes: ApiChange[] = []
  const add = (code: ChangeCode, message: string, field?: string) =>
    changes.push(apiChange(code, { operation: after.id, ...(field ? { field } : {}), message, location: after.location }))

  if (before.id !== after.id) add('operation-renamed', `renamed from ${before.id}`)
  if (before.method !== after.method) add('method-changed', `method ${before.method} → ${after.method}`)
  if (urlShape(base) !== urlShape(head)) add('path-changed', `path ${before.path} → ${after.path}`)
  else if (before.path !== after.path) add('path-parameter-renamed', `path ${before.path} → ${after.path}`)
  if (before.httpCode !== after.httpCode) add('success-status-changed', `success status ${before.httpCode} → ${after.httpCode}`)
  if (before.active !== after.active) add(after.active ? 'operation-activated' : 'operation-deactivated', after.active ? 'active again' : 'no longer active (answers 410)')
  if (before.public !== after.public) add(after.public ? 'private-to-public' : 'public-to-private', after.public ? 'now public' : 'now needs an access token')
  // Scopes only gate private operations, and any one of them is enough.
  if (!before.public && !after.public) {
    for (const scope of after.scopes.filter((s) => !before.scopes.includes(s))) add('scope-added', `also accepts scope "${scope}"`)
    for (const scope of before.scopes.filter((s) => !after.scopes.includes(s))) add('scope-removed', `no longer accepts scope "${scope}"`)
  }
  if (before.stability !== after.stability) {
    const message = `stability ${before.stability ?? 'unset'} → ${after.stability ?? 'unset'}`
    add(after.stability === 'deprecated' ? 'deprecated' : 'stability-changed', message)
  }
  changes.push(...compareParameters(base, head, 'query'))
  // Path parameters that match differently are part of path-changed.
  if (urlShape(base) === urlShape(head)) changes.push(...compareParameters(base, head, 'path'))
  if (before.body && after.body) changes.push(...compareUses(base, head, before.body, after.body, 'body', 'body'))
  changes.push(...compareResponses(base, head))
  return changes
}

function compareParameters(base: Side, head: Side, role: 'query' | 'path'): ApiChange[] {
  const document = (side: Side): JsonSchemaDoc => (role === 'query' ? side.operation.query : side.operation.params) ?? { type: 'object', properties: {} }
  return schemaChanges(head, compareRoots(base, head, document(base), document(head), role), role)
}

function compareResponses(base: Side, head: Side): ApiChange[] {
  const success = (side: Side) => side.operation.responses.find((r) => r.status === side.operation.httpCode) ?? side.operation.responses[0]
  const errors = (side: Side) => new Map(side.operation.responses.filter((r) => r !== success(side)).map((r) => [r.status, r]))
  const changes: ApiChange[] = []
  const baseSuccess = success(base)
  const headSuccess = success(head)
  if (baseSuccess && headSuccess) changes.push(...compareResponse(base, head, baseSuccess, headSuccess))
  const baseErrors = errors(base)
  const headErrors = errors(head)
  for (const [status, response] of headErrors) {
    const before = baseErrors.get(status)
    if (before) changes.push(...compareResponse(base, head, before, response))
    else changes.push(apiChange('response-status-added', { operation: head.operation.id, field: `response[${status}]`, message: `may answer ${status}`, location: head.operation.location }))
  }
  for (const status of baseErrors.keys()) {
    if (headErrors.has(status)) continue
    changes.push(apiChange('response-status-removed', { operation: head.operation.id, field: `response[${status}]`, message: `no longer declares ${status}`, location: head.operation.location }))
  }
  return changes
}

function compareResponse(base: Side, head: Side, before: ResponseModel, after: ResponseModel): ApiChange[] {
  return compareUses(base, head, before.schema, after.schema, 'response', `response[${after.status}]`)
}

function compareUses(base: Side, head: Side, before: SchemaUse, after: SchemaUse, role: SchemaRole, field: string): ApiChange[] {
  return schemaChanges(head, compareRoots(base, head, useDocument(before), useDocument(after), field), role)
}

/** Passthru content is any JSON: the schema `true`. */
function useDocument(use: SchemaUse): JsonSchemaDoc {
  return use.kind === 'passthru' ? true : { $ref: `#/definitions/${use.key}` }
}

function compareRoots(base: Side, head: Side, before: JsonSchemaDoc, after: JsonSchemaDoc, field: string) {
  const root = (side: Side, document: JsonSchemaDoc): SchemaRoot => ({ document, schemas: side.schemas, location: side.operation.location })
  return compareSchemas(root(base, before), root(head, after), field)
}

function schemaChanges(head: Side, findings: ReturnType<typeof compareSchemas>, role: SchemaRole): ApiChange[] {
  return findings.flatMap((finding) => {
    const code = classify(finding, role)
    if (!code) return []
    const location = finding.location ?? head.operation.location
    return [apiChange(code, { operation: head.operation.id, field: finding.field, message: finding.detail, location })]
  })
}
