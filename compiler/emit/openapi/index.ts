/**
 * emitOpenApi(model) → openapi.json (OpenAPI 3.1) from the same model as the code: schemas become
 * components, parameters and bodies come from the operations, errors are problem+json.
 */
import { PRODUCT_COMPONENT_PREFIX, PRODUCT_OPERATIONS, PRODUCT_SCHEMAS, type ProductOperation } from '../../../runtime-min/product/api.js'
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
  if (model.product) {
    for (const op of PRODUCT_OPERATIONS) {
      const path = op.path.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}')
      paths[path] ??= {}
      paths[path][op.method.toLowerCase()] = productOperationObject(op)
    }
    for (const [name, schema] of Object.entries(PRODUCT_SCHEMAS)) schemas[`${PRODUCT_COMPONENT_PREFIX}${name}`] = schema as Json
  }
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
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'an access token (RFC 9068 JWT) with a scope claim' },
        ...(model.product ? { oauth2: oauthScheme(model) } : {}),
      },
    },
    ...(model.scopes.length > 0
      ? { tags: model.scopes.map((s) => ({ name: s.name, ...(s.description ? { description: s.description } : {}) })) }
      : {}),
  }
}

export function emitOpenApi(model: Model): EmittedFile[] {
  return [{ path: 'openapi.json', contents: `${JSON.stringify(buildOpenApi(model), null, 2)}\n` }]
}

/** The product layer's OAuth2 flows, so API explorers can fetch tokens themselves. */
function oauthScheme(model: Model): Json {
  const scopes = Object.fromEntries(model.scopes.map((s) => [s.name, s.description ?? s.name]))
  const base = model.service.basePath
  return {
    type: 'oauth2',
    flows: {
      clientCredentials: { tokenUrl: `${base}/authorization/token`, scopes },
      authorizationCode: { authorizationUrl: `${base}/authorization/authorize`, tokenUrl: `${base}/authorization/token`, refreshUrl: `${base}/authorization/token`, scopes },
    },
  }
}

function productOperationObject(op: ProductOperation): Json {
  const ref = (name: string) => ({ $ref: toComponent(`${PRODUCT_COMPONENT_PREFIX}${name}`) })
  const parameters: Json[] = [...op.path.matchAll(/:([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }))
  for (const [name, schema] of Object.entries(op.query ?? {})) parameters.push({ name, in: 'query', required: false, schema: schema as Json })
  const status = String(op.status ?? 200)
  const bodyTypes = op.form ? ['application/x-www-form-urlencoded', 'application/json'] : ['application/json']
  return {
    operationId: op.id,
    summary: op.summary,
    tags: [op.id.split('.')[0]],
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(op.body ? { requestBody: { required: true, content: Object.fromEntries(bodyTypes.map((type) => [type, { schema: ref(op.body!) }])) } } : {}),
    responses: {
      [status]: { description: status === '302' ? 'Redirect' : 'Success', ...(op.response ? { content: { 'application/json': { schema: ref(op.response) } } } : {}) },
      default: { description: 'A problem', content: { 'application/problem+json': { schema: { $ref: toComponent('Problem') } } } },
    },
    security: op.access === 'public' ? [{}] : [{ bearer: op.access === 'token' ? [] : [op.access] }],
  }
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
