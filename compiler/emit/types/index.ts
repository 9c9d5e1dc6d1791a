/**
 * emitTypes(model) → types.ts: one TypeScript type per schema (json-schema-to-typescript, with the
 * schemas' descriptions as JSDoc), the parameters of each operation, and per operation a Request and
 * Response type; per custom handler a Handler type that its module's `handler` export must satisfy.
 * Schema types by schema key, operation types by group and id; each JSDoc names the schema key or
 * operation it stands for and where the manifest declares it.
 */
import type { Json } from '../../../runtime-min/types.js'
import type { Cache } from '../../cache/index.js'
import { diagnostic, type Diagnostic } from '../../diagnostics/index.js'
import type { Model, OperationModel, SchemaUse } from '../../model/types.js'
import { formatPieces } from '../format.js'
import { operationsInOrder } from '../groups.js'
import { banner, commentText, RUNTIME_MODULE, schemaOf, sourceOf, type EmittedFile } from '../shared.js'

const INDEX_TYPE = 'FusioSchemas'

export async function emitTypes(model: Model, cache: Cache): Promise<{ files: EmittedFile[]; diagnostics: Diagnostic[] }> {
  const { pieces: declarations, diagnostics } = await emitSchemaTypes(model, cache)
  const typeOf = (use: SchemaUse | undefined): string => {
    if (!use) return 'undefined'
    if (use.kind === 'passthru') return 'unknown'
    return schemaOf(model, use.key).typeName
  }
  const aliases: string[] = []
  for (const op of operationsInOrder(model)) {
    aliases.push(
      typeAlias(
        `${op.typeName}Request`,
        `Request of ${op.id}: ${op.method} ${op.path} (${sourceOf(op.location)})`,
        `ActionRequest<${typeOf(op.body)}, ${op.query ? `${op.typeName}Query` : 'Record<string, never>'}, ${op.params ? `${op.typeName}Params` : 'Record<string, never>'}>`,
      ),
      typeAlias(`${op.typeName}Response`, `Response bodies of ${op.id}: ${op.responses.map((r) => r.status).join(', ')}`, unionOf(op.responses.map((r) => typeOf(r.schema)))),
    )
  }
  const byId = new Map(model.operations.map((o) => [o.id, o]))
  for (const action of model.actions) {
    if (action.class !== 'file') continue
    const ops = action.operations.map((id) => byId.get(id)!)
    const doc = `The \`handler\` export of ${action.handlerFile}${ops.length > 0 ? `, run by ${ops.map((o) => o.id).join(', ')}` : ''} (${sourceOf(action.location)})`
    aliases.push(typeAlias(`${action.typeName}Handler`, doc, handlerType(ops)))
  }
  const head = [`${banner(model)}\nimport type { ActionRequest, Handler } from '${RUNTIME_MODULE}'\n`, ...aliases]
  // One blank line between the aliases and the schema types, none between aliases.
  const pieces = [...head.slice(0, -1), `${head.at(-1)}\n`, ...declarations]
  return { files: [{ path: 'types.ts', contents: await formatPieces(pieces, 'typescript', cache) }], diagnostics }
}

/**
 * The schema types and operation parameter types, one piece per declaration (unformatted), without
 * the runtime: types.ts and the client SDK (emit/client) both start from them.
 */
export async function emitSchemaTypes(model: Model, cache: Cache): Promise<{ pieces: string[]; diagnostics: Diagnostic[] }> {
  const diagnostics: Diagnostic[] = []
  const definitions: Record<string, Json> = {}
  const titled = (doc: Json | boolean, title: string): Json =>
    typeof doc === 'boolean' ? (doc ? { title } : { title, not: {} }) : ({ ...(doc as object), title } as Json)
  // What each definition's JSDoc says it is, in place of json-schema-to-typescript's generic sentence.
  const sources = new Map<string, string>()
  for (const s of model.schemas) {
    definitions[s.key] = titled(s.document as Json, s.typeName)
    sources.set(s.key, `Schema ${s.key} (${sourceOf(s.location)}).`)
  }
  for (const op of operationsInOrder(model)) {
    for (const [part, suffix, what] of [['params', 'Params', 'Path'], ['query', 'Query', 'Query']] as const) {
      if (!op[part]) continue
      definitions[`${op.typeName}${suffix}`] = titled(op[part] as Json, `${op.typeName}${suffix}`)
      sources.set(`${op.typeName}${suffix}`, `${what} parameters of ${op.id} (${sourceOf(op.location)}).`)
    }
  }
  const root = {
    title: INDEX_TYPE,
    description: 'Every schema of the manifest by name.',
    type: 'object',
    properties: Object.fromEntries(model.schemas.map((s) => [s.key, { $ref: `#/definitions/${s.key}` }])),
    required: model.schemas.map((s) => s.key),
    additionalProperties: false,
    definitions,
  }
  let schemaTypes = ''
  try {
    // One compile for all schemas (it names the types they share), cached on all of them.
    schemaTypes = await cache.memo('json-schema-to-typescript', JSON.stringify(root), () => compileTypes(root))
  } catch (error) {
    diagnostics.push(diagnostic('FUSIO_EMIT_SCHEMA', { what: 'TypeScript types', name: INDEX_TYPE, problem: (error as Error).message }))
  }

  return { pieces: declarationsOf(withSources(schemaTypes, sources)), diagnostics }
}

async function compileTypes(root: object): Promise<string> {
  // Loaded on a miss only: a build whose types are cached never imports json-schema-to-typescript.
  const { compile } = await import('json-schema-to-typescript')
  return compile(root as Parameters<typeof compile>[0], INDEX_TYPE, {
    bannerComment: '',
    format: false,
    unreachableDefinitions: true,
    declareExternallyReferenced: true,
    strictIndexSignatures: false,
    additionalProperties: true,
    cwd: '/',
    $refOptions: { resolve: { file: false, http: false } } as never,
  })
}

function typeAlias(name: string, doc: string, type: string): string {
  return `/** ${commentText(doc)} */\nexport type ${name} = ${type}\n`
}

/**
 * Each definition's JSDoc names its schema key or operation and the file that declares it. Its empty
 * lines lose their trailing blank, as prettier would: the JSDoc is then left out of formatting (format.ts).
 */
function withSources(types: string, sources: ReadonlyMap<string, string>): string {
  return types
    .replace(/This interface was referenced by `[^`]*`'s JSON-Schema\n \* via the `definition` "([^"\n]*)"\./g, (sentence, key: string) => sources.get(key) ?? sentence)
    .replace(/^( *)\* +$/gm, '$1*')
}

/** The compiled schema types one declaration (with its JSDoc) at a time: each is a piece of its own. */
function declarationsOf(types: string): string[] {
  return types.split(/(?<=\n)(?<! \*\/\n)(?=(?:\/\*\*\n(?: \*.*\n)* \*\/\n)?export )/).filter((piece) => piece.trim() !== '')
}

function unionOf(types: readonly string[]): string {
  return [...new Set(types)].join(' | ') || 'unknown'
}

function handlerType(ops: readonly OperationModel[]): string {
  if (ops.length === 0) return 'Handler<ActionRequest, unknown>'
  return `Handler<${unionOf(ops.map((o) => `${o.typeName}Request`))}, ${unionOf(ops.map((o) => `${o.typeName}Response`))}>`
}
