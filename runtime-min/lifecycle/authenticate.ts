/**
 * onRequest, per operation: Bearer JWT (RFC 9068) verification and the scope check. The algorithms
 * are pinned by configuration, never taken from the token. Private operations need a token with one
 * of their scopes (a scope without a dot covers its sub-scopes); on public ones a valid token only
 * identifies the caller and an invalid one is ignored, as in Fusio.
 */
import type { FastifyRequest } from 'fastify'
import { jwtVerify, type JWTVerifyGetKey, type JWTVerifyOptions } from 'jose'
import type { KeySet } from '../auth/keys.js'
import { FusioError } from '../errors.js'
import type { Principal, RouteDefinition } from '../types.js'

export interface TokenVerifier {
  /** The caller a token names: at once for a token verified before, after the signature check otherwise. Throws or rejects when it is not valid. */
  verify(token: string): Principal | Promise<Principal>
}

declare module 'fastify' {
  interface FastifyRequest {
    fusioUser: Principal | undefined
  }
}

const REALM = 'Bearer realm="Fusio"'

const VERIFIED_FOR_MS = 60_000
const VERIFIED_MAX = 10_000

/** Jtis of revoked tokens that have not expired yet (kept by the product layer). */
export interface RevocationList {
  has(jti: string): boolean
}

/**
 * Verifies with the configured keys (the algorithm is each key's own), plus FUSIO_JWT_ISSUER and
 * FUSIO_JWT_AUDIENCE when set. Undefined when no key is configured.
 */
export function createTokenVerifier(
  keys: KeySet | undefined,
  env: Readonly<Record<string, string | undefined>>,
  revoked?: RevocationList,
): TokenVerifier | undefined {
  if (!keys) return undefined
  const options: JWTVerifyOptions = {
    algorithms: [...keys.algorithms],
    requiredClaims: ['sub', 'exp'],
    ...(env.FUSIO_JWT_ISSUER ? { issuer: env.FUSIO_JWT_ISSUER } : {}),
    ...(env.FUSIO_JWT_AUDIENCE ? { audience: env.FUSIO_JWT_AUDIENCE } : {}),
  }
  const lookup: JWTVerifyGetKey = (header) => keys.lookup(header)
  // A client sends the same token many times: a token verified once is trusted until it expires (at
  // most a minute from now), so repeated calls skip the signature check. Revocation is checked on every call.
  const verified = new Map<string, { principal: Principal; until: number }>()
  const remember = (token: string, payload: Record<string, unknown>, now: number): Principal => {
    const scope = payload.scope
    const principal: Principal = {
      subject: String(payload.sub),
      ...(typeof payload.client_id === 'string' ? { clientId: payload.client_id } : {}),
      scopes: typeof scope === 'string' ? scope.split(' ').filter(Boolean) : Array.isArray(scope) ? scope.map(String) : [],
      claims: payload,
    }
    if (verified.size >= VERIFIED_MAX) verified.delete(verified.keys().next().value!)
    verified.set(token, { principal, until: Math.min(Number(payload.exp) * 1000, now + VERIFIED_FOR_MS) })
    return principal
  }
  const unrevoked = (principal: Principal): Principal => {
    const jti = principal.claims.jti
    if (revoked && typeof jti === 'string' && revoked.has(jti)) throw new Error('the token has been revoked')
    return principal
  }
  return {
    verify(token) {
      const now = Date.now()
      const entry = verified.get(token)
      if (entry && entry.until > now) return unrevoked(entry.principal)
      return jwtVerify(token, lookup, options).then(({ payload }) => unrevoked(remember(token, payload as Record<string, unknown>, now)))
    },
  }
}

/** `todo` covers `todo` and `todo.write`; `todo.write` covers only itself. */
export function scopeCovers(granted: string, required: string): boolean {
  return granted === required || (!granted.includes('.') && required.startsWith(`${granted}.`))
}

export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization
  if (!header) return undefined
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header)
  return match ? match[1] : ''
}

/** Calls back with the token's caller, or with the reason it is not valid; synchronously for a cached token. */
function settle(verifier: TokenVerifier, token: string, callback: (principal: Principal | undefined, error?: unknown) => void): void {
  let result: Principal | Promise<Principal>
  try {
    result = verifier.verify(token)
  } catch (error) {
    return callback(undefined, error)
  }
  if (result instanceof Promise) result.then((principal) => callback(principal), (error: unknown) => callback(undefined, error))
  else callback(result)
}

type AuthenticateHook = (request: FastifyRequest, reply: unknown, done: (error?: Error) => void) => void

export function createAuthenticate(route: Pick<RouteDefinition, 'public' | 'scopes'>, verifier: TokenVerifier | undefined): AuthenticateHook {
  if (route.public) {
    // Most calls of a public operation carry no token: they pass without a promise or a closure.
    return (request, _reply, done) => {
      const token = bearerToken(request)
      if (!token || !verifier) return done()
      // An invalid token on a public operation is ignored: the call proceeds anonymously.
      settle(verifier, token, (principal) => {
        if (principal) request.fusioUser = principal
        done()
      })
    }
  }
  const scopeList = route.scopes.join(' ')
  return (request, _reply, done) => {
    const token = bearerToken(request)
    if (token === undefined) {
      return done(new FusioError('FUSIO_ERR_AUTH_TOKEN_MISSING', 'this operation needs an access token (Authorization: Bearer …)', { headers: { 'www-authenticate': REALM } }))
    }
    if (!verifier) {
      return done(new FusioError('FUSIO_ERR_AUTH_NOT_CONFIGURED', 'no token verification key is configured (set FUSIO_JWT_SECRET or FUSIO_JWKS)', { headers: { 'www-authenticate': REALM } }))
    }
    settle(verifier, token, (principal, error) => {
      if (!principal) {
        const reason = error instanceof Error ? error.message : 'invalid token'
        return done(
          new FusioError('FUSIO_ERR_AUTH_TOKEN_INVALID', `the access token is not valid: ${reason}`, {
            headers: { 'www-authenticate': `${REALM}, error="invalid_token", error_description="${reason.replace(/"/g, "'")}"` },
          }),
        )
      }
      if (!route.scopes.some((required) => principal.scopes.some((granted) => scopeCovers(granted, required)))) {
        return done(
          new FusioError('FUSIO_ERR_AUTH_SCOPE_MISSING', `the access token has none of the scopes this operation needs (${scopeList || 'none is assigned'})`, {
            headers: { 'www-authenticate': `${REALM}, error="insufficient_scope", scope="${scopeList}"` },
          }),
        )
      }
      request.fusioUser = principal
      done()
    })
  }
}
