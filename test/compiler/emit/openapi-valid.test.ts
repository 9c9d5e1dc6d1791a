/**
 * Every example's OpenAPI document, built by the emitter from the example's model, is valid OpenAPI
 * 3.1 for @seriousme/openapi-schema-validator, for JSON Schema 2020-12 (its schemas) and for the rules
 * the meta-schema cannot say; and the check catches each kind of mistake.
 */
import { join } from 'node:path'
import { Validator } from '@seriousme/openapi-schema-validator'
import { beforeAll, describe, expect, it } from 'vitest'
import { buildOpenApi } from '../../../compiler/emit/openapi/index.js'
import { validateOpenApi } from '../../../compiler/emit/openapi/validate.js'
import { validate } from '../../../compiler/index.js'
import { REPO } from '../../helpers/projects.js'

const EXAMPLES = ['todo', 'legacy-routes', 'legacy-bridge', 'api-product']

async function documentOf(example: string): Promise<Record<string, unknown>> {
  const result = await validate({ manifest: join(REPO, 'examples', example, '.fusio.yml') })
  expect(result.ok).toBe(true)
  return JSON.parse(JSON.stringify(buildOpenApi(result.model!))) as Record<string, unknown>
}

describe.each(EXAMPLES)('the OpenAPI document of examples/%s', (example) => {
  it('is valid OpenAPI 3.1', async () => {
    const document = await documentOf(example)
    const validator = new Validator()
    expect(await validator.validate(structuredClone(document))).toEqual({ valid: true })
    expect(validator.version).toBe('3.1')
    expect(await validateOpenApi(document)).toEqual({ valid: true, version: '3.1', problems: [] })
  })
})

it('the api-product document carries the product endpoints it is checked with', async () => {
  const paths = Object.keys((await documentOf('api-product')).paths as object)
  expect(paths).toEqual(expect.arrayContaining(['/consumer/login', '/authorization/token', '/backend/user', '/forecast']))
})

describe('validateOpenApi', () => {
  let todo: Record<string, unknown>
  beforeAll(async () => {
    todo = await documentOf('todo')
  })

  /** The todo document with one mistake made by `spoil`, and what the check says of it. */
  async function problemsAfter(spoil: (document: any) => void): Promise<{ valid: boolean; version?: string; problems: readonly { path: string; message: string }[] }> {
    const document = structuredClone(todo)
    spoil(document)
    return validateOpenApi(document)
  }

  it('reports what the meta-schema rejects, without a version', async () => {
    const verdict = await problemsAfter((d) => delete d.info)
    expect(verdict.valid).toBe(false)
    expect(verdict.version).toBeUndefined()
    expect(verdict.problems[0]!.message).toContain("must have required property 'info'")
  })

  it.each([
    ['a schema that is not JSON Schema 2020-12', (d: any) => (d.components.schemas.Todo.type = 'strnig'), '/components/schemas/Todo/type', 'not JSON Schema 2020-12'],
    ['a parameter schema that is not JSON Schema 2020-12', (d: any) => (d.paths['/todo'].get.parameters[0].schema.minimum = 'one'), '/paths/~1todo/get/parameters/0/schema/minimum', 'not JSON Schema 2020-12'],
    ['an operation id used twice', (d: any) => (d.paths['/todo'].get.operationId = 'todo.get'), '/paths/~1todo~1{id}/get/operationId', '"todo.get" is also the id of /paths/~1todo/get'],
    ['a path parameter missing', (d: any) => (d.paths['/todo/{id}'].get.parameters = []), '/paths/~1todo~1{id}/get/parameters', 'declares no path parameter "id"'],
    ['a path parameter not in the path', (d: any) => (d.paths['/todo/{id}'].get.parameters[0].name = 'key'), '/paths/~1todo~1{id}/get/parameters/0', 'path parameter "key" is not in the path'],
    ['a path parameter not required', (d: any) => (d.paths['/todo/{id}'].get.parameters[0].required = false), '/paths/~1todo~1{id}/get/parameters/0/required', 'a path parameter must be required: true'],
    ['two paths that differ in parameter names only', (d: any) => (d.paths['/todo/{key}'] = { get: { operationId: 'x', responses: { default: { description: 'x' } }, parameters: [{ name: 'key', in: 'path', required: true, schema: {} }] } }), '/paths/~1todo~1{key}', 'two paths may not differ only in parameter names'],
    ['a reference to nothing', (d: any) => (d.paths['/todo'].get.responses['200'].content['application/json'].schema.$ref = '#/components/schemas/Nope'), '/paths/~1todo/get/responses/200/content/application~1json/schema/$ref', 'points at nothing'],
    ['an undeclared security scheme', (d: any) => (d.paths['/todo'].post.security = [{ apiKey: [] }]), '/paths/~1todo/post/security/0', 'undeclared security scheme "apiKey"'],
  ])('reports %s', async (_name, spoil, path, message) => {
    const verdict = await problemsAfter(spoil)
    expect(verdict.valid).toBe(false)
    expect(verdict.problems).toContainEqual({ path, message: expect.stringContaining(message) })
  })

  it('reports an OAuth2 scope the flows do not declare', async () => {
    const document = await documentOf('api-product')
    const operation = (document.paths as any)['/forecast'].post
    operation.security = [{ oauth2: ['weather.admin'] }]
    const verdict = await validateOpenApi(document)
    expect(verdict.problems).toEqual([{ path: '/paths/~1forecast/post/security/0/oauth2', message: 'scope "weather.admin" is not declared by the flows of "oauth2"' }])
  })
})
