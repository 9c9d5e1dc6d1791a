/**
 * The product layer's HTTP surface as data: every operation of /consumer, /authorization and
 * /backend with its access rule and JSON schemas. The runtime registers routes from it; the compiler
 * precompiles the request validators and documents it in openapi.json. Names follow Fusio's APIs.
 */
import type { HttpMethod, JsonSchema } from '../types.js'

export interface ProductOperation {
  /** Operation id, as in Fusio (`consumer.app.create`). */
  readonly id: string
  readonly method: HttpMethod
  /** Fastify path (`/consumer/app/:app_id`). */
  readonly path: string
  /** `public`, `token` (any valid token), or the scope a token needs. */
  readonly access: 'public' | 'token' | 'consumer' | 'backend'
  readonly summary: string
  /** Key of the request body schema in PRODUCT_SCHEMAS (validated by a precompiled validator). */
  readonly body?: string
  /** The handler validates the body itself (the token endpoint answers in OAuth's error shape). */
  readonly bodyCheckedByHandler?: true
  /** Also takes application/x-www-form-urlencoded bodies, as OAuth clients send them. */
  readonly form?: true
  /** Key of the success response schema (documentation). */
  readonly response?: string
  readonly status?: number
  /** Query parameters (documentation; handlers read them leniently). */
  readonly query?: Readonly<Record<string, JsonSchema>>
  /** Calls one IP may make per window: public operations that send mail or store something. */
  readonly perIp?: { readonly limit: number; readonly windowSeconds: number }
}

const HOURLY_20 = { limit: 20, windowSeconds: 3600 }

/** The service's own scopes, guarding its own APIs: only first-party logins get them, never a token through an app. */
export const PRODUCT_SCOPES: readonly { readonly name: string; readonly description: string }[] = [
  { name: 'authorization', description: 'Read who the token belongs to and revoke it' },
  { name: 'backend', description: 'Administer users, apps, scopes and logs' },
  { name: 'consumer', description: 'Manage the own account, apps and tokens' },
]

/** Product schemas appear in openapi.json as `Fusio_<Name>`, apart from the manifest's own. */
export const PRODUCT_COMPONENT_PREFIX = 'Fusio_'

const text = (maxLength: number, minLength = 1): JsonSchema => ({ type: 'string', minLength, maxLength })
const password: JsonSchema = { type: 'string', minLength: 1, maxLength: 128 }
const scopes: JsonSchema = { type: 'array', items: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,64}$' }, maxItems: 64, uniqueItems: true }
const object = (properties: Record<string, JsonSchema>, required: readonly string[] = []): JsonSchema => ({
  type: 'object',
  properties,
  required: [...required],
  additionalProperties: false,
})
const collection = (item: string): JsonSchema => ({
  type: 'object',
  properties: {
    totalResults: { type: 'integer' },
    startIndex: { type: 'integer' },
    itemsPerPage: { type: 'integer' },
    entry: { type: 'array', items: { $ref: `#/components/schemas/${PRODUCT_COMPONENT_PREFIX}${item}` } },
  },
})
const paging = { startIndex: { type: 'integer', minimum: 0 }, count: { type: 'integer', minimum: 1, maximum: 1024 } } as const

