/**
 * What every product route works with (database, settings, tokens, mail, counters), and the small
 * shared pieces: one-time secrets, login throttling, paging and the JSON views of stored rows.
 */
import type { FastifyBaseLogger, FastifyRequest } from 'fastify'
import type { DistFiles } from '../lifecycle/docs.js'
import type { JWK } from 'jose'
import type { SelectQueryBuilder } from 'kysely'
import type { SqlDialectName } from '../connections/sql.js'
import { paging } from '../actions/sql-select-all.js'
import { FusioError } from '../errors.js'
import type { TokenVerifier } from '../lifecycle/authenticate.js'
import { overLimit, type Counters } from '../lifecycle/counters.js'
import type { ProductDefinition } from '../types.js'
import type { Mailer } from './mailer.js'
import { randomSecret, sha256 } from './secrets.js'
import { num, type App, type LogRow, type ProductDb, type ProductTables, type SecretTable, type Token, type User } from './store.js'
import { splitScopes, type TokenService } from './tokens.js'

export interface ProductContext {
  readonly db: ProductDb
  readonly dialect: SqlDialectName
  readonly settings: ProductDefinition
  readonly tokens: TokenService
  readonly verifier: TokenVerifier
  readonly mailer: Mailer
  readonly counters: Counters
  readonly log: FastifyBaseLogger
  readonly env: Readonly<Record<string, string | undefined>>
  /** The service's public origin for links in mails and redirects (FUSIO_PUBLIC_URL, or the request's own). */
  publicUrl(request: FastifyRequest): string
  /** `iss` of issued tokens and of the discovery documents: FUSIO_JWT_ISSUER, or the public URL and base path. */
  issuer(request: FastifyRequest): string
  readonly basePath: string
  /** The bundle's files (dist/), where the portal's files are; shared with the docs page. */
  readonly files: DistFiles
  /** Public keys for /.well-known/jwks.json (none with a shared secret). */
  readonly publishedKeys: readonly JWK[]
}

/** The scopes a user holds through their role. */
export function userScopes(context: ProductContext, user: Pick<User, 'role'>): readonly string[] {
  return context.settings.roles[user.role] ?? []
}

/** Stores a one-time secret (hashed) and returns it; it is good for `seconds`. */
export async function createSecret(context: ProductContext, kind: SecretTable['kind'], userId: number | null, data: unknown, seconds: number): Promise<string> {
  const secret = randomSecret()
  const now = Date.now()
  await context.db
    .insertInto('fusio_secret')
    .values({ hash: sha256(secret), kind, user_id: userId, data: JSON.stringify(data ?? null), expires: now + seconds * 1000, created_at: now })
    .execute()
  return secret
}

/** Takes a one-time secret: only one caller gets it, and only before it expires. */
export async function consumeSecret(context: ProductContext, kind: SecretTable['kind'], secret: string): Promise<{ userId: number | null; data: any } | undefined> {
  const hash = sha256(secret)
  const row = await context.db.selectFrom('fusio_secret').selectAll().where('hash', '=', hash).where('kind', '=', kind).executeTakeFirst()
  if (!row) return undefined
  const taken = await context.db.deleteFrom('fusio_secret').where('hash', '=', hash).executeTakeFirst()
  if (taken.numDeletedRows !== 1n || Number(row.expires) <= Date.now()) return undefined
  return { userId: num(row.user_id), data: JSON.parse(row.data) }
}

/**
 * Failed logins per account and per IP: after FUSIO_LOGIN_ATTEMPTS (default 10) failures for an
 * account, or ten times as many from one IP, within 15 minutes, further tries get a 429. Every try
 * counts before the password is checked (so parallel guesses cannot slip past the limit), and a
 * successful one is taken back.
 */
