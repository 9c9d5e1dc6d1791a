/**
 * buildOperationIndex(model) → which operations a line of generated code names. Directly: by id
 * (`todo.getAll`, quoted or in a comment) or by an identifier built from its stem
 * (`validateTodoGetAllQuery`). Indirectly: by its action's name, or by the stem or key of a schema it
 * reaches (a changed `serializeTodo` is every operation that answers a Todo). Generated code is read
 * as text, so attribution does not depend on how the files are laid out.
 */
import type { Model, OperationModel, SchemaModel } from '../model/types.js'

export interface Mentions {
  readonly direct: readonly string[]
  readonly indirect: readonly string[]
}

export interface OperationIndex {
  mentionsIn(line: string): Mentions
}

export function buildOperationIndex(model: Model): OperationIndex {
  const operationStems = new Map(model.operations.map((o) => [o.typeName, o.id]))
  const ids = new Set(model.operations.map((o) => o.id))
  const schemaStems = new Map<string, Set<string>>()
  const literals = new Map<string, Set<string>>()
  const note = (map: Map<string, Set<string>>, name: string, operation: string) => {
    const set = map.get(name) ?? new Set()
    map.set(name, set.add(operation))
  }
  const schemas = new Map(model.schemas.map((s) => [s.key, s]))
  for (const operation of model.operations) {
    note(literals, operation.action, operation.id)
    for (const key of reachableSchemas(operation, schemas)) {
      note(schemaStems, schemas.get(key)!.typeName, operation.id)
      note(literals, key, operation.id)
    }
  }
  const stemPattern = alternation([...operationStems.keys(), ...schemaStems.keys()], '(?<![A-Z0-9])', '(?![a-z_])')
  const idPattern = alternation([...ids].map(escapeRegExp), '(?<![\\w.$-])', '(?![\\w$-]|\\.\\w)')
  return {
    mentionsIn(line) {
      const direct = new Set<string>()
      const indirect = new Set<string>()
      for (const [id] of idPattern ? line.matchAll(idPattern) : []) direct.add(id)
      for (const [stem] of stemPattern ? line.matchAll(stemPattern) : []) {
        const operation = operationStems.get(stem)
        if (operation) direct.add(operation)
        for (const id of schemaStems.get(stem) ?? []) indirect.add(id)
      }
      for (const match of line.matchAll(/["'`]([^"'`\s]+)["'`]/g)) {
        // `#/components/schemas/Todo` names the schema Todo.
        for (const id of literals.get(match[1].slice(match[1].lastIndexOf('/') + 1)) ?? []) indirect.add(id)
      }
      return { direct: [...direct], indirect: [...indirect].filter((id) => !direct.has(id)) }
    },
  }
}

/** One pattern for many names, longest first so `TodoGetAll` wins over `TodoGet`. */
function alternation(names: readonly string[], before: string, after: string): RegExp | undefined {
  if (names.length === 0) return undefined
  const sorted = [...new Set(names)].sort((a, b) => b.length - a.length || (a < b ? -1 : 1))
  return new RegExp(`${before}(?:${sorted.join('|')})${after}`, 'g')
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

function reachableSchemas(operation: OperationModel, schemas: ReadonlyMap<string, SchemaModel>): Set<string> {
  const reached = new Set<string>()
  const pending = [operation.body, ...operation.responses.map((r) => r.schema)].flatMap((use) => (use?.kind === 'schema' ? [use.key] : []))
  while (pending.length > 0) {
    const key = pending.pop()!
    if (reached.has(key) || !schemas.has(key)) continue
    reached.add(key)
    pending.push(...schemas.get(key)!.references)
  }
  return reached
}
