/**
 * Accounts: registration with an activation mail, login by name or e-mail, password reset by mail,
 * and the checks every grant repeats (the account exists, is active, the password matches).
 * Answers never tell whether an e-mail address has an account, except registration's conflict.
 */
import type { FastifyRequest } from 'fastify'
import { FusioError } from '../errors.js'
import { consumeSecret, createSecret, loginThrottle, userScopes, type ProductContext } from './context.js'
import { hashPassword, verifyPassword } from './secrets.js'
import { insertReturningId, type User } from './store.js'
import { grantScopes } from './tokens.js'

const ACTIVATION_SECONDS = 24 * 3600
const RESET_SECONDS = 3600

export function checkPassword(context: Pick<ProductContext, 'settings'>, password: string, field = 'password'): void {
  const length = context.settings.passwordLength
  if ([...password].length < length) {
    throw new FusioError('FUSIO_ERR_VALIDATION_BODY', `body.${field} must have at least ${length} characters`, {
      errors: [{ in: 'body', field, pointer: `/${field}`, message: `must have at least ${length} characters` }],
    })
  }
}

function conflict(error: unknown): never {
  const text = error instanceof Error ? `${error.message} ${(error as { code?: string }).code ?? ''}` : ''
  if (/unique|duplicate|23505|ER_DUP_ENTRY|SQLITE_CONSTRAINT/i.test(text)) {
    throw new FusioError('FUSIO_ERR_ACCOUNT_EXISTS', 'an account with this name or e-mail address exists already', { cause: error })
  }
  throw error
}

export interface NewUser {
  readonly name: string
  readonly email: string
  readonly password: string | null
  readonly status: User['status']
  readonly role?: string
  readonly plan?: string | null
  readonly identity?: string
  readonly remoteId?: string
}

export async function createUser(context: Pick<ProductContext, 'db' | 'dialect' | 'settings'>, user: NewUser): Promise<number> {
  const existing = await context.db
    .selectFrom('fusio_user')
    .select('id')
    .where((eb) => eb.or([eb('name', '=', user.name), eb('email', '=', user.email.toLowerCase())]))
    .executeTakeFirst()
  if (existing) conflict(new Error('duplicate'))
  try {
    return await insertReturningId(
      context.dialect,
      context.db.insertInto('fusio_user').values({
        status: user.status,
        name: user.name,
        email: user.email.toLowerCase(),
        password: user.password === null ? null : await hashPassword(user.password),
        role: user.role ?? context.settings.defaultRole,
        plan: user.plan === undefined ? (context.settings.defaultPlan ?? null) : user.plan,
        identity: user.identity ?? null,
        remote_id: user.remoteId ?? null,
        points: 0,
        created_at: Date.now(),
      }) as never,
    )
  } catch (error) {
    return conflict(error)
  }
}

/**
 * Registering again with the same name, address and password while the account still waits for
 * activation sends a new mail (the first may have been lost) instead of a conflict.
 */
export async function register(context: ProductContext, request: FastifyRequest, body: { name: string; email: string; password: string }): Promise<number> {
  checkPassword(context, body.password)
  const approval = context.settings.userApproval
  const waiting = approval
    ? await context.db.selectFrom('fusio_user').selectAll().where('name', '=', body.name).where('email', '=', body.email.toLowerCase()).where('status', '=', 'pending').executeTakeFirst()
    : undefined
  const resend = waiting !== undefined && (await verifyPassword(body.password, waiting.password))
  const id = resend ? Number(waiting.id) : await createUser(context, { ...body, status: approval ? 'pending' : 'active' })
  if (approval) {
    const token = await createSecret(context, 'activate', id, null, ACTIVATION_SECONDS)
    const link = `${context.publicUrl(request)}${context.basePath}/developer/activate?token=${encodeURIComponent(token)}`
    await context.mailer.send({
      to: body.email,
      subject: context.settings.registerSubject,
      text: `Hello ${body.name},\n\nopen this link within 24 hours to activate your account:\n${link}\n\nOr enter this activation token: ${token}\n`,
    })
  }
  return id
}

