/**
 * emitValidators(model) → validators.js (+ .d.ts): ajv standalone code, compiled now so the service
 * never compiles a schema at start-up. Bodies are validated strictly (no type coercion); path and
 * query parameters arrive as text, so they are coerced to their declared types. One function per
 * distinct schema: a name whose schema another validator already checks is exported as that one.
 */
import { PRODUCT_BODIES, PRODUCT_SCHEMAS } from '../../../runtime-min/product/api.js'
import type { Json } from '../../../runtime-min/types.js'
import type { Cache } from '../../cache/index.js'
import { diagnostic, type Diagnostic } from '../../diagnostics/index.js'
import type { Model, OperationModel, SchemaModel } from '../../model/types.js'
import { operationsInOrder } from '../groups.js'
import { schemaOf, sourceOf, StandaloneModule, type EmittedFile } from '../shared.js'

/** Name of the validator for a role of an operation; bodies share one validator per schema. */
export function validatorName(model: Model, operation: OperationModel, part: 'body' | 'query' | 'params'): string | undefined {
  if (part === 'body') {
    if (operation.body?.kind !== 'schema') return undefined
    return bodyValidatorName(schemaOf(model, operation.body.key))
  }
  if (!operation[part]) return undefined
  return `validate${operation.typeName}${part === 'query' ? 'Query' : 'Params'}`
}

const bodyValidatorName = (schema: SchemaModel) => `validate${schema.typeName}`

/** Name of the validator of a product API request body (runtime-min/product/api.ts). */
export const productValidatorName = (schema: string) => `validateProduct${schema}`

/** A validator to emit: what it checks (`ref` into a schema the set holds) and where that was declared. */
interface Entry {
  readonly name: string
  readonly ref: string
  readonly comment: string
  /** Equal for validators that would compile to the same code: only the first is compiled. */
  readonly content: string
}

/**
 * What one ajv instance compiles: the schemas it holds and the exports, by name and reference, in
 * order. ajv numbers the functions of all its exports in one sequence, so a set compiles as a whole.
 * Comments stay out of it: a changed comment never recompiles a validator.
 */
interface ValidatorSet {
  readonly coerce: boolean
  readonly schemas: readonly object[]
  readonly exports: readonly (readonly [name: string, ref: string])[]
}

interface Snippet {
  readonly name: string
  readonly body: string
}

export async function emitValidators(model: Model, cache: Cache): Promise<{ files: EmittedFile[]; diagnostics: Diagnostic[] }> {
  const diagnostics: Diagnostic[] = []
  const module = new StandaloneModule('validators', 'ValidateFunction')
  for (const { coerce, schemas, entries } of validatorGroups(model)) {
    const { compiled, aliases } = distinct(entries)
    if (compiled.length === 0) continue
    const set: ValidatorSet = { coerce, schemas: schemas(compiled), exports: compiled.map((e) => [e.name, e.ref] as const) }
    try {
      const snippets = JSON.parse(await cache.memo('ajv', JSON.stringify(set), async () => JSON.stringify(await compileSet(set)))) as Snippet[]
      const bodies = new Map(snippets.map((s) => [s.name, s.body]))
      for (const entry of entries) {
        const target = aliases.get(entry.name)
        if (target) module.alias(entry.name, `${entry.comment}, the same schema as ${target}`, target)
        else module.add(entry.name, entry.comment, bodies.get(entry.name)!)
      }
    } catch (error) {
      diagnostics.push(diagnostic('FUSIO_EMIT_SCHEMA', { what: 'a validator', name: set.exports.map(([n]) => n).join(', '), problem: (error as Error).message }))
    }
  }
  return { files: await module.render(model, cache), diagnostics }
}

/** The entries to compile (the first of each content) and, for every other one, the name it stands for. */
function distinct(entries: readonly Entry[]): { compiled: Entry[]; aliases: Map<string, string> } {
  const first = new Map<string, string>()
  const compiled: Entry[] = []
  const aliases = new Map<string, string>()
  for (const entry of entries) {
    const target = first.get(entry.content)
    if (target) aliases.set(entry.name, target)
    else {
      first.set(entry.content, entry.name)
      compiled.push(entry)
    }
  }
  return { compiled, aliases }
}

