/**
 * methodTree(operations) → the client's shape: operation ids split at their dots, so `todo.getAll`
 * is the method getAll of the group todo. An id that would be both a method and a group of methods
 * (`a.b` beside `a.b.c`) has no place; it is reported and left out.
 */
import { diagnostic, type Diagnostic } from '../../diagnostics/index.js'
import type { OperationModel } from '../../model/types.js'

export interface MethodGroup {
  /** By member name, in the order of the (sorted) operations. */
  readonly members: Map<string, MethodGroup | OperationModel>
}

export function methodTree(operations: readonly OperationModel[]): { tree: MethodGroup; diagnostics: Diagnostic[] } {
  const tree: MethodGroup = { members: new Map() }
  const diagnostics: Diagnostic[] = []
  for (const op of operations) {
    const problem = place(tree, op)
    if (problem) diagnostics.push(diagnostic('FUSIO_EMIT_CLIENT_NAME', { operation: op.id, problem }, op.location))
  }
  return { tree, diagnostics }
}

/** Puts the operation in the tree, or says why it cannot go there. */
function place(tree: MethodGroup, op: OperationModel): string | undefined {
  const segments = op.id.split('.')
  let group = tree
  for (const [index, segment] of segments.slice(0, -1).entries()) {
    const member = group.members.get(segment) ?? { members: new Map() }
    if (!('members' in member)) return `"${segments.slice(0, index + 1).join('.')}" is an operation, so it cannot also be a group of methods`
    group.members.set(segment, member)
    group = member
  }
  const name = segments.at(-1)!
  if (group.members.has(name)) return `"${op.id}" is already a group of methods`
  group.members.set(name, op)
  return undefined
}

export function isGroup(member: MethodGroup | OperationModel): member is MethodGroup {
  return 'members' in member
}
