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
        product: {
          type: 'boolean',
          description: 'the API-product layer: users, apps, OAuth2 under /authorization, /consumer, /backend and the developer portal',
        },
        developerPortal: { type: 'boolean', description: 'serve the developer portal under /developer (default: true with product)' },
        cors: {
          type: 'object',
          description: 'cross-origin requests from browsers (off unless set)',
          properties: {
            origins: {
              oneOf: [
                { type: 'string', const: '*' },
                { type: 'array', items: { type: 'string', pattern: '^https?://[^/]+$' }, minItems: 1 },
              ],
              description: '"*" or the allowed origins (scheme://host[:port])',
            },
            credentials: { type: 'boolean', description: 'allow cookies and Authorization from those origins (not with "*")' },
            headers: { type: 'array', items: { type: 'string' }, description: 'request headers allowed beyond the defaults' },
            exposeHeaders: { type: 'array', items: { type: 'string' }, description: 'response headers scripts may read beyond the defaults' },
            maxAge: { type: 'integer', minimum: 0, description: 'seconds a preflight answer may be cached' },
          },
          required: ['origins'],
          additionalProperties: false,
        },
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
    rate: named('rate name → limit and the calls it applies to', {
      type: 'object',
      properties: {
        priority: { type: 'integer', minimum: 0, description: 'the matching rate with the highest priority applies' },
        rateLimit: { type: 'integer', minimum: 1, description: 'calls allowed per timespan' },
        timespan: { type: 'string', description: 'ISO 8601 duration, e.g. PT1H' },
        allocation: {
          type: 'array',
          description: 'the calls it applies to; a field left out matches anything (no allocation: every call)',
          items: {
            type: 'object',
            properties: {
              operation: { type: 'string', description: 'operation id' },
              plan: { type: 'string', description: 'plan of the calling user' },
              app: { type: 'string', description: 'app key (client_id) of the calling app' },
              authenticated: { type: 'boolean', description: 'true: calls with a valid token; false: anonymous calls' },
            },
            additionalProperties: false,
          },
        },
      },
      required: ['rateLimit', 'timespan'],
      additionalProperties: false,
    }),
    plan: named('plan name → what a user on it gets', {
      type: 'object',
      properties: {
        description: { type: 'string' },
        price: { type: 'number', minimum: 0 },
        points: { type: 'integer', minimum: 0 },
        period: { type: 'integer', minimum: 0, description: 'billing period in months (0: once)' },
      },
      additionalProperties: false,
    }),
    role: named('role name → the scopes its users get', {
      type: 'object',
      properties: { scopes: { type: 'array', items: { type: 'string' } }, description: { type: 'string' } },
      required: ['scopes'],
      additionalProperties: false,
    }),
    config: {
      type: 'object',
      description: 'Fusio system settings',
      properties: {
        info_title: { type: 'string' },
        info_description: { type: 'string' },
        info_version: { type: 'string' },
        app_approval: { type: 'boolean', description: 'new apps stay pending until an administrator approves them' },
        user_approval: { type: 'boolean', description: 'new accounts need the activation mail (default true)' },
        consumer_max_apps: { type: 'integer', minimum: 0 },
        consumer_max_tokens: { type: 'integer', minimum: 0 },
        authorization_token_expire: { type: 'string', description: 'access token lifetime, ISO 8601 duration (default PT1H)' },
        authorization_refresh_token_expire: { type: 'string', description: 'refresh token lifetime, ISO 8601 duration (default P3D)' },
        role_default: { type: 'string', description: 'role of newly registered users (default Consumer)' },
        plan_default: { type: 'string', description: 'plan of newly registered users' },
        user_pw_length: { type: 'integer', minimum: 8, description: 'minimum password length (default 8)' },
        mail_sender: { type: 'string', description: 'From address of account mails' },
        mail_register_subject: { type: 'string' },
        mail_pw_reset_subject: { type: 'string' },
      },
      additionalProperties: false,
    },
    cronjob: named('cron job', { type: 'object' }),
    event: named('event', { type: 'object' }),
    identity: named('login provider name → OpenID Connect / OAuth2 login for the developer portal', {
      type: 'object',
      properties: {
        class: {
          type: 'string',
          description: 'openid (any OpenID Connect provider), github or google, or Fusio\\Impl\\Provider\\Identity\\* names',
        },
        config: {
          type: 'object',
          properties: {
            client_id: { type: 'string' },
            client_secret: { type: 'string' },
            issuer: { type: 'string', description: 'OpenID Connect issuer URL (discovery)' },
            scopes: { type: 'array', items: { type: 'string' } },
            authorization_uri: { type: 'string' },
            token_uri: { type: 'string' },
            user_info_uri: { type: 'string' },
          },
          required: ['client_id', 'client_secret'],
          additionalProperties: false,
        },
        allowCreate: { type: 'boolean', description: 'create an account on first login (default true)' },
      },
      required: ['class', 'config'],
      additionalProperties: false,
    }),
  },
  additionalProperties: false,
}

writeFileSync(new URL('../compiler/manifest.schema.json', import.meta.url), `${JSON.stringify(schema, null, 2)}\n`)
