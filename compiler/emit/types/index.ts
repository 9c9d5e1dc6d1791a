/**
 * emitTypes(model) → types.ts: one TypeScript type per schema (json-schema-to-typescript, with the
 * schemas' descriptions as JSDoc), the parameters of each operation, and per operation a Request and
 * Response type; per custom handler a Handler type that its module's `handler` export must satisfy.
 */
import { compile } from 'json-schema-to-typescript'
import { Project, StructureKind, type InterfaceDeclarationStructure, type TypeAliasDeclarationStructure } from 'ts-morph'
import type { Json } from '../../../runtime-min/types.js'
import { diagnostic, type Diagnostic } from '../../diagnostics/index.js'
import type { Model, OperationModel, SchemaUse } from '../../model/types.js'
import { banner, formatCode, RUNTIME_MODULE, schemaOf, type EmittedFile } from '../shared.js'

const INDEX_TYPE = 'FusioSchemas'

export async function emitTypes(model: Model): Promise<{ files: EmittedFile[]; diagnostics: Diagnostic[] }> {
  const diagnostics: Diagnostic[] = []
  const definitions: Record<string, Json> = {}
  const titled = (doc: Json | boolean, title: string): Json =>
    typeof doc === 'boolean' ? (doc ? { title } : { title, not: {} }) : ({ ...(doc as object), title } as Json)
  for (const s of model.schemas) definitions[s.key] = titled(s.document as Json, s.typeName)
  for (const op of model.operations) {
    if (op.params) definitions[`${op.typeName}Params`] = titled(op.params as Json, `${op.typeName}Params`)
    if (op.query) definitions[`${op.typeName}Query`] = titled(op.query as Json, `${op.typeName}Query`)
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
    schemaTypes = await compile(root as Parameters<typeof compile>[0], INDEX_TYPE, {
      bannerComment: '',
      format: false,
      unreachableDefinitions: true,
      declareExternallyReferenced: true,
      strictIndexSignatures: false,
      additionalProperties: true,
      cwd: '/',
      $refOptions: { resolve: { file: false, http: false } } as never,
    })
  } catch (error) {
    diagnostics.push(diagnostic('FUSIO_EMIT_SCHEMA', { what: 'TypeScript types', name: INDEX_TYPE, problem: (error as Error).message }))
  }

  const project = new Project({ useInMemoryFileSystem: true })
  const file = project.createSourceFile('types.ts', '')
  file.addImportDeclaration({ isTypeOnly: true, moduleSpecifier: RUNTIME_MODULE, namedImports: ['ActionRequest', 'Handler'] })
  const typeOf = (use: SchemaUse | undefined): string => {
    if (!use) return 'undefined'
    if (use.kind === 'passthru') return 'unknown'
    return schemaOf(model, use.key).typeName
  }
  const declarations: (TypeAliasDeclarationStructure | InterfaceDeclarationStructure)[] = []
  for (const op of model.operations) {
    declarations.push({
      kind: StructureKind.TypeAlias,
      name: `${op.typeName}Request`,
      isExported: true,
      docs: [`Request of ${op.id}: ${op.method} ${op.path}`],
      type: `ActionRequest<${typeOf(op.body)}, ${op.query ? `${op.typeName}Query` : 'Record<string, never>'}, ${op.params ? `${op.typeName}Params` : 'Record<string, never>'}>`,
    })
    declarations.push({
      kind: StructureKind.TypeAlias,
      name: `${op.typeName}Response`,
      isExported: true,
      docs: [`Response bodies of ${op.id}: ${op.responses.map((r) => r.status).join(', ')}`],
      type: unionOf(op.responses.map((r) => typeOf(r.schema))),
    })
  }
  const byId = new Map(model.operations.map((o) => [o.id, o]))
  for (const action of model.actions) {
    if (action.class !== 'file') continue
    const ops = action.operations.map((id) => byId.get(id)!)
    declarations.push({
      kind: StructureKind.TypeAlias,
      name: `${action.typeName}Handler`,
      isExported: true,
      docs: [`The \`handler\` export of ${action.handlerFile}${ops.length > 0 ? `, run by ${ops.map((o) => o.id).join(', ')}` : ''}`],
      type: handlerType(ops),
    })
  }
  file.addStatements(declarations)
  const text = `${banner(model)}\n${file.getFullText()}\n${schemaTypes}`
  return { files: [{ path: 'types.ts', contents: await formatCode(text, 'typescript') }], diagnostics }
}

function unionOf(types: readonly string[]): string {
  return [...new Set(types)].join(' | ') || 'unknown'
}

function handlerType(ops: readonly OperationModel[]): string {
  if (ops.length === 0) return 'Handler<ActionRequest, unknown>'
  return `Handler<${unionOf(ops.map((o) => `${o.typeName}Request`))}, ${unionOf(ops.map((o) => `${o.typeName}Response`))}>`
}
