/**
 * OAuth 2.0 under /authorization: the token endpoint (RFC 6749 grants client_credentials, password,
 * authorization_code with PKCE (RFC 7636, S256 only) and refresh_token), revocation (RFC 7009),
 * Fusio's whoami, the authorize endpoint (which hands the consent to the developer portal) and the
 * discovery documents (RFC 8414, OpenID Connect discovery, RFC 9728). Token endpoint errors use
 * RFC 6749's `{error, error_description}` shape, as OAuth clients expect.
 */
import { createHash } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { FusioError } from '../../errors.js'
import { fieldError } from '../../lifecycle/problem.js'
import { activeUser, authenticateUser } from '../accounts.js'
import { consumeSecret, loginThrottle, message, userScopes, type ProductContext } from '../context.js'
import { sameHash, sha256 } from '../secrets.js'
import { num, type App, type User } from '../store.js'
import { apiScopes, grantScopes, splitScopes, type Issued } from '../tokens.js'
import type { ProductHandlers } from './handlers.js'

class OAuthError extends Error {
  constructor(
    readonly error: string,
    description: string,
    readonly status = 400,
  ) {
    super(description)
  }
}

interface TokenBody {
  grant_type: string
  scope?: string
  username?: string
  password?: string
  code?: string
  redirect_uri?: string
  code_verifier?: string
  refresh_token?: string
  client_id?: string
  client_secret?: string
}

/** HTTP Basic (RFC 6749 §2.3.1: form-encoded parts) or client_id/client_secret in the body. */
function clientCredentials(request: FastifyRequest, body: TokenBody): { id: string; secret: string } | undefined {
  const header = request.headers.authorization
  const basic = header ? /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header) : null
  if (basic) {
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8')
    const colon = decoded.indexOf(':')
    if (colon < 0) throw new OAuthError('invalid_client', 'the Basic credentials need the form id:secret', 401)
    const decode = (part: string) => decodeURIComponent(part.replace(/\+/g, ' '))
    try {
      return { id: decode(decoded.slice(0, colon)), secret: decode(decoded.slice(colon + 1)) }
    } catch {
      throw new OAuthError('invalid_client', 'the Basic credentials are not form-encoded correctly', 401)
    }
  }
  if (body.client_id !== undefined && body.client_secret !== undefined) return { id: body.client_id, secret: body.client_secret }
  return undefined
}

const appByKey = (context: ProductContext, key: string) => context.db.selectFrom('fusio_app').selectAll().where('app_key', '=', key).executeTakeFirst()

/** The active app with these credentials; failures count towards the throttle like failed logins. */
async function authenticateApp(context: ProductContext, request: FastifyRequest, credentials: { id: string; secret: string }, found?: App): Promise<App> {
  const [app, attempt] = await Promise.all([found ?? appByKey(context, credentials.id), loginThrottle(context).attempt(credentials.id, request.ip)])
  if (!app || !sameHash(app.secret_hash, sha256(credentials.secret))) throw new OAuthError('invalid_client', 'the client credentials are wrong', 401)
  await attempt.succeeded()
  if (app.status !== 'active') throw new OAuthError('unauthorized_client', `the app is ${app.status}`)
  return app
}

/** The scope sets a grant must fit: the user's, and through an app also the app's (never the product's own). */
function allowedFor(context: ProductContext, user: User, app?: App): (readonly string[])[] {
  return app ? [apiScopes(splitScopes(app.scopes)), userScopes(context, user)] : [userScopes(context, user)]
}

function tokenAnswer(issued: Issued) {
  return {
    access_token: issued.accessToken,
    token_type: 'bearer',
    expires_in: issued.expiresIn,
    ...(issued.refreshToken ? { refresh_token: issued.refreshToken } : {}),
    scope: issued.scopes.join(' '),
  }
}

/** Account problems become OAuth errors; everything else (throttling, a database down) stays a problem. */
async function asGrant<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work()
  } catch (error) {
    if (error instanceof FusioError) {
      if (error.code === 'FUSIO_ERR_ACCOUNT_CREDENTIALS' || error.code === 'FUSIO_ERR_ACCOUNT_NOT_ACTIVE' || error.code === 'FUSIO_ERR_AUTH_TOKEN_INVALID') {
        throw new OAuthError('invalid_grant', error.message)
      }
      if (error.code === 'FUSIO_ERR_SCOPE_NOT_ALLOWED') throw new OAuthError('invalid_scope', error.message)
    }
    throw error
  }
}

