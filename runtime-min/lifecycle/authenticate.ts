/**
 * onRequest, per operation: Bearer JWT (RFC 9068) verification and the scope check. The algorithms
 * are pinned by configuration, never taken from the token. Private operations need a token with one
 * of their scopes (a scope without a dot covers its sub-scopes); on public ones a valid token only
 * identifies the caller and an invalid one is ignored, as in Fusio.
 */
import type { FastifyBaseLogger, FastifyRequest, onRequestHookHandler } from 'fastify'
import { createLocalJWKSet, jwtVerify, type JWTVerifyGetKey, type JWTVerifyOptions } from 'jose'
import { FusioError } from '../errors.js'
import type { Principal, RouteDefinition } from '../types.js'

export interface TokenVerifier {
  verify(token: string): Promise<Principal>
}

declare module 'fastify' {
  interface FastifyRequest {
    fusioUser: Principal | undefined
  }
}

const REALM = 'Bearer realm="Fusio"'

/**
 * From the environment: FUSIO_JWT_SECRET (HMAC, HS256 unless FUSIO_JWT_ALGORITHMS says otherwise)
 * or FUSIO_JWKS (a JSON key set; RS256 and ES256 unless FUSIO_JWT_ALGORITHMS says otherwise), plus
 * optional FUSIO_JWT_ISSUER and FUSIO_JWT_AUDIENCE. Undefined when nothing is configured.
 */
export function createTokenVerifier(env: Readonly<Record<string, string | undefined>>, log: FastifyBaseLogger): TokenVerifier | undefined {
  const listed = env.FUSIO_JWT_ALGORITHMS?.split(',').map((a) => a.trim()).filter(Boolean)
  let key: Uint8Array | JWTVerifyGetKey
  let algorithms: string[]
  if (env.FUSIO_JWT_SECRET) {
    key = new TextEncoder().encode(env.FUSIO_JWT_SECRET)
    algorithms = listed ?? ['HS256']
    if (key.length < 32) log.warn('FUSIO_JWT_SECRET is shorter than 32 bytes; use a longer random secret')
  } else if (env.FUSIO_JWKS) {
    key = createLocalJWKSet(JSON.parse(env.FUSIO_JWKS))
    algorithms = listed ?? ['RS256', 'ES256']
  } else {
    return undefined
  }
  const options: JWTVerifyOptions = {
    algorithms,
    requiredClaims: ['sub', 'exp'],
    ...(env.FUSIO_JWT_ISSUER ? { issuer: env.FUSIO_JWT_ISSUER } : {}),
    ...(env.FUSIO_JWT_AUDIENCE ? { audience: env.FUSIO_JWT_AUDIENCE } : {}),
  }
  return {
    async verify(token) {
      const { payload } = await jwtVerify(token, key as Uint8Array, options)
      const scope = payload.scope
      const scopes = typeof scope === 'string' ? scope.split(' ').filter(Boolean) : Array.isArray(scope) ? scope.map(String) : []
      return {
        subject: String(payload.sub),
        ...(typeof payload.client_id === 'string' ? { clientId: payload.client_id } : {}),
        scopes,
        claims: payload as Record<string, unknown>,
      }
    },
  }
}

/** `todo` covers `todo` and `todo.write`; `todo.write` covers only itself. */
export function scopeCovers(granted: string, required: string): boolean {
  return granted === required || (!granted.includes('.') && required.startsWith(`${granted}.`))
}

function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization
  if (!header) return undefined
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header)
  return match ? match[1] : ''
}

export function createAuthenticate(route: RouteDefinition, verifier: TokenVerifier | undefined): onRequestHookHandler {
  if (route.public) {
    // Most calls of a public operation carry no token: they pass without creating a promise.
    return (request, _reply, done) => {
      const token = bearerToken(request)
      if (!token || !verifier) return done()
      verifier.verify(token).then(
        (principal) => {
          request.fusioUser = principal
          done()
        },
        // An invalid token on a public operation is ignored: the call proceeds anonymously.
        () => done(),
      )
    }
  }
  const scopeList = route.scopes.join(' ')
  return async (request) => {
    const token = bearerToken(request)
    if (token === undefined) {
      throw new FusioError('FUSIO_ERR_AUTH_TOKEN_MISSING', 'this operation needs an access token (Authorization: Bearer …)', { headers: { 'www-authenticate': REALM } })
    }
    if (!verifier) {
      throw new FusioError('FUSIO_ERR_AUTH_NOT_CONFIGURED', 'no token verification key is configured (set FUSIO_JWT_SECRET or FUSIO_JWKS)', { headers: { 'www-authenticate': REALM } })
    }
    let principal: Principal
    try {
      principal = await verifier.verify(token)
    } catch (error) {
      const reason = error instanceof Error ? error.message : 'invalid token'
      throw new FusioError('FUSIO_ERR_AUTH_TOKEN_INVALID', `the access token is not valid: ${reason}`, {
        headers: { 'www-authenticate': `${REALM}, error="invalid_token", error_description="${reason.replace(/"/g, "'")}"` },
      })
    }
    if (!route.scopes.some((required) => principal.scopes.some((granted) => scopeCovers(granted, required)))) {
      throw new FusioError('FUSIO_ERR_AUTH_SCOPE_MISSING', `the access token has none of the scopes this operation needs (${scopeList || 'none is assigned'})`, {
        headers: { 'www-authenticate': `${REALM}, error="insufficient_scope", scope="${scopeList}"` },
      })
    }
    request.fusioUser = principal
  }
}
