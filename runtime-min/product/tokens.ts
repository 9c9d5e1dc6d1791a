/**
 * Access tokens: RFC 9068 JWTs (`typ: at+jwt`; sub, client_id, scope, jti, iat, exp, plus the user's
 * name and plan) signed with the service key, each recorded in fusio_token so it can be listed and
 * revoked. Refresh tokens are opaque, stored hashed, and rotate on use: redeeming one revokes the
 * access token it came with, and a spent one is refused. Revocations reach other instances through the database
 * within FUSIO_REVOCATION_POLL_MS (default 2000), and the revoking instance at once.
 */
import { randomUUID } from 'node:crypto'
import { SignJWT } from 'jose'
import type { FastifyBaseLogger } from 'fastify'
import type { KeySet } from '../auth/keys.js'
import type { SqlDialectName } from '../connections/sql.js'
import { FusioError } from '../errors.js'
import { scopeCovers, type RevocationList } from '../lifecycle/authenticate.js'
import type { ProductSettings } from '../types.js'
import { PRODUCT_SCOPES } from './api.js'
import { randomSecret, sha256 } from './secrets.js'
import { insertReturningId, type App, type ProductDb, type Token, type User } from './store.js'

export interface IssueInput {
  readonly user: Pick<User, 'id' | 'name' | 'plan'>
  readonly app?: Pick<App, 'id' | 'app_key'>
  readonly scopes: readonly string[]
  readonly kind: Token['kind']
  readonly name?: string
  readonly refresh: boolean
  readonly ip: string
  /** The `iss` claim. */
  readonly issuer: string
  /** Seconds; the configured access token lifetime when absent. */
  readonly lifetime?: number
}

export interface Issued {
  readonly id: number
  readonly jti: string
  readonly accessToken: string
  readonly expiresIn: number
  readonly refreshToken?: string
  readonly scopes: readonly string[]
}

/** client_id of tokens that belong to no app: the portal's own logins and personal tokens. */
export const CONSUMER_CLIENT = 'fusio-consumer'

export interface TokenService {
  issue(input: IssueInput): Promise<Issued>
  /** The stored token a refresh token belongs to, after rotating it out; undefined when unknown, spent or expired. */
  redeemRefresh(refreshToken: string): Promise<Token | undefined>
  revoke(where: { jti: string } | { userId: number; exceptJti?: string } | { appId: number } | { id: number; userId?: number }): Promise<number>
  readonly revocations: RevocationList
  stop(): void
}

const PRODUCT_SCOPE_NAMES: ReadonlySet<string> = new Set(PRODUCT_SCOPES.map((s) => s.name))

/** A space-separated scope list (a token's `scope`, a stored row's scopes) as a list. */
export const splitScopes = (text: string | null | undefined): string[] => (text ? text.split(' ').filter(Boolean) : [])

/** What an app may hold or be granted of a set of scopes: the API's own, without the product scopes. */
export const apiScopes = (scopes: readonly string[]): string[] => scopes.filter((s) => !PRODUCT_SCOPE_NAMES.has(s))

/** Every set holds the scope or a scope that covers it. */
export function allowedBy(scope: string, sets: readonly (readonly string[])[]): boolean {
  return sets.every((set) => set.some((granted) => scopeCovers(granted, scope)))
}

/**
 * The scopes a grant gets: those asked for (all that are allowed when none are), each of which
 * every allowed set must cover. A scope asked for but not allowed is an error naming it.
 */
export function grantScopes(requested: readonly string[] | undefined, ...allowed: (readonly string[])[]): string[] {
  const covered = (scope: string) => allowedBy(scope, allowed)
  if (requested && requested.length > 0) {
    const refused = requested.filter((s) => !covered(s))
    if (refused.length > 0) throw new FusioError('FUSIO_ERR_SCOPE_NOT_ALLOWED', `scope${refused.length > 1 ? 's' : ''} ${refused.map((s) => `"${s}"`).join(', ')} not allowed here`)
    return [...new Set(requested)]
  }
  return [...new Set(allowed[0] ?? [])].filter(covered).sort()
}