interface ValidatorGroup {
  readonly coerce: boolean
  /** The schemas an ajv instance needs for the entries it compiles. */
  readonly schemas: (compiled: readonly Entry[]) => object[]
  readonly entries: readonly Entry[]
}

/**
 * Bodies against the manifest's schemas (and the product API's), by schema key; then every
 * operation's parameters, by group and operation id. Body schemas reference each other by key, so
 * two bodies of the same document text validate alike; so do parameters of the same schema.
 */
function validatorGroups(model: Model): ValidatorGroup[] {
  const bodyKeys = new Set(model.operations.flatMap((op) => (op.body?.kind === 'schema' ? [op.body.key] : [])))
  const bodies: Entry[] = model.schemas
    .filter((s) => bodyKeys.has(s.key))
    .map((s) => ({ name: bodyValidatorName(s), ref: `fusio#/definitions/${s.key}`, comment: `schema ${s.key} (${sourceOf(s.location)})`, content: `fusio ${JSON.stringify(s.document)}` }))
  const bodySchemas: object[] = [{ $id: 'fusio', definitions: Object.fromEntries(model.schemas.map((s) => [s.key, s.document as Json])) }]
  if (model.product) {
    bodySchemas.push({ $id: 'product', definitions: PRODUCT_SCHEMAS as Record<string, Json> })
    for (const name of PRODUCT_BODIES) {
      bodies.push({ name: productValidatorName(name), ref: `product#/definitions/${name}`, comment: `product API schema ${name}`, content: `product ${JSON.stringify(PRODUCT_SCHEMAS[name])}` })
    }
  }
  const parameters: Entry[] = []
  const parameterSchemas = new Map<string, object>()
  for (const op of operationsInOrder(model)) {
    for (const part of ['query', 'params'] as const) {
      const name = validatorName(model, op, part)
      if (!name) continue
      parameters.push({ name, ref: name, comment: `${part === 'query' ? 'query' : 'path'} parameters of ${op.id} (${sourceOf(op.location)})`, content: JSON.stringify(op[part]) })
      parameterSchemas.set(name, { ...(op[part] as object), $id: name })
    }
  }
  return [
    { coerce: false, schemas: () => bodySchemas, entries: bodies },
    { coerce: true, schemas: (compiled) => compiled.map((e) => parameterSchemas.get(e.name)!), entries: parameters },
  ]
}

async function compileSet(set: ValidatorSet): Promise<Snippet[]> {
  // Loaded on a miss only: a build whose validators are cached never imports ajv.
  const [{ Ajv, _ }, { default: addFormats }, { default: standaloneCode }] = await Promise.all([
    import('ajv'),
    import('ajv-formats'),
    import('ajv/dist/standalone/index.js'),
  ])
  const ajv = new Ajv({
    allErrors: true,
    useDefaults: true,
    strict: false,
    coerceTypes: set.coerce ? 'array' : false,
    code: { source: true, esm: true, lines: true, formats: _`require("ajv-formats/dist/formats").fullFormats` },
  })
  addFormats.default(ajv)
  for (const schema of set.schemas) ajv.addSchema(schema)
  // Each export compiled separately: ajv repeats a shared function once per export that names it.
  return set.exports.map(([name, ref]) => {
    const code = standaloneCode(ajv, { [name]: ref }).replace(/^"use strict";/, '')
    // The export line names the entry function; it is returned last, after the helpers it uses exist.
    const exportLine = new RegExp(`export const ${name} = (\\w+);`)
    const target = exportLine.exec(code)?.[1]
    if (!target) throw new Error(`unexpected ajv output for ${name}`)
    return { name, body: `${code.replace(exportLine, '')}\nreturn ${target}` }
  })
}
