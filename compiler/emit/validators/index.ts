/**
 * emitValidators(model) → validators.js (+ .d.ts): ajv standalone code, compiled now so the service
 * never compiles a schema at start-up. Bodies are validated strictly (no type coercion); path and
 * query parameters arrive as text, so they are coerced to their declared types.
 */
import { PRODUCT_BODIES, PRODUCT_SCHEMAS } from '../../../runtime-min/product/api.js'
import type { Json } from '../../../runtime-min/types.js'
import type { Cache } from '../../cache/index.js'
import { diagnostic, type Diagnostic } from '../../diagnostics/index.js'
import type { Model, OperationModel } from '../../model/types.js'
import { schemaOf, StandaloneModule, type EmittedFile } from '../shared.js'

/** Name of the validator for a role of an operation; bodies share one validator per schema. */
export function validatorName(model: Model, operation: OperationModel, part: 'body' | 'query' | 'params'): string | undefined {
  if (part === 'body') {
    if (operation.body?.kind !== 'schema') return undefined
    return `validate${schemaOf(model, operation.body.key).typeName}`
  }
  if (!operation[part]) return undefined
  return `validate${operation.typeName}${part === 'query' ? 'Query' : 'Params'}`
}

/** Name of the validator of a product API request body (runtime-min/product/api.ts). */
export const productValidatorName = (schema: string) => `validateProduct${schema}`

/**
 * What one ajv instance compiles: the schemas it holds and the exports, by name and reference, in
 * order. ajv numbers the functions of all its exports in one sequence, so a set compiles as a whole.
 */
interface ValidatorSet {
  readonly coerce: boolean
  readonly schemas: readonly object[]
  readonly exports: readonly (readonly [name: string, ref: string])[]
}

interface Snippet {
  readonly name: string
  readonly comment: string
  readonly body: string
}

export async function emitValidators(model: Model, cache: Cache): Promise<{ files: EmittedFile[]; diagnostics: Diagnostic[] }> {
  const diagnostics: Diagnostic[] = []
  const module = new StandaloneModule('validators', 'ValidateFunction')
  for (const set of validatorSets(model)) {
    if (set.exports.length === 0) continue
    try {
      const snippets = await cache.memo('ajv', JSON.stringify(set), async () => JSON.stringify(await compileSet(set)))
      for (const { name, comment, body } of JSON.parse(snippets) as Snippet[]) module.add(name, comment, body)
    } catch (error) {
      diagnostics.push(diagnostic('FUSIO_EMIT_SCHEMA', { what: 'a validator', name: set.exports.map(([n]) => n).join(', '), problem: (error as Error).message }))
    }
  }
  return { files: await module.render(model, cache), diagnostics }
}

/** Bodies against the manifest's schemas (and the product API's), then every operation's parameters. */
function validatorSets(model: Model): ValidatorSet[] {
  const bodySchemas: object[] = [{ $id: 'fusio', definitions: Object.fromEntries(model.schemas.map((s) => [s.key, s.document as Json])) }]
  const bodyExports: Record<string, string> = {}
  const paramSchemas: object[] = []
  const paramExports: Record<string, string> = {}
  for (const op of model.operations) {
    const body = validatorName(model, op, 'body')
    if (body && op.body?.kind === 'schema') bodyExports[body] = `fusio#/definitions/${op.body.key}`
    for (const part of ['query', 'params'] as const) {
      const name = validatorName(model, op, part)
      if (!name) continue
      paramSchemas.push({ ...(op[part] as object), $id: name })
      paramExports[name] = name
    }
  }
  if (model.product) {
    bodySchemas.push({ $id: 'product', definitions: PRODUCT_SCHEMAS as Record<string, Json> })
    for (const name of PRODUCT_BODIES) bodyExports[productValidatorName(name)] = `product#/definitions/${name}`
  }
  return [
    { coerce: false, schemas: bodySchemas, exports: sortedEntries(bodyExports) },
    { coerce: true, schemas: paramSchemas, exports: sortedEntries(paramExports) },
  ]
}

function sortedEntries(exports: Record<string, string>): (readonly [string, string])[] {
  return Object.entries(exports).sort(([a], [b]) => (a < b ? -1 : 1))
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
    const comment = ref.includes('#/definitions/') ? `${ref.startsWith('product#') ? 'product API schema' : 'schema'} ${ref.slice(ref.indexOf('#/definitions/') + 14)}` : 'parameters'
    return { name, comment, body: `${code.replace(exportLine, '')}\nreturn ${target}` }
  })
}