export function createTokenService(options: {
  readonly db: ProductDb
  readonly dialect: SqlDialectName
  readonly keys: KeySet
  readonly settings: ProductSettings
  readonly env: Readonly<Record<string, string | undefined>>
  readonly log: FastifyBaseLogger
}): TokenService {
  const { db, keys, settings, env } = options
  const signing = keys.signing
  const revoked = new Map<string, number>()
  let since = 0
  const poll = async () => {
    const now = Date.now()
    const rows = await db.selectFrom('fusio_token').select(['jti', 'expires', 'revoked_at']).where('revoked_at', '>=', since).where('expires', '>', now).execute()
    for (const row of rows) revoked.set(row.jti, Number(row.expires))
    // The next read overlaps by five minutes: instances' clocks differ, and a revocation committed
    // while this read ran must not be missed.
    since = now - 300_000
    for (const [jti, expires] of revoked) if (expires <= now) revoked.delete(jti)
  }
  const pollSafely = () => poll().catch((error: unknown) => options.log.warn({ err: error }, 'cannot read revoked tokens'))
  // One read at a time: a slow database never has two piling up.
  let polling = pollSafely()
  const interval = Number(env.FUSIO_REVOCATION_POLL_MS) > 0 ? Number(env.FUSIO_REVOCATION_POLL_MS) : 2_000
  const timer = setInterval(() => {
    polling = polling.then(pollSafely)
  }, interval)
  timer.unref()

  return {
    revocations: { has: (jti) => revoked.has(jti) },
    async issue(input) {
      if (!signing) throw new FusioError('FUSIO_ERR_AUTH_NOT_CONFIGURED', 'no signing key is configured (FUSIO_JWT_SECRET, or FUSIO_JWKS with a private key)')
      const now = Date.now()
      const lifetime = input.lifetime ?? settings.tokenSeconds
      const jti = randomUUID()
      const refreshToken = input.refresh ? randomSecret('rt_') : undefined
      const claims: Record<string, unknown> = {
        client_id: input.app?.app_key ?? CONSUMER_CLIENT,
        scope: input.scopes.join(' '),
        name: input.user.name,
        ...(input.user.plan ? { plan: input.user.plan } : {}),
      }
      let jwt = new SignJWT(claims)
        .setProtectedHeader({ alg: signing.alg, kid: signing.kid, typ: 'at+jwt' })
        .setIssuer(input.issuer)
        .setSubject(String(input.user.id))
        .setJti(jti)
        .setIssuedAt(Math.floor(now / 1000))
        .setExpirationTime(Math.floor(now / 1000) + lifetime)
      if (env.FUSIO_JWT_AUDIENCE) jwt = jwt.setAudience(env.FUSIO_JWT_AUDIENCE)
      const accessToken = await jwt.sign(signing.signKey!)
      const id = await insertReturningId(
        options.dialect,
        db.insertInto('fusio_token').values({
          jti,
          user_id: input.user.id,
          app_id: input.app?.id ?? null,
          kind: input.kind,
          name: input.name ?? null,
          scopes: input.scopes.join(' '),
          refresh_hash: refreshToken ? sha256(refreshToken) : null,
          refresh_expires: refreshToken ? now + settings.refreshSeconds * 1000 : null,
          expires: now + lifetime * 1000,
          revoked_at: null,
          ip: input.ip.slice(0, 64),
          created_at: now,
        }) as never,
      )
      return { id, jti, accessToken, expiresIn: lifetime, ...(refreshToken ? { refreshToken } : {}), scopes: input.scopes }
    },
    async redeemRefresh(refreshToken) {
      const hash = sha256(refreshToken)
      const row = await db.selectFrom('fusio_token').selectAll().where('refresh_hash', '=', hash).executeTakeFirst()
      if (!row) return undefined
      const now = Date.now()
      // Spending it clears the hash; only one of two concurrent redeemers wins the update.
      const spent = await db.updateTable('fusio_token').set({ refresh_hash: null, revoked_at: now }).where('id', '=', row.id).where('refresh_hash', '=', hash).executeTakeFirst()
      if (spent.numUpdatedRows !== 1n) return undefined
      revoked.set(row.jti, Number(row.expires))
      if (row.revoked_at !== null || Number(row.refresh_expires) <= now) return undefined
      return row
    },
    async revoke(where) {
      const now = Date.now()
      let query = db.selectFrom('fusio_token').select(['id', 'jti', 'expires']).where('revoked_at', 'is', null)
      if ('jti' in where) query = query.where('jti', '=', where.jti)
      else if ('appId' in where) query = query.where('app_id', '=', where.appId)
      else if ('id' in where) {
        query = query.where('id', '=', where.id)
        if (where.userId !== undefined) query = query.where('user_id', '=', where.userId)
      } else {
        query = query.where('user_id', '=', where.userId)
        if (where.exceptJti) query = query.where('jti', '!=', where.exceptJti)
      }
      const rows = await query.execute()
      if (rows.length === 0) return 0
      await db
        .updateTable('fusio_token')
        .set({ revoked_at: now, refresh_hash: null })
        .where('id', 'in', rows.map((r) => r.id))
        .execute()
      for (const row of rows) revoked.set(row.jti, Number(row.expires))
      return rows.length
    },
    stop() {
      clearInterval(timer)
    },
  }
}