export function loginThrottle(context: ProductContext) {
  const env = context.env
  const perAccount = Number(env.FUSIO_LOGIN_ATTEMPTS) > 0 ? Number(env.FUSIO_LOGIN_ATTEMPTS) : 10
  const windowSeconds = 15 * 60
  const rules = (account: string, ip: string) => [
    { key: `login:account:${account.toLowerCase()}`, limit: perAccount },
    { key: `login:ip:${ip}`, limit: perAccount * 10 },
  ]
  return {
    /** Counts the try; throws 429 when it is over a limit. Call `succeeded` when the credentials were right. */
    async attempt(account: string, ip: string): Promise<{ succeeded(): Promise<void> }> {
      const keys = rules(account, ip)
      const counts = await Promise.all(keys.map(({ key }) => context.counters.hit(key, windowSeconds)))
      for (const [index, counted] of counts.entries()) {
        if (counted.count > keys[index].limit) throw overLimit('FUSIO_ERR_ACCOUNT_THROTTLED', counted, (retry) => `too many failed attempts; try again in ${retry} s`)
      }
      return {
        async succeeded() {
          await Promise.all(keys.map(({ key }) => context.counters.hit(key, windowSeconds, -1)))
        },
      }
    },
  }
}

export function collection<T>(entry: readonly T[], totalResults: number, page: { startIndex: number; count: number }) {
  return { totalResults, startIndex: page.startIndex, itemsPerPage: page.count, entry }
}

/** A short list from the manifest (scopes, plans, identities) as one page of a collection. */
export const wholeCollection = <T>(entry: readonly T[]) => collection(entry, entry.length, { startIndex: 0, count: entry.length })

/** The page the request asks for (startIndex, count) of a filtered table, newest first, with the total. */
export async function listPage<Row, Out>(query: SelectQueryBuilder<ProductTables, keyof ProductTables, object>, request: FastifyRequest, view: (row: Row) => Out) {
  // 16 entries unless the caller asks for more, at most 256.
  const page = paging(request.query as Record<string, unknown>, 256, 16)
  const [rows, total] = await Promise.all([
    query.selectAll().orderBy('id' as never, 'desc').limit(page.count).offset(page.startIndex).execute(),
    query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ])
  return collection((rows as Row[]).map(view), Number(total.n), page)
}

/** A numeric path parameter; anything else names nothing. */
export function idParam(request: FastifyRequest, name: string): number {
  const value = (request.params as Record<string, string>)[name]
  const id = /^[1-9][0-9]{0,15}$/.test(value ?? '') ? Number(value) : NaN
  if (!Number.isSafeInteger(id)) throw new FusioError('FUSIO_ERR_RESOURCE_NOT_FOUND', `there is no ${name.replace(/_id$/, '')} "${value}"`)
  return id
}

const date = (ms: number | string) => new Date(Number(ms)).toISOString()

export const views = {
  account: (user: User, scopes: readonly string[]) => ({
    id: num(user.id),
    status: user.status,
    name: user.name,
    email: user.email,
    role: user.role,
    plan: user.plan,
    points: num(user.points),
    scopes,
    ...(user.identity ? { identity: user.identity } : {}),
    date: date(user.created_at),
  }),
  app: (app: App, secret?: string) => ({
    id: num(app.id),
    userId: num(app.user_id),
    status: app.status,
    name: app.name,
    url: app.url,
    appKey: app.app_key,
    ...(secret ? { appSecret: secret } : {}),
    scopes: splitScopes(app.scopes),
    date: date(app.created_at),
  }),
  token: (token: Token, accessToken?: string) => ({
    id: num(token.id),
    name: token.name,
    kind: token.kind,
    appId: num(token.app_id),
    scopes: splitScopes(token.scopes),
    expires: date(token.expires),
    revoked: token.revoked_at !== null,
    ip: token.ip,
    date: date(token.created_at),
    ...(accessToken ? { accessToken } : {}),
  }),
  log: (row: LogRow) => ({
    id: num(row.id),
    operationId: row.operation,
    userId: num(row.user_id),
    appKey: row.app_key,
    ip: row.ip,
    method: row.method,
    path: row.path,
    status: num(row.status),
    duration: num(row.duration_ms),
    userAgent: row.user_agent,
    date: date(row.created_at),
  }),
}

export const message = (text: string, id?: number | string) => ({ success: true, message: text, ...(id !== undefined ? { id } : {}) })
