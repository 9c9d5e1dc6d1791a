/**
 * emitOpenApi(model) → openapi.json (OpenAPI 3.1) from the same model as the code: schemas become
 * components, parameters and bodies come from the operations, errors are problem+json.
 */
import type { Json } from '../../../runtime-min/types.js'
import type { JsonSchemaDoc, Model, OperationModel, SchemaUse } from '../../model/types.js'
import { rewriteRefs, type EmittedFile } from '../shared.js'

const toComponent = (key: string) => `#/components/schemas/${key}`

const PROBLEM: Json = {
  type: 'object',
  description: 'An RFC 9457 problem, with the success and message members Fusio clients expect',
  properties: {
    type: { type: 'string', format: 'uri-reference' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string' },
    code: { type: 'string' },
    success: { const: false },
    message: { type: 'string' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        properties: { in: { enum: ['body', 'query', 'path'] }, field: { type: 'string' }, pointer: { type: 'string' }, message: { type: 'string' } },
      },
    },
  },
  required: ['type', 'title', 'status', 'success', 'message'],
}

/** What an operation of an `async: true` action answers instead of its own success response. */
const QUEUED: Json = {
  description: 'Queued: the action runs later',
  content: {
    'application/json': {
      schema: { type: 'object', properties: { success: { type: 'boolean' }, message: { type: 'string' }, id: { type: 'string', description: 'job id' } }, required: ['success', 'message'] },
    },
  },
}

export function buildOpenApi(model: Model): Record<string, Json> {
  const paths: Record<string, Record<string, Json>> = {}
  const deferred = new Set(model.actions.filter((a) => a.async).map((a) => a.name))
  for (const op of model.operations) {
    op.urls.forEach((url, index) => {
      const path = openApiPath(url.slice(model.service.basePath.length) || '/', op)
      paths[path] ??= {}
      // Legacy routes also answer unprefixed for their newest version; operation ids must stay unique.
      paths[path][op.method.toLowerCase()] = operationObject(op, index === 0 ? op.id : `${op.id}.latest`, deferred.has(op.action))
    })
  }
  const schemas: Record<string, Json> = {}
  for (const s of model.schemas) schemas[s.key] = rewriteRefs(s.document as Json, toComponent)
  schemas.Problem = PROBLEM
  return {
    openapi: '3.1.0',
    info: {
      title: model.service.title,
      version: model.service.version,
      ...(model.service.description ? { description: model.service.description } : {}),
    },
    servers: [{ url: model.service.basePath || '/' }],
    paths: Object.fromEntries(Object.entries(paths).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    components: {
      schemas,
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'an access token (RFC 9068 JWT) with a scope claim' } },
    },
    ...(model.scopes.length > 0
      ? { tags: model.scopes.map((s) => ({ name: s.name, ...(s.description ? { description: s.description } : {}) })) }
      : {}),
  }
}

export function emitOpenApi(model: Model): EmittedFile[] {
  return [{ path: 'openapi.json', contents: `${JSON.stringify(buildOpenApi(model), null, 2)}\n` }]
}

/** `/todo/:id(^[0-9]+$)` → `/todo/{id}`, `*` → `{rest}`. */
function openApiPath(url: string, op: OperationModel): string {
  const rest = op.pathParameters.find((p) => p.rest)?.name ?? 'path'
  return url.replace(/:([A-Za-z_][A-Za-z0-9_]*)(\([^)]*\))?/g, '{$1}').replace(/\*$/, `{${rest}}`)
}

function content(use: SchemaUse): Json {
  return { 'application/json': { schema: use.kind === 'passthru' ? {} : { $ref: toComponent(use.key) } } }
}

function operationObject(op: OperationModel, operationId: string, queued: boolean): Json {
  const parameters: Json[] = []
  const describe = (schema: JsonSchemaDoc | undefined, where: 'path' | 'query') => {
    if (!schema || typeof schema === 'boolean') return
    const properties = (schema.properties ?? {}) as Record<string, Record<string, Json>>
    const required = (schema.required ?? []) as string[]
    for (const [name, property] of Object.entries(properties)) {
      const { description, ...rest } = property
      parameters.push({
        name,
        in: where,
        required: where === 'path' || required.includes(name),
        ...(typeof description === 'string' ? { description } : {}),
        schema: rewriteRefs(rest, toComponent),
      })
    }
  }
  describe(op.params, 'path')
  describe(op.query, 'query')
  const responses: Record<string, Json> = {}
  for (const r of op.responses) {
    // An async action's own success answer never reaches the client: it gets 202 instead.
    if (queued && r.status < 300) continue
    responses[String(r.status)] = { description: r.status === op.httpCode ? 'Success' : `Status ${r.status}`, content: content(r.schema) }
  }
  if (queued) responses['202'] = QUEUED
  responses.default = { description: 'A problem', content: { 'application/problem+json': { schema: { $ref: toComponent('Problem') } } } }
  return {
    operationId,
    ...(op.description ? { summary: op.description } : {}),
    ...(op.scopes.length > 0 ? { tags: [...op.scopes] } : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(op.body ? { requestBody: { required: true, content: content(op.body) } } : {}),
    responses,
    security: op.public ? [{}, { bearer: [] }] : [{ bearer: [...op.scopes] }],
    ...(op.stability === 'deprecated' || !op.active || op.warning?.includes('deprecated') ? { deprecated: true } : {}),
    ...(op.stability ? { 'x-stability': op.stability } : {}),
  }
}
