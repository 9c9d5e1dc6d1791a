/**
 * operationGroups(model) → the operations in review units: a group is the operation id up to its last
 * dot (`todo.getAll` → `todo`, `product.category.list` → `product.category`, the legacy era's
 * `v1.product.id.get` → `v1.product.id`, one version of one route). An id without a dot joins the group
 * of its path's first literal segment (`hello` on `/hello/:name` → `hello`), or `root` when the path
 * has none. Groups come sorted by name, their operations by id: every emitter lists operations so.
 */
import type { Model, OperationModel } from '../model/types.js'
import { pascalCase } from '../model/names.js'

/** The group of an id without a dot whose path has no literal segment (`/`, `/:id`). */
const DEFAULT_GROUP = 'root'

export interface OperationGroup {
  /** `todo`, `product.category`. */
  readonly name: string
  /** File stem under operations/: the name with `-` for its dots (no `.d.ts`, `.test.ts` lookalikes). */
  readonly file: string
  /** The group's exported route table in its file, e.g. `todoRoutes`. */
  readonly identifier: string
  readonly operations: readonly OperationModel[]
}

/** Built once per model: every emitter asks. */
const groupsByModel = new WeakMap<Model, readonly OperationGroup[]>()

export function operationGroups(model: Model): readonly OperationGroup[] {
  let groups = groupsByModel.get(model)
  if (!groups) {
    groups = buildGroups(model)
    groupsByModel.set(model, groups)
  }
  return groups
}

/** Every operation, by group then id. */
export function operationsInOrder(model: Model): readonly OperationModel[] {
  return operationGroups(model).flatMap((group) => group.operations)
}

function groupName(operation: OperationModel): string {
  const dot = operation.id.lastIndexOf('.')
  if (dot > 0) return operation.id.slice(0, dot)
  const literal = operation.path.split('/').find((segment) => segment !== '' && !/^[:$*]/.test(segment))
  return literal?.replace(/[^A-Za-z0-9_]/g, '_') || DEFAULT_GROUP
}

function buildGroups(model: Model): OperationGroup[] {
  const byName = new Map<string, OperationModel[]>()
  for (const operation of model.operations) {
    const name = groupName(operation)
    const members = byName.get(name)
    if (members) members.push(operation)
    else byName.set(name, [operation])
  }
  const files = new Unique()
  const identifiers = new Unique()
  return [...byName.keys()].sort(compareText).map((name) => {
    const pascal = pascalCase(name)
    return {
      name,
      file: files.claim(name.replace(/\./g, '-').replace(/[^A-Za-z0-9_-]/g, '_'), '-'),
      identifier: `${identifiers.claim(`${pascal[0].toLowerCase()}${pascal.slice(1)}`, '')}Routes`,
      operations: byName.get(name)!.sort((a, b) => compareText(a.id, b.id)),
    }
  })
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** Hands out names unique even where case does not count (file systems of macOS and Windows). */
class Unique {
  private readonly taken = new Set<string>()

  claim(base: string, separator: string): string {
    for (let n = 1; ; n++) {
      const name = n === 1 ? base : `${base}${separator}${n}`
      if (!this.taken.has(name.toLowerCase())) {
        this.taken.add(name.toLowerCase())
        return name
      }
    }
  }
}