async function grant(context: ProductContext, request: FastifyRequest, body: TokenBody): Promise<Issued> {
  const client = clientCredentials(request, body)
  const ip = request.ip
  const requested = splitScopes(body.scope)
  const issue = (user: User, app: App | undefined, scopes: string[], refresh: boolean) =>
    context.tokens.issue({ user, ...(app ? { app: { id: Number(app.id), app_key: app.app_key } } : {}), scopes, kind: 'access', refresh, ip, issuer: context.issuer(request) })
  switch (body.grant_type) {
    case 'client_credentials': {
      if (!client) throw new OAuthError('invalid_client', 'client_credentials needs the app key and secret (HTTP Basic)', 401)
      // Fusio also accepts a user's name and password here; an app key is tried first.
      const app = await appByKey(context, client.id)
      if (!app) {
        const user = await asGrant(() => authenticateUser(context, client.id, client.secret, ip))
        return issue(user, undefined, await asGrant(async () => grantScopes(requested, ...allowedFor(context, user))), true)
      }
      const authenticated = await authenticateApp(context, request, client, app)
      const user = await asGrant(() => activeUser(context, Number(authenticated.user_id)))
      return issue(user, authenticated, await asGrant(async () => grantScopes(requested, ...allowedFor(context, user, authenticated))), false)
    }
    case 'password': {
      if (body.username === undefined || body.password === undefined) throw new OAuthError('invalid_request', 'the password grant needs username and password')
      const app = client ? await authenticateApp(context, request, client) : undefined
      const user = await asGrant(() => authenticateUser(context, body.username!, body.password!, ip))
      if (app && Number(app.user_id) !== Number(user.id)) throw new OAuthError('invalid_grant', 'the app belongs to another account')
      return issue(user, app, await asGrant(async () => grantScopes(requested, ...allowedFor(context, user, app))), true)
    }
    case 'authorization_code': {
      if (!body.code || !body.redirect_uri || !body.code_verifier) throw new OAuthError('invalid_request', 'authorization_code needs code, redirect_uri and code_verifier')
      // Apps are confidential clients: the code is only worth something with the app's secret (RFC 6749 §4.1.3).
      if (!client) throw new OAuthError('invalid_client', 'authorization_code needs the app key and secret (HTTP Basic)', 401)
      const secret = await consumeSecret(context, 'code', body.code)
      if (!secret) throw new OAuthError('invalid_grant', 'the code is unknown, used or expired')
      const data = secret.data as { appId: number; clientId: string; redirectUri: string; scopes: string[]; challenge: string }
      if (client.id !== data.clientId) throw new OAuthError('invalid_grant', 'the code was issued to another client')
      const app = await authenticateApp(context, request, client)
      if (body.redirect_uri !== data.redirectUri) throw new OAuthError('invalid_grant', 'redirect_uri differs from the authorization request')
      const challenge = createHash('sha256').update(body.code_verifier).digest('base64url')
      if (!sameHash(challenge, data.challenge)) throw new OAuthError('invalid_grant', 'the code_verifier does not match the code_challenge')
      const user = await asGrant(() => activeUser(context, secret.userId!))
      return issue(user, app, await asGrant(async () => grantScopes(data.scopes, ...allowedFor(context, user, app))), true)
    }
    case 'refresh_token': {
      if (!body.refresh_token) throw new OAuthError('invalid_request', 'refresh_token is missing')
      const row = await context.tokens.redeemRefresh(body.refresh_token)
      if (!row) throw new OAuthError('invalid_grant', 'the refresh token is unknown, used, revoked or expired')
      const owner = row.app_id === null ? undefined : await context.db.selectFrom('fusio_app').selectAll().where('id', '=', row.app_id).executeTakeFirst()
      if (row.app_id !== null && !owner) throw new OAuthError('unauthorized_client', 'the app no longer exists')
      // A refresh token of an app is redeemed only with that app's credentials (RFC 6749 §6).
      if (owner && !client) throw new OAuthError('invalid_client', 'this refresh token needs its app key and secret (HTTP Basic)', 401)
      if (owner && client!.id !== owner.app_key) throw new OAuthError('invalid_grant', 'the refresh token belongs to another client')
      const app = owner ? await authenticateApp(context, request, client!, owner) : undefined
      const user = await asGrant(() => activeUser(context, Number(row.user_id)))
      // Never more than the original grant (RFC 6749 §6), and only what is still allowed (a role may have changed).
      return issue(user, app, await asGrant(async () => grantScopes(requested, splitScopes(row.scopes), ...allowedFor(context, user, app))), true)
    }
    default:
      throw new OAuthError('unsupported_grant_type', `grant_type "${body.grant_type}" is not supported`)
  }
}

