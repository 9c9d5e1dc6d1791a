/**
 * buildModel(resolved) → Model: gives every schema, operation and action its identifier stem,
 * sorts every list by name and deep-freezes the result. Same input, same Model, byte for byte.
 */
import type { StageResult } from '../diagnostics/index.js'
import type { ResolvedManifest } from '../resolve/index.js'
import { NameRegistry } from './names.js'
import type { ActionModel, ConnectionModel, Model, OperationModel, SchemaModel } from './types.js'

export type * from './types.js'
export { pascalCase } from './names.js'

/** Suffixes that emitters append to an operation's stem. */
export const OPERATION_SUFFIXES = ['Request', 'Params', 'Query', 'Body', 'Response'] as const

export function buildModel(resolved: ResolvedManifest): StageResult<Model> {
  const names = new NameRegistry()
  const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
  const schemas: SchemaModel[] = [...resolved.schemas]
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((s) => ({ ...s, typeName: names.claim(s.key) }))
  const operations: OperationModel[] = [...resolved.operations]
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((op) => ({ ...op, typeName: names.claim(op.id, OPERATION_SUFFIXES) }))
  const actions: ActionModel[] = [...resolved.actions].sort(byName).map(({ definition: _d, plainConfig: _p, ...action }) => ({
    ...action,
    typeName: names.claim(action.name.replace(/^file:\/\/(.*\/)?/, '').replace(/\.[a-z]+$/, ''), ['Handler']),
    operations: operations.filter((op) => op.action === action.name).map((op) => op.id),
  }))
  const connections: ConnectionModel[] = [...resolved.connections].sort(byName).map(({ definition: _d, ...c }) => c)
  const model: Model = {
    manifestFile: resolved.manifestFile,
    service: resolved.service,
    operations,
    schemas,
    actions,
    connections,
    migrations: [...resolved.migrations].sort((a, b) => (a.connection < b.connection ? -1 : 1)),
    scopes: [...resolved.scopes].sort(byName),
    rates: resolved.product.rates,
    ...(resolved.product.cors ? { cors: resolved.product.cors } : {}),
    ...(resolved.product.product ? { product: resolved.product.product } : {}),
    env: resolved.env,
  }
  return { value: deepFreeze(model), diagnostics: [] }
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const child of Object.values(value)) deepFreeze(child)
  }
  return value
}
