/**
 * emitOperations(model) → operations/<group>.ts, the route table of each operation group (groups.ts),
 * importing only the validators and serializers its routes use, and routes.ts, which joins the groups'
 * tables, in group order, into the one table service.ts hands to the runtime. Each file names the
 * manifest entries it came from, and each route its operation, method, path and file.
 */
import type { Cache } from '../../cache/index.js'
import type { Model, OperationModel } from '../../model/types.js'
import { formatPieces } from '../format.js'
import { operationGroups, type OperationGroup } from '../groups.js'
import { serializerName } from '../serializers/index.js'
import { banner, commentText, RUNTIME_MODULE, sourceOf, type EmittedFile } from '../shared.js'
import { validatorName } from '../validators/index.js'
import { Code, literal, tableFile, type TableSource } from './literal.js'

/** Folder of the group files, inside the output folder. */
const OPERATIONS_DIR = 'operations'

/** A group file's header lists its operation ids up to this many; more are summed up as first, second, …, last. */
const LISTED_IDS = 4

export async function emitOperations(model: Model, cache: Cache): Promise<EmittedFile[]> {
  const groups = operationGroups(model)
  const [index, ...tables] = await Promise.all([
    formatPieces([indexSource(model, groups)], 'typescript', cache),
    ...groups.map((group) => tableFile(groupSource(model, group), cache)),
  ])
  return [{ path: 'routes.ts', contents: index }, ...groups.map((group, i) => ({ path: `${OPERATIONS_DIR}/${group.file}.ts`, contents: tables[i] }))]
}

/** The groups' tables spread into one (a spread per group: prettier lays the list out). */
function indexSource(model: Model, groups: readonly OperationGroup[]): string {
  return [
    banner(model),
    `import type { RouteDefinition } from '${RUNTIME_MODULE}'`,
    ...groups.map((group) => `import { ${group.identifier} } from './${OPERATIONS_DIR}/${group.file}.js'`),
    '',
    `/** Every operation's route, by group (${OPERATIONS_DIR}/) and operation id. */`,
    `export const routes: readonly RouteDefinition[] = [${groups.map((group) => `...${group.identifier}`).join(', ')}]`,
    '',
  ].join('\n')
}

function groupSource(model: Model, group: OperationGroup): TableSource {
  const validators = new Set<string>()
  const serializers = new Set<string>()
  const entries = group.operations.map((op) => {
    const validate: Record<string, Code> = {}
    for (const part of ['body', 'query', 'params'] as const) {
      const name = validatorName(model, op, part)
      if (name) {
        validators.add(name)
        validate[part] = new Code(name)
      }
    }
    const serialize: Record<string, Code> = {}
    for (const r of op.responses) {
      const name = r.schema.kind === 'schema' ? serializerName(model, r.schema.key) : undefined
      if (name) {
        serializers.add(name)
        serialize[String(r.status)] = new Code(name)
      }
    }
    return `${routeComment(op)}\n${literal(routeEntry(op, validate, serialize))}`
  })
  const imports = [
    `import type { RouteDefinition } from '${RUNTIME_MODULE}'`,
    validators.size > 0 ? `import { ${[...validators].sort().join(', ')} } from '../validators.js'` : '',
    serializers.size > 0 ? `import { ${[...serializers].sort().join(', ')} } from '../serializers.js'` : '',
  ].filter(Boolean)
  return {
    head: `${banner(model, groupOrigin(model, group))}\n${imports.join('\n')}\n`,
    open: `export const ${group.identifier}: readonly RouteDefinition[] = [`,
    entries,
    close: ']',
  }
}

/** One line of JSDoc: `todo.create: POST /todo — Creates a todo item (.fusio.yml)`. */
function routeComment(op: OperationModel): string {
  return `/** ${commentText(`${op.id}: ${op.method} ${op.path}${op.description ? ` — ${op.description}` : ''} (${sourceOf(op.location)})`)} */`
}

/** `operations todo.get, todo.update`, and the files other than the manifest they are written in. */
function groupOrigin(model: Model, group: OperationGroup): string {
  const ids = group.operations.map((op) => op.id)
  const what =
    ids.length === 1 ? `operation ${ids[0]}` : ids.length <= LISTED_IDS ? `operations ${ids.join(', ')}` : `${ids.length} operations: ${ids[0]}, ${ids[1]}, …, ${ids.at(-1)}`
  const files = [...new Set(group.operations.map((op) => op.location.file))].filter((file) => file !== model.manifestFile).sort()
  return commentText(files.length > 0 ? `${what} — in ${files.join(', ')}` : what)
}

function routeEntry(op: OperationModel, validate: Record<string, Code>, serialize: Record<string, Code>): Record<string, unknown> {
  const rest = op.pathParameters.find((p) => p.rest)
  return {
    operationId: op.id,
    method: op.method,
    urls: op.urls,
    httpCode: op.httpCode,
    public: op.public,
    scopes: op.scopes,
    active: op.active,
    stability: op.stability,
    warning: op.warning,
    action: op.action,
    restParam: rest?.name,
    validate,
    serialize,
  }
}
