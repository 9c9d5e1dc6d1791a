/**
 * validateOpenApi(document) → a verdict on an OpenAPI document, in three layers: the OpenAPI
 * meta-schema of its version (@seriousme/openapi-schema-validator, which also says the version it
 * found), each Schema Object against JSON Schema 2020-12 (OpenAPI 3.1's dialect, which that
 * meta-schema leaves unchecked: `type: 'strnig'` passes it), and the rules of rules.ts.
 */
import { ruleProblems, schemaObjects, type OpenApiProblem } from './rules.js'

export type { OpenApiProblem } from './rules.js'

export interface OpenApiVerdict {
  readonly valid: boolean
  /** `3.1` for an OpenAPI 3.1.x document the meta-schema accepted. */
  readonly version?: string
  readonly problems: readonly OpenApiProblem[]
}

export async function validateOpenApi(document: Record<string, unknown>): Promise<OpenApiVerdict> {
  // Loaded when asked: the commands that never validate do not pay for two more ajv instances.
  const [{ Validator }, { Ajv2020 }] = await Promise.all([import('@seriousme/openapi-schema-validator'), import('ajv/dist/2020.js')])
  const validator = new Validator()
  const result = await validator.validate(structuredClone(document))
  const problems: OpenApiProblem[] =
    typeof result.errors === 'string'
      ? [{ path: '', message: result.errors }]
      : (result.errors ?? []).map((error) => ({ path: error.instancePath, message: `${error.message ?? error.keyword}${error.params ? ` ${JSON.stringify(error.params)}` : ''}` }))
  const dialect = new Ajv2020({ strict: false, validateFormats: false })
  for (const { path, schema } of schemaObjects(document)) {
    if (!dialect.validateSchema(schema as object)) {
      problems.push(...(dialect.errors ?? []).map((error) => ({ path: `${path}${error.instancePath}`, message: `not JSON Schema 2020-12: ${error.message ?? error.keyword}` })))
    }
  }
  problems.push(...ruleProblems(document))
  return { valid: problems.length === 0, ...(result.valid ? { version: validator.version } : {}), problems }
}
