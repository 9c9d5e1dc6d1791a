// Writes compiler/manifest.schema.json, the JSON Schema of .fusio.yml (shipped for editor completion).
// Kept as a script so the schema's repeated parts are written once; run: node scripts/manifest-schema.mjs
import { writeFileSync } from 'node:fs'

const schemaRef = { type: 'string', description: 'name of a schema of this manifest, Passthru, Message, or schema://Name' }
const schemaRefFor = (role) => ({ ...schemaRef, description: `${role}: ${schemaRef.description}` })
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
  description: 'what one HTTP method of the route does',
  properties: {
    public: { type: 'boolean', default: true, description: 'anonymous calls allowed (true by default in the routes era); false: a token with one of the scopes is needed' },
    active: { type: 'boolean', default: true, description: 'false answers 410 Gone' },
    description: { type: 'string', description: 'summary in the OpenAPI document' },
    operationId: { type: 'string', pattern: '^[A-Za-z0-9_.]{3,64}$', description: 'operation id (default v{version}.{path segments}.{method})' },
    parameters: { type: ['string', 'object'], description: 'schema name whose properties are the query parameters, or query parameter name → JSON Schema' },
    request: schemaRefFor('request body schema (default Passthru for POST, PUT and PATCH)'),
    response: schemaRefFor('schema of the 200 response (default Passthru)'),
    responses: { ...statusSchemas, description: 'HTTP status → schema name, instead of response' },
    action: { type: 'string', description: 'action name, or file://path' },
    costs: { type: 'integer', minimum: 0, description: 'points a call costs (accepted, not used yet)' },
    scopes: { type: 'array', items: { type: 'string' }, description: "scopes this method needs besides the version's (a token with one of them)" },
  },
  additionalProperties: false,
}
const legacyVersion = {
  type: 'object',
  properties: {
    version: { type: 'integer', minimum: 1, description: 'served under /v{version} (the newest one also unprefixed); default: its position in the list, from 1' },
    status: { type: 'integer', enum: [1, 2, 3, 4], default: 4, description: '1 production, 2 deprecated (Warning header), 3 closed (410), 4 development (Warning header)' },
    scopes: { type: 'array', items: { type: 'string' }, description: 'scopes private methods of this version need (a token with one of them)' },
    methods: {
      type: 'object',
      description: 'HTTP method → what it does',
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
        title: { type: 'string', description: 'OpenAPI title and log lines (default config.info_title, else Fusio API)' },
        version: { type: 'string', description: 'OpenAPI version of the API (default config.info_version, else 1.0.0)' },
        description: { type: 'string', description: 'OpenAPI description (default config.info_description)' },
        basePath: { type: 'string', pattern: '^(/[A-Za-z0-9._~-]+)*$', default: '', description: 'prefix of every operation path, e.g. /api' },
        product: {
          type: 'boolean',
          default: false,
          description: 'the API-product layer: users, apps, OAuth2 under /authorization, /consumer, /backend and the developer portal',
        },
        developerPortal: { type: 'boolean', description: 'serve the developer portal under /developer (default: true with product)' },
        docs: {
          description: 'the API reference page (Swagger UI; the about document for programs): at / below basePath by default, false for none',
          oneOf: [
            { type: 'boolean' },
            {
              type: 'object',
              properties: { path: { type: 'string', pattern: '^/([A-Za-z0-9._~-]+(/[A-Za-z0-9._~-]+)*)?$', description: 'e.g. /docs' } },
              required: ['path'],
              additionalProperties: false,
            },
          ],
        },
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
            credentials: { type: 'boolean', default: false, description: 'allow cookies and Authorization from those origins (not with "*")' },
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
        httpMethod: { type: 'string', enum: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'], description: 'HTTP method (HEAD and OPTIONS are answered for you)' },
        httpPath: { type: 'string', description: '/todo/:id, /year/$year<[0-9]+>, /files/*path' },
        httpCode: { type: 'integer', minimum: 100, maximum: 599, default: 200, description: 'status of a successful response' },
        public: { type: 'boolean', default: false, description: 'anonymous calls allowed (false: a token with one of scopes is needed)' },
        scopes: { type: 'array', items: { type: 'string' }, default: [], description: 'a token needs one of them; a scope without a dot covers its sub-scopes' },
        active: { type: 'boolean', default: true, description: 'false answers 410 Gone' },
        stability: { type: 'integer', enum: [0, 1, 2, 3], description: '0 deprecated, 1 experimental, 2 stable, 3 legacy; sent as X-Stability' },
        description: { type: 'string', description: 'summary in the OpenAPI document' },
        parameters,
        incoming: schemaRefFor('request body schema (default Passthru for POST, PUT and PATCH)'),
        outgoing: schemaRefFor('schema of the httpCode response (default Passthru)'),
        throws: { ...statusSchemas, description: 'HTTP status → schema of an error answer, for the OpenAPI document' },
        action: { type: 'string', description: 'action name, or file://path of a handler module' },
        costs: { type: 'integer', minimum: 0, description: 'points a call costs (accepted, not used yet)' },
        metadata: { type: 'object', description: 'free-form (accepted, not used yet)' },
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
        async: { type: 'boolean', default: false, description: 'run from a queue; the caller gets 202 at once' },
      },
    }),
    connection: named('connection name → class and config', classAndConfig('connection')),
    migration: named('connection name → SQL files applied once, in order', { type: 'array', items: { type: 'string' } }),
    scope: named('scope name → description', {
      type: ['object', 'null'],
      properties: {
        description: { type: 'string', description: 'what a token with this scope may do' },
        operations: { type: 'array', items: { type: 'string' }, description: 'accepted, not used: operations name their scopes' },
      },
      additionalProperties: false,
    }),
    rate: named('rate name → limit and the calls it applies to', {
      type: 'object',
      properties: {
        priority: { type: 'integer', minimum: 0, default: 0, description: 'the matching rate with the highest priority applies' },
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
        description: { type: 'string', description: 'shown to developers (/consumer/plan)' },
        price: { type: 'number', minimum: 0, description: 'shown to developers; no payment is taken yet' },
        points: { type: 'integer', minimum: 0, description: 'points the plan includes (shown; not charged yet)' },
        period: { type: 'integer', minimum: 0, description: 'billing period in months (0: once)' },
      },
      additionalProperties: false,
    }),
    role: named('role name → the scopes its users get', {
      type: 'object',
      properties: {
        scopes: { type: 'array', items: { type: 'string' }, description: 'scopes users with this role, and their apps, may get' },
        description: { type: 'string', description: 'what the role is for' },
      },
      required: ['scopes'],
      additionalProperties: false,
    }),
    config: {
      type: 'object',
      description: 'Fusio system settings',
      properties: {
        info_title: { type: 'string', description: 'API title when service.title is not set' },
        info_description: { type: 'string', description: 'API description when service.description is not set' },
        info_version: { type: 'string', description: 'API version when service.version is not set' },
        app_approval: { type: 'boolean', default: false, description: 'new apps stay pending until an administrator approves them' },
        user_approval: { type: 'boolean', default: true, description: 'new accounts need the activation mail' },
        consumer_max_apps: { type: 'integer', minimum: 0, default: 16, description: 'apps one user may have' },
        consumer_max_tokens: { type: 'integer', minimum: 0, default: 16, description: 'personal access tokens one user may have' },
        authorization_token_expire: { type: 'string', default: 'PT1H', description: 'access token lifetime, ISO 8601 duration' },
        authorization_refresh_token_expire: { type: 'string', default: 'P3D', description: 'refresh token lifetime, ISO 8601 duration' },
        role_default: { type: 'string', default: 'Consumer', description: 'role of newly registered users' },
        plan_default: { type: 'string', description: 'plan of newly registered users' },
        user_pw_length: { type: 'integer', minimum: 8, default: 8, description: 'minimum password length' },
        mail_sender: { type: 'string', description: 'From address of account mails' },
        mail_register_subject: { type: 'string', default: 'Activate your account', description: 'subject of the activation mail' },
        mail_pw_reset_subject: { type: 'string', default: 'Reset your password', description: 'subject of the password reset mail' },
      },
      additionalProperties: false,
    },
    cronjob: named('cron job name → schedule and action (accepted with a warning; not run yet)', { type: 'object' }),
    event: named('event name → description (accepted with a warning; not used yet)', { type: 'object' }),
    identity: named('login provider name → OpenID Connect / OAuth2 login for the developer portal', {
      type: 'object',
      properties: {
        class: {
          type: 'string',
          description: 'openid (any OpenID Connect provider), github or google, or Fusio\\Impl\\Provider\\Identity\\* names',
        },
        config: {
          type: 'object',
          description: 'the client registered at the provider',
          properties: {
            client_id: { type: 'string', description: 'client id registered at the provider' },
            client_secret: { type: 'string', description: 'its secret (use ${env.NAME})' },
            issuer: { type: 'string', description: 'OpenID Connect issuer URL (discovery)' },
            scopes: { type: 'array', items: { type: 'string' }, description: 'scopes asked of the provider' },
            authorization_uri: { type: 'string', description: "overrides the provider's authorization endpoint" },
            token_uri: { type: 'string', description: "overrides the provider's token endpoint" },
            user_info_uri: { type: 'string', description: "overrides the provider's user info endpoint" },
          },
          required: ['client_id', 'client_secret'],
          additionalProperties: false,
        },
        allowCreate: { type: 'boolean', default: true, description: 'create an account on first login (false: only existing accounts log in)' },
      },
      required: ['class', 'config'],
      additionalProperties: false,
    }),
  },
  additionalProperties: false,
}

writeFileSync(new URL('../compiler/manifest.schema.json', import.meta.url), `${JSON.stringify(schema, null, 2)}\n`)