export async function activate(context: ProductContext, token: string): Promise<void> {
  const secret = await consumeSecret(context, 'activate', token)
  if (!secret || secret.userId === null) throw new FusioError('FUSIO_ERR_ONE_TIME_TOKEN_INVALID', 'the activation token is unknown, used or expired')
  await context.db.updateTable('fusio_user').set({ status: 'active' }).where('id', '=', secret.userId).where('status', '=', 'pending').execute()
}

/** The active account with this name or e-mail and password; throttled per account and IP. */
export async function authenticateUser(context: ProductContext, username: string, password: string, ip: string): Promise<User> {
  const attempt = await loginThrottle(context).attempt(username, ip)
  const user = await context.db
    .selectFrom('fusio_user')
    .selectAll()
    .where((eb) => eb.or([eb('name', '=', username), eb('email', '=', username.toLowerCase())]))
    .executeTakeFirst()
  // Verified against a decoy hash when there is no account, so both answers take as long.
  const valid = await verifyPassword(password, user?.password)
  if (!user || !valid) throw new FusioError('FUSIO_ERR_ACCOUNT_CREDENTIALS', 'the name or password is wrong')
  await attempt.succeeded()
  assertActive(user)
  return user
}

export function assertActive(user: Pick<User, 'status'>): void {
  if (user.status === 'pending') throw new FusioError('FUSIO_ERR_ACCOUNT_NOT_ACTIVE', 'the account is not activated yet; use the link in the activation mail')
  if (user.status !== 'active') throw new FusioError('FUSIO_ERR_ACCOUNT_NOT_ACTIVE', 'the account is disabled')
}

export async function activeUser(context: ProductContext, id: number): Promise<User> {
  const user = await context.db.selectFrom('fusio_user').selectAll().where('id', '=', id).executeTakeFirst()
  if (!user) throw new FusioError('FUSIO_ERR_AUTH_TOKEN_INVALID', 'the account of this token no longer exists')
  assertActive(user)
  return user
}

/** Mails a reset link to an active account; answers the same whether or not the address has one. */
export async function requestReset(context: ProductContext, request: FastifyRequest, email: string): Promise<void> {
  // At most three reset mails an hour per address, so nobody can flood a mailbox through us.
  const { count } = await context.counters.hit(`reset:${email.toLowerCase()}`, 3600)
  if (count > 3) return
  const user = await context.db.selectFrom('fusio_user').selectAll().where('email', '=', email.toLowerCase()).executeTakeFirst()
  if (!user || user.status !== 'active' || user.password === null) return
  const base = `${context.publicUrl(request)}${context.basePath}`
  // Sent after the answer: how long SMTP takes must not tell whether the address has an account.
  void (async () => {
    const token = await createSecret(context, 'reset', Number(user.id), null, RESET_SECONDS)
    await context.mailer.send({
      to: user.email,
      subject: context.settings.resetSubject,
      text: `Hello ${user.name},\n\nopen this link within an hour to choose a new password:\n${base}/developer/reset?token=${encodeURIComponent(token)}\n\nIf you did not ask for this, ignore this mail.\n`,
    })
  })().catch((error: unknown) => context.log.error({ err: error }, 'the password reset mail could not be sent'))
}

export async function confirmReset(context: ProductContext, token: string, password: string): Promise<void> {
  checkPassword(context, password, 'newPassword')
  const secret = await consumeSecret(context, 'reset', token)
  if (!secret || secret.userId === null) throw new FusioError('FUSIO_ERR_ONE_TIME_TOKEN_INVALID', 'the reset token is unknown, used or expired')
  await context.db.updateTable('fusio_user').set({ password: await hashPassword(password) }).where('id', '=', secret.userId).execute()
  // A new password ends every session the old one opened.
  await context.tokens.revoke({ userId: secret.userId })
}

/**
 * A first-party login (the portal's, or through an identity provider): a token with the scopes asked
 * for, or all the user's role holds, within `within` when it is a refresh, and a refresh token.
 */
export async function logIn(context: ProductContext, request: FastifyRequest, user: User, requested?: readonly string[], within?: readonly string[]) {
  const scopes = grantScopes(requested, ...(within ? [within] : []), userScopes(context, user))
  const issued = await context.tokens.issue({ user, scopes, kind: 'access', refresh: true, ip: request.ip, issuer: context.issuer(request) })
  return { token: issued.accessToken, expires_in: issued.expiresIn, ...(issued.refreshToken ? { refresh_token: issued.refreshToken } : {}) }
}
