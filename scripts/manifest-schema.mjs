// Writes compiler/manifest.schema.json, the JSON Schema of .fusio.yml (shipped for editor completion).
// Kept as a script so the schema's repeated parts are written once; run: node scripts/manifest-schema.mjs
import { writeFileSync } from 'node:fs'

const schemaRef = { type: 'string', description: 'name of a schema of this manifest, Passthru, Message, or schema://Name' }
const statusSchemas = {
  type: 'object',
  propertyNames: { pattern: '^[1-5][0-9][0-9]$' },
  additionalProperties: schemaRef,
  description: 'HTTP status → schema name',
}
const parameters = {
  type: 'object',
  description: 'query parameter name → JSON Schema of its value (a name that is also a path parameter types that path parameter)',
  additionalProperties: { type: 'object' },
}
const named = (description, value) => ({ type: 'object', description, additionalProperties: value })
const classAndConfig = (what) => ({
  type: 'object',
  properties: {
    class: { type: 'string', description: `${what} class: a short name or Fusio's class name` },
    config: { type: 'object', description: `configuration of the ${what} class` },
  },
  required: ['class'],
  additionalProperties: false,
})
const legacyMethod = {
  type: 'object',
  properties: {
    public: { type: 'boolean', description: 'anonymous calls allowed (default true in the routes era)' },
    active: { type: 'boolean', description: 'false answers 410 Gone' },
    description: { type: 'string' },
    operationId: { type: 'string', pattern: '^[A-Za-z0-9_.]{3,64}$' },
    parameters: { type: ['string', 'object'], description: 'schema name, or query parameter name → JSON Schema' },
    request: schemaRef,
    response: schemaRef,
    responses: statusSchemas,
    action: { type: 'string', description: 'action name, or file://path' },
    costs: { type: 'integer', minimum: 0 },
    scopes: { type: 'array', items: { type: 'string' } },
  },
  additionalProperties: false,
}
const legacyVersion = {
  type: 'object',
  properties: {
    version: { type: 'integer', minimum: 1, description: 'served under /v{version} (the newest one also unprefixed)' },
    status: { type: 'integer', enum: [1, 2, 3, 4], description: '1 production, 2 deprecated, 3 closed (410), 4 development' },
    scopes: { type: 'array', items: { type: 'string' } },
    methods: {
      type: 'object',
      properties: { GET: legacyMethod, POST: legacyMethod, PUT: legacyMethod, PATCH: legacyMethod, DELETE: legacyMethod },
      additionalProperties: false,
    },
  },
  required: ['methods'],
  additionalProperties: false,
}

const schema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://github.com/fusio-ts/fusio-ts/compiler/manifest.schema.json',
  title: 'Fusio deploy manifest (.fusio.yml)',
  type: 'object',
  properties: {
    service: {
      type: 'object',
      description: 'the generated service itself',
      properties: {
        title: { type: 'string' },
        version: { type: 'string' },
        description: { type: 'string' },
        basePath: { type: 'string', pattern: '^(/[A-Za-z0-9._~-]+)*$', description: 'prefix of every operation path, e.g. /api' },
      },
      additionalProperties: false,
    },
    operation: named('operation id ([A-Za-z0-9_.]{3,64}) → operation', {
      type: 'object',
      properties: {
        httpMethod: { type: 'string', enum: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] },
        httpPath: { type: 'string', description: '/todo/:id, /year/$year<[0-9]+>, /files/*path' },
        httpCode: { type: 'integer', minimum: 100, maximum: 599, description: 'status of a successful response' },
        public: { type: 'boolean', description: 'anonymous calls allowed (default false: a token with one of scopes is needed)' },
        scopes: { type: 'array', items: { type: 'string' } },
        active: { type: 'boolean', description: 'false answers 410 Gone' },
        stability: { type: 'integer', enum: [0, 1, 2, 3], description: '0 deprecated, 1 experimental, 2 stable, 3 legacy' },
        description: { type: 'string' },
        parameters,
        incoming: schemaRef,
        outgoing: schemaRef,
        throws: statusSchemas,
        action: { type: 'string', description: 'action name, or file://path of a handler module' },
        costs: { type: 'integer', minimum: 0 },
        metadata: { type: 'object' },
      },
      required: ['httpMethod', 'httpPath', 'action'],
      additionalProperties: false,
    }),
    routes: named('legacy (Fusio 1–3) routes: path → version config or list of them', {
      // One config or a list of them (one per version).
      type: ['object', 'array'],
      items: legacyVersion,
      properties: legacyVersion.properties,
      additionalProperties: false,
    }),
    schema: named('schema name → JSON Schema or TypeSchema document (often !include file.json)', { type: ['object', 'boolean'] }),
    action: named('action name → class and config', {
      ...classAndConfig('action'),
      properties: {
        ...classAndConfig('action').properties,
        async: { type: 'boolean', description: 'run from a queue; the caller gets 202 at once' },
      },
    }),
    connection: named('connection name → class and config', classAndConfig('connection')),
    migration: named('connection name → SQL files applied once, in order', { type: 'array', items: { type: 'string' } }),
    scope: named('scope name → description', {
      type: ['object', 'null'],
      properties: { description: { type: 'string' }, operations: { type: 'array', items: { type: 'string' } } },
      additionalProperties: false,
    }),
    rate: named('rate limit', { type: 'object' }),
    plan: named('plan', { type: 'object' }),
    role: named('role', { type: 'object' }),
    config: { type: 'object', description: 'Fusio system settings (info_title, app_approval, mail_*…)' },
    cronjob: named('cron job', { type: 'object' }),
    event: named('event', { type: 'object' }),
    identity: named('login provider', { type: 'object' }),
  },
  additionalProperties: false,
}

writeFileSync(new URL('../compiler/manifest.schema.json', import.meta.url), `${JSON.stringify(schema, null, 2)}\n`)
