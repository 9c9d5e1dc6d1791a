/**
 * emitClient(model, cache) → a typed TypeScript client of the service, as files of one folder that
 * depends on nothing but the global fetch: index.ts (createClient, a method per operation, grouped
 * by the dots of its id), types.ts (the schema types of emitSchemaTypes plus each operation's argument and
 * success body) and runtime.ts (sending, FusioApiError). Formatted, bannered, same model → same bytes.
 */
import type { Cache } from '../../cache/index.js'
import { hasErrors, type Diagnostic } from '../../diagnostics/index.js'
import type { Model, OperationModel } from '../../model/types.js'
import { readPackageFile } from '../../package-root.js'
import { formatPieces } from '../format.js'
import { banner, type EmittedFile } from '../shared.js'
import { emitSchemaTypes } from '../types/index.js'
import { argumentConflicts, methodSource, operationTypes, propertyName } from './operation.js'
import { isGroup, methodTree, type MethodGroup } from './tree.js'

export async function emitClient(model: Model, cache: Cache): Promise<{ files: EmittedFile[]; diagnostics: Diagnostic[] }> {
  const { tree, diagnostics } = methodTree(model.operations)
  diagnostics.push(...model.operations.flatMap(argumentConflicts))
  const types = await emitSchemaTypes(model, cache)
  diagnostics.push(...types.diagnostics)
  if (hasErrors(diagnostics)) return { files: [], diagnostics }
  const queued = new Set(model.actions.filter((a) => a.async).map((a) => a.name))
  const aliases = model.operations.flatMap((op) => operationTypes(model, op, queued.has(op.action)))
  const typesFile = await formatPieces(
    [`${banner(model)}\n`, ...aliases.slice(0, -1), `${aliases.at(-1) ?? ''}\n`, ...types.pieces],
    'typescript',
    cache,
  )
  const index = [
    `${banner(model)}\nimport type * as T from './types.js'\nimport { createSend, type ClientOptions, type RequestOptions } from './runtime.js'\n\n`,
    `export type * from './types.js'\nexport { FusioApiError, type ClientOptions, type Problem, type ProblemError, type RequestOptions } from './runtime.js'\n\n`,
    `/** A client of ${model.service.title} ${model.service.version}: one method per operation, grouped by the dots of its id. */\nexport function createClient(options: ClientOptions) {\nconst send = createSend(options)\nreturn ${groupSource(tree, (op) => queued.has(op.action))}\n}\n\n`,
    `export type Client = ReturnType<typeof createClient>\n`,
  ]
  const runtime = readPackageFile('compiler/emit/client/runtime.ts').replace('// {{banner}}', banner(model))
  return {
    files: [
      { path: 'index.ts', contents: await formatPieces(index, 'typescript', cache) },
      { path: 'runtime.ts', contents: await formatPieces([runtime], 'typescript', cache) },
      { path: 'types.ts', contents: typesFile },
    ],
    diagnostics,
  }
}

function groupSource(group: MethodGroup, isQueued: (op: OperationModel) => boolean): string {
  const members = [...group.members].map(([name, member]) =>
    isGroup(member) ? `${propertyName(name)}: ${groupSource(member, isQueued)}` : methodSource(name, member, isQueued(member)),
  )
  return `{\n${members.join(',\n')}\n}`
}