/** Request bodies (validated) and answers (documented), by name. */
export const PRODUCT_SCHEMAS: Readonly<Record<string, JsonSchema>> = {
  Register: object({ name: { type: 'string', pattern: '^[A-Za-z0-9._-]{3,64}$' }, email: { type: 'string', format: 'email', maxLength: 255 }, password }, [
    'name',
    'email',
    'password',
  ]),
  Activate: object({ token: text(128) }, ['token']),
  Login: object({ username: text(255), password, scopes }, ['username', 'password']),
  Refresh: object({ refresh_token: text(256) }, ['refresh_token']),
  ResetRequest: object({ email: { type: 'string', format: 'email', maxLength: 255 } }, ['email']),
  ResetConfirm: object({ token: text(128), newPassword: password }, ['token', 'newPassword']),
  AccountUpdate: object({
    name: { type: 'string', pattern: '^[A-Za-z0-9._-]{3,64}$' },
    email: { type: 'string', format: 'email', maxLength: 255 },
    password: { ...password, description: 'the current password; needed to change the e-mail address' },
  }),
  ChangePassword: object({ oldPassword: password, newPassword: password, verifyPassword: password }, ['oldPassword', 'newPassword', 'verifyPassword']),
  AppCreate: object({ name: { type: 'string', pattern: '^[A-Za-z0-9 ._-]{3,64}$' }, url: { type: 'string', format: 'uri', pattern: '^https?://', maxLength: 255 }, scopes }, [
    'name',
    'url',
  ]),
  AppUpdate: object({ name: { type: 'string', pattern: '^[A-Za-z0-9 ._-]{3,64}$' }, url: { type: 'string', format: 'uri', pattern: '^https?://', maxLength: 255 }, scopes }),
  TokenCreate: object({ name: { type: 'string', pattern: '^[A-Za-z0-9 ._-]{3,64}$' }, scopes, expire: { type: 'string', format: 'date-time' } }, ['name', 'scopes']),
  Authorize: object(
    {
      responseType: { type: 'string', enum: ['code'] },
      clientId: text(64),
      redirectUri: { type: 'string', format: 'uri', maxLength: 1024 },
      scope: { type: 'string', maxLength: 2048 },
      state: { type: 'string', maxLength: 1024 },
      codeChallenge: { type: 'string', pattern: '^[A-Za-z0-9._~-]{43,128}$' },
      codeChallengeMethod: { type: 'string', enum: ['S256'] },
      allow: { type: 'boolean' },
    },
    ['responseType', 'clientId', 'redirectUri', 'codeChallenge', 'codeChallengeMethod', 'allow'],
  ),
  TokenRequest: {
    type: 'object',
    properties: {
      grant_type: { type: 'string', maxLength: 64, description: 'client_credentials, password, authorization_code or refresh_token' },
      scope: { type: 'string', maxLength: 2048 },
      username: text(255),
      password,
      code: text(128),
      redirect_uri: { type: 'string', maxLength: 1024 },
      code_verifier: { type: 'string', pattern: '^[A-Za-z0-9._~-]{43,128}$' },
      refresh_token: text(256),
      client_id: text(64),
      client_secret: text(128),
    },
    required: ['grant_type'],
  },
  Revoke: { type: 'object', properties: { token: text(4096), token_type_hint: { type: 'string' } }, required: ['token'] },
  UserCreate: object(
    { name: { type: 'string', pattern: '^[A-Za-z0-9._-]{3,64}$' }, email: { type: 'string', format: 'email', maxLength: 255 }, password, role: text(64), plan: text(64) },
    ['name', 'email', 'password'],
  ),
  UserUpdate: object({ status: { type: 'string', enum: ['active', 'disabled'] }, role: text(64), plan: { type: ['string', 'null'], maxLength: 64 }, points: { type: 'integer', minimum: 0 } }),
  AppStatus: object({ status: { type: 'string', enum: ['active', 'pending', 'deactivated'] } }, ['status']),

  Message: { type: 'object', properties: { success: { type: 'boolean' }, message: { type: 'string' }, id: { type: ['string', 'integer'] } } },
  AccessToken: {
    type: 'object',
    properties: {
      access_token: { type: 'string' },
      token_type: { type: 'string', const: 'bearer' },
      expires_in: { type: 'integer' },
      refresh_token: { type: 'string' },
      scope: { type: 'string' },
    },
  },
  ConsumerToken: { type: 'object', properties: { token: { type: 'string' }, expires_in: { type: 'integer' }, refresh_token: { type: 'string' } } },
  Account: {
    type: 'object',
    properties: {
      id: { type: 'integer' },
      status: { type: 'string' },
      name: { type: 'string' },
      email: { type: 'string' },
      role: { type: 'string' },
      plan: { type: ['string', 'null'] },
      points: { type: 'integer' },
      scopes: { type: 'array', items: { type: 'string' } },
      date: { type: 'string', format: 'date-time' },
    },
  },
  Account_Collection: collection('Account'),
  App: {
    type: 'object',
    properties: {
      id: { type: 'integer' },
      userId: { type: 'integer' },
      status: { type: 'string', enum: ['active', 'pending', 'deactivated'] },
      name: { type: 'string' },
      url: { type: 'string' },
      appKey: { type: 'string' },
      appSecret: { type: 'string', description: 'only in the answer that created the app' },
      scopes: { type: 'array', items: { type: 'string' } },
      date: { type: 'string', format: 'date-time' },
    },
  },
  App_Collection: collection('App'),
  Token: {
    type: 'object',
    properties: {
      id: { type: 'integer' },
      name: { type: ['string', 'null'] },
      kind: { type: 'string', enum: ['access', 'personal'] },
      appId: { type: ['integer', 'null'] },
      scopes: { type: 'array', items: { type: 'string' } },
      expires: { type: 'string', format: 'date-time' },
      revoked: { type: 'boolean' },
      ip: { type: ['string', 'null'] },
      date: { type: 'string', format: 'date-time' },
      accessToken: { type: 'string', description: 'only in the answer that created a personal token' },
    },
  },
  Token_Collection: collection('Token'),
  Scope: { type: 'object', properties: { name: { type: 'string' }, description: { type: 'string' } } },
  Scope_Collection: collection('Scope'),
  Plan: { type: 'object', properties: { name: { type: 'string' }, description: { type: 'string' }, price: { type: 'number' }, points: { type: 'integer' }, period: { type: 'integer' } } },
  Plan_Collection: collection('Plan'),
  Log: {
    type: 'object',
    properties: {
      id: { type: 'integer' },
      operationId: { type: 'string' },
      userId: { type: ['integer', 'null'] },
      appKey: { type: ['string', 'null'] },
      ip: { type: 'string' },
      method: { type: 'string' },
      path: { type: 'string' },
      status: { type: 'integer' },
      duration: { type: 'integer', description: 'milliseconds' },
      userAgent: { type: ['string', 'null'] },
      date: { type: 'string', format: 'date-time' },
    },
  },
  Log_Collection: collection('Log'),
  Identity: { type: 'object', properties: { name: { type: 'string' }, class: { type: 'string' }, redirect: { type: 'string' } } },
  Identity_Collection: collection('Identity'),
  WhoAmI: {
    type: 'object',
    properties: {
      sub: { type: 'string' },
      id: { type: 'integer' },
      name: { type: 'string' },
      email: { type: 'string' },
      scopes: { type: 'array', items: { type: 'string' } },
      clientId: { type: 'string' },
    },
  },
}

