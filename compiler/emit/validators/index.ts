/**
 * emitValidators(model) → validators.js (+ .d.ts): ajv standalone code, compiled now so the service
 * never compiles a schema at start-up. Bodies are validated strictly (no type coercion); path and
 * query parameters arrive as text, so they are coerced to their declared types.
 */
import { Ajv, _ } from 'ajv'
import addFormats from 'ajv-formats'
import standaloneCode from 'ajv/dist/standalone/index.js'
import { PRODUCT_BODIES, PRODUCT_SCHEMAS } from '../../../runtime-min/product/api.js'
import type { Json } from '../../../runtime-min/types.js'
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

function createAjv(coerce: boolean): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    useDefaults: true,
    strict: false,
    coerceTypes: coerce ? 'array' : false,
    code: { source: true, esm: true, lines: true, formats: _`require("ajv-formats/dist/formats").fullFormats` },
  })
  addFormats.default(ajv)
  return ajv
}

export async function emitValidators(model: Model): Promise<{ files: EmittedFile[]; diagnostics: Diagnostic[] }> {
  const diagnostics: Diagnostic[] = []
  const bodyAjv = createAjv(false)
  const paramAjv = createAjv(true)
  bodyAjv.addSchema({ $id: 'fusio', definitions: Object.fromEntries(model.schemas.map((s) => [s.key, s.document as Json])) })
  const bodyExports: Record<string, string> = {}
  const paramExports: Record<string, string> = {}
  for (const op of model.operations) {
    const body = validatorName(model, op, 'body')
    if (body && op.body?.kind === 'schema') bodyExports[body] = `fusio#/definitions/${op.body.key}`
    for (const part of ['query', 'params'] as const) {
      const name = validatorName(model, op, part)
      if (!name) continue
      paramAjv.addSchema({ ...(op[part] as object), $id: name })
      paramExports[name] = name
    }
  }
  if (model.product) {
    bodyAjv.addSchema({ $id: 'product', definitions: PRODUCT_SCHEMAS as Record<string, Json> })
    for (const name of PRODUCT_BODIES) bodyExports[productValidatorName(name)] = `product#/definitions/${name}`
  }
  const module = new StandaloneModule('validators', 'ValidateFunction')
  for (const [ajv, exports] of [[bodyAjv, bodyExports], [paramAjv, paramExports]] as const) {
    const entries = Object.entries(exports).sort(([a], [b]) => (a < b ? -1 : 1))
    try {
      // Each export compiled separately: ajv repeats a shared function once per export that names it.
      for (const [name, ref] of entries) {
        const code = standaloneCode(ajv, { [name]: ref }).replace(/^"use strict";/, '')
        // The export line names the entry function; it is returned last, after the helpers it uses exist.
        const exportLine = new RegExp(`export const ${name} = (\\w+);`)
        const target = exportLine.exec(code)?.[1]
        if (!target) throw new Error(`unexpected ajv output for ${name}`)
        const what = ref.includes('#/definitions/') ? `${ref.startsWith('product#') ? 'product API schema' : 'schema'} ${ref.slice(ref.indexOf('#/definitions/') + 14)}` : 'parameters'
        module.add(name, what, `${code.replace(exportLine, '')}\nreturn ${target}`)
      }
    } catch (error) {
      diagnostics.push(diagnostic('FUSIO_EMIT_SCHEMA', { what: 'a validator', name: entries.map(([n]) => n).join(', '), problem: (error as Error).message }))
    }
  }
  return { files: await module.render(model), diagnostics }
}