export const authorizationHandlers: ProductHandlers = {
  async 'authorization.token'(request, reply, context) {
    // RFC 6749 §5.2 wants its own error shape, so the body is checked here rather than by the route.
    const validate = context.settings.validators.TokenRequest
    reply.header('cache-control', 'no-store').header('pragma', 'no-cache')
    try {
      if (!validate(request.body)) {
        const issues = (validate.errors ?? []).map((issue) => fieldError(issue, 'body'))
        throw new OAuthError('invalid_request', issues.map((e) => `${e.field || 'body'} ${e.message}`).join('; '))
      }
      return tokenAnswer(await grant(context, request, request.body as TokenBody))
    } catch (error) {
      if (!(error instanceof OAuthError)) throw error
      if (error.status === 401 && request.headers.authorization) reply.header('www-authenticate', 'Basic realm="Fusio"')
      return reply.code(error.status).send({ error: error.error, error_description: error.message })
    }
  },
  async 'authorization.revoke'(request, _reply, context) {
    const { token } = request.body as { token: string }
    // RFC 7009: an unknown or invalid token is not an error; a JWT is revoked by its jti once its
    // signature holds (nobody revokes by a forged jti), a refresh token by its hash.
    if (token.split('.').length === 3) {
      const principal = await (async () => context.verifier.verify(token))().catch(() => undefined)
      const jti = principal?.claims.jti
      if (typeof jti === 'string') await context.tokens.revoke({ jti })
    } else {
      const row = await context.db.selectFrom('fusio_token').select('jti').where('refresh_hash', '=', sha256(token)).executeTakeFirst()
      if (row) await context.tokens.revoke({ jti: row.jti })
    }
    return message('Token revoked')
  },
  async 'authorization.whoami'(request, _reply, context) {
    const principal = request.fusioUser!
    const user = await context.db.selectFrom('fusio_user').selectAll().where('id', '=', Number(principal.subject)).executeTakeFirst()
    return {
      sub: principal.subject,
      ...(user ? { id: num(user.id), name: user.name, email: user.email } : { name: String(principal.claims.name ?? principal.subject) }),
      scopes: principal.scopes,
      ...(principal.clientId ? { clientId: principal.clientId } : {}),
    }
  },
}

/** Redirect URIs must share the app URL's origin, as in Fusio. */
export function allowedRedirect(app: Pick<App, 'url'>, redirectUri: string): boolean {
  try {
    return new URL(redirectUri).origin === new URL(app.url).origin
  } catch {
    return false
  }
}

/** GET /authorization/authorize hands the request to the portal's consent page; errors before that are shown, not redirected. */
export function registerAuthorizationPages(app: FastifyInstance, context: ProductContext): void {
  app.get('/authorization/authorize', async (request: FastifyRequest, reply: FastifyReply) => {
    const query = request.query as Record<string, string | undefined>
    if (query.response_type !== 'code') throw new FusioError('FUSIO_ERR_VALIDATION_QUERY', 'response_type must be code', { errors: [{ in: 'query', field: 'response_type', pointer: '/response_type', message: 'must be code' }] })
    const client = query.client_id ? await context.db.selectFrom('fusio_app').selectAll().where('app_key', '=', query.client_id).executeTakeFirst() : undefined
    if (!client || client.status !== 'active') throw new FusioError('FUSIO_ERR_RESOURCE_NOT_FOUND', 'there is no active app with this client_id')
    if (!query.redirect_uri || !allowedRedirect(client, query.redirect_uri)) {
      throw new FusioError('FUSIO_ERR_VALIDATION_QUERY', 'redirect_uri must be on the origin of the app URL', { errors: [{ in: 'query', field: 'redirect_uri', pointer: '/redirect_uri', message: 'must be on the app URL origin' }] })
    }
    const search = new URLSearchParams(Object.entries(query).filter((e): e is [string, string] => typeof e[1] === 'string')).toString()
    return reply.redirect(`${context.basePath}/developer/authorize?${search}`, 302)
  })
  const metadata = (request: FastifyRequest) => {
    const base = `${context.publicUrl(request)}${context.basePath}`
    return {
      issuer: context.issuer(request),
      authorization_endpoint: `${base}/authorization/authorize`,
      token_endpoint: `${base}/authorization/token`,
      revocation_endpoint: `${base}/authorization/revoke`,
      userinfo_endpoint: `${base}/authorization/whoami`,
      ...(context.publishedKeys.length > 0 ? { jwks_uri: `${base}/.well-known/jwks.json` } : {}),
      scopes_supported: context.settings.scopes.map((s) => s.name),
      response_types_supported: ['code'],
      grant_types_supported: ['authorization_code', 'client_credentials', 'password', 'refresh_token'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      revocation_endpoint_auth_methods_supported: ['none'],
      code_challenge_methods_supported: ['S256'],
      subject_types_supported: ['public'],
      service_documentation: `${base}/developer/`,
    }
  }
  app.get('/.well-known/oauth-authorization-server', async (request) => metadata(request))
  app.get('/.well-known/openid-configuration', async (request) => metadata(request))
  app.get('/.well-known/oauth-protected-resource', async (request) => {
    const base = `${context.publicUrl(request)}${context.basePath}`
    return { resource: base, authorization_servers: [context.issuer(request)], bearer_methods_supported: ['header'], scopes_supported: context.settings.scopes.map((s) => s.name) }
  })
  app.get('/.well-known/jwks.json', async () => ({ keys: context.publishedKeys }))
}