const consumer = 'consumer' as const
const backend = 'backend' as const

export const PRODUCT_OPERATIONS: readonly ProductOperation[] = [
  // OAuth2 (RFC 6749, 7009, 8414) and Fusio's whoami
  { id: 'authorization.token', method: 'POST', path: '/authorization/token', access: 'public', summary: 'Issues an access token (client_credentials, password, authorization_code with PKCE, refresh_token)', body: 'TokenRequest', bodyCheckedByHandler: true, form: true, response: 'AccessToken' },
  { id: 'authorization.revoke', method: 'POST', path: '/authorization/revoke', access: 'public', summary: 'Revokes an access or refresh token', body: 'Revoke', form: true, response: 'Message' },
  { id: 'authorization.whoami', method: 'GET', path: '/authorization/whoami', access: 'token', summary: 'The user and app the token belongs to', response: 'WhoAmI' },
  // The consumer API behind the developer portal
  { id: 'consumer.register', method: 'POST', path: '/consumer/register', access: 'public', summary: 'Creates an account; it is activated by the mailed token', body: 'Register', response: 'Message', status: 201, perIp: HOURLY_20 },
  { id: 'consumer.activate', method: 'POST', path: '/consumer/activate', access: 'public', summary: 'Activates an account with the token from the mail', body: 'Activate', response: 'Message' },
  { id: 'consumer.login', method: 'POST', path: '/consumer/login', access: 'public', summary: 'Logs in with name or e-mail and password', body: 'Login', response: 'ConsumerToken' },
  { id: 'consumer.refresh', method: 'PUT', path: '/consumer/login', access: 'public', summary: 'Exchanges a refresh token for a new token', body: 'Refresh', response: 'ConsumerToken' },
  { id: 'consumer.resetRequest', method: 'POST', path: '/consumer/password_reset', access: 'public', summary: 'Mails a password reset token', body: 'ResetRequest', response: 'Message', perIp: HOURLY_20 },
  { id: 'consumer.resetConfirm', method: 'PUT', path: '/consumer/password_reset', access: 'public', summary: 'Sets a new password with the mailed token', body: 'ResetConfirm', response: 'Message' },
  { id: 'consumer.account.get', method: 'GET', path: '/consumer/account', access: consumer, summary: 'The own account', response: 'Account' },
  { id: 'consumer.account.update', method: 'PUT', path: '/consumer/account', access: consumer, summary: 'Changes the own name or e-mail', body: 'AccountUpdate', response: 'Message' },
  { id: 'consumer.account.changePassword', method: 'PUT', path: '/consumer/account/change_password', access: consumer, summary: 'Changes the own password', body: 'ChangePassword', response: 'Message' },
  { id: 'consumer.app.getAll', method: 'GET', path: '/consumer/app', access: consumer, summary: 'The own apps', response: 'App_Collection', query: paging },
  { id: 'consumer.app.create', method: 'POST', path: '/consumer/app', access: consumer, summary: 'Creates an app; the answer shows its secret once', body: 'AppCreate', response: 'App', status: 201 },
  { id: 'consumer.app.get', method: 'GET', path: '/consumer/app/:app_id', access: consumer, summary: 'One own app', response: 'App' },
  { id: 'consumer.app.update', method: 'PUT', path: '/consumer/app/:app_id', access: consumer, summary: 'Changes an own app', body: 'AppUpdate', response: 'Message' },
  { id: 'consumer.app.delete', method: 'DELETE', path: '/consumer/app/:app_id', access: consumer, summary: 'Deletes an own app and revokes its tokens', response: 'Message' },
  { id: 'consumer.token.getAll', method: 'GET', path: '/consumer/token', access: consumer, summary: 'The own tokens', response: 'Token_Collection', query: paging },
  { id: 'consumer.token.create', method: 'POST', path: '/consumer/token', access: consumer, summary: 'Creates a personal access token; the answer shows it once', body: 'TokenCreate', response: 'Token', status: 201 },
  { id: 'consumer.token.get', method: 'GET', path: '/consumer/token/:token_id', access: consumer, summary: 'One own token', response: 'Token' },
  { id: 'consumer.token.delete', method: 'DELETE', path: '/consumer/token/:token_id', access: consumer, summary: 'Revokes an own token', response: 'Message' },
  { id: 'consumer.authorize', method: 'POST', path: '/consumer/authorize', access: consumer, summary: 'Answers an app’s authorization request (code flow consent)', body: 'Authorize', response: 'Message' },
  { id: 'consumer.scope.getAll', method: 'GET', path: '/consumer/scope', access: consumer, summary: 'The scopes the own account holds', response: 'Scope_Collection' },
  { id: 'consumer.plan.getAll', method: 'GET', path: '/consumer/plan', access: consumer, summary: 'The plans on offer', response: 'Plan_Collection' },
  { id: 'consumer.log.getAll', method: 'GET', path: '/consumer/log', access: consumer, summary: 'The own calls, newest first', response: 'Log_Collection', query: paging },
  { id: 'consumer.log.get', method: 'GET', path: '/consumer/log/:log_id', access: consumer, summary: 'One own call', response: 'Log' },
  { id: 'consumer.identity.getAll', method: 'GET', path: '/consumer/identity', access: 'public', summary: 'The login providers', response: 'Identity_Collection' },
  { id: 'consumer.identity.redirect', method: 'GET', path: '/consumer/identity/:identity/redirect', access: 'public', summary: 'Starts a login at the provider (302)', status: 302, perIp: { limit: 60, windowSeconds: 600 } },
  { id: 'consumer.identity.exchange', method: 'GET', path: '/consumer/identity/:identity/exchange', access: 'public', summary: 'The provider’s callback: logs in and returns to the portal (302)', status: 302 },
  // Administration
  { id: 'backend.user.getAll', method: 'GET', path: '/backend/user', access: backend, summary: 'All users', response: 'Account_Collection', query: { ...paging, search: { type: 'string' } } },
  { id: 'backend.user.create', method: 'POST', path: '/backend/user', access: backend, summary: 'Creates an active user', body: 'UserCreate', response: 'Message', status: 201 },
  { id: 'backend.user.get', method: 'GET', path: '/backend/user/:user_id', access: backend, summary: 'One user', response: 'Account' },
  { id: 'backend.user.update', method: 'PUT', path: '/backend/user/:user_id', access: backend, summary: 'Changes a user’s status, role, plan or points', body: 'UserUpdate', response: 'Message' },
  { id: 'backend.user.delete', method: 'DELETE', path: '/backend/user/:user_id', access: backend, summary: 'Deletes a user with their apps and tokens', response: 'Message' },
  { id: 'backend.app.getAll', method: 'GET', path: '/backend/app', access: backend, summary: 'All apps', response: 'App_Collection', query: { ...paging, status: { type: 'string' } } },
  { id: 'backend.app.get', method: 'GET', path: '/backend/app/:app_id', access: backend, summary: 'One app', response: 'App' },
  { id: 'backend.app.update', method: 'PUT', path: '/backend/app/:app_id', access: backend, summary: 'Approves or deactivates an app', body: 'AppStatus', response: 'Message' },
  { id: 'backend.app.delete', method: 'DELETE', path: '/backend/app/:app_id', access: backend, summary: 'Deletes an app and revokes its tokens', response: 'Message' },
  { id: 'backend.scope.getAll', method: 'GET', path: '/backend/scope', access: backend, summary: 'All scopes', response: 'Scope_Collection' },
  { id: 'backend.log.getAll', method: 'GET', path: '/backend/log', access: backend, summary: 'All calls, newest first', response: 'Log_Collection', query: { ...paging, operation: { type: 'string' }, userId: { type: 'integer' } } },
  { id: 'backend.log.prune', method: 'DELETE', path: '/backend/log', access: backend, summary: 'Deletes calls older than `before` (ISO date)', response: 'Message', query: { before: { type: 'string', format: 'date-time' } } },
]

/** Request body schemas the compiler precompiles into validators (`validateProduct<Name>`). */
export const PRODUCT_BODIES: readonly string[] = [...new Set(PRODUCT_OPERATIONS.flatMap((op) => (op.body ? [op.body] : [])))].sort()
