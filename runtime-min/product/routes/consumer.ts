/**
 * The consumer API under /consumer (Fusio's), behind the developer portal: registration, activation,
 * login and refresh, password reset, the own account, apps, personal tokens, scopes, plans, calls
 * and the consent of the code flow. Everything a user reads or changes is looked up together with
 * their own id, so another user's app, token or call is simply not found.
 */
import { randomUUID } from 'node:crypto'
import type { FastifyRequest } from 'fastify'
import { FusioError } from '../../errors.js'
import { activate, activeUser, authenticateUser, checkPassword, confirmReset, logIn, register, requestReset } from '../accounts.js'
import { createSecret, idParam, listPage, loginThrottle, message, userScopes, views, wholeCollection, type ProductContext } from '../context.js'
import { hashPassword, randomSecret, sha256, verifyPassword } from '../secrets.js'
import { insertReturningId, type App, type Token } from '../store.js'
import { apiScopes, grantScopes, splitScopes } from '../tokens.js'
import { allowedRedirect } from './authorization.js'
import type { ProductHandlers } from './handlers.js'

const CODE_SECONDS = 600
const MAX_PERSONAL_DAYS = 366

const me = (request: FastifyRequest) => Number(request.fusioUser!.subject)

async function ownApp(context: ProductContext, request: FastifyRequest): Promise<App> {
  const id = idParam(request, 'app_id')
  const app = await context.db.selectFrom('fusio_app').selectAll().where('id', '=', id).where('user_id', '=', me(request)).executeTakeFirst()
  if (!app) throw new FusioError('FUSIO_ERR_RESOURCE_NOT_FOUND', `there is no app ${id} of yours`)
  return app
}

/** The scopes an app may hold: those asked for, within the user's API scopes (never the product's own); by default all of them. */
function appScopes(context: ProductContext, user: { role: string }, requested: readonly string[] | undefined): string[] {
  const own = apiScopes(userScopes(context, user))
  return requested === undefined ? own : grantScopes(requested, own)
}

export const consumerHandlers: ProductHandlers = {
  async 'consumer.register'(request, _reply, context) {
    const id = await register(context, request, request.body as { name: string; email: string; password: string })
    return message(context.settings.userApproval ? 'Account created; open the link in the mail we sent to activate it' : 'Account created', id)
  },
  async 'consumer.activate'(request, _reply, context) {
    await activate(context, (request.body as { token: string }).token)
    return message('Account activated')
  },
  async 'consumer.login'(request, _reply, context) {
    const body = request.body as { username: string; password: string; scopes?: string[] }
    return logIn(context, request, await authenticateUser(context, body.username, body.password, request.ip), body.scopes)
  },
  async 'consumer.refresh'(request, _reply, context) {
    const row = await context.tokens.redeemRefresh((request.body as { refresh_token: string }).refresh_token)
    if (!row || row.app_id !== null) throw new FusioError('FUSIO_ERR_AUTH_TOKEN_INVALID', 'the refresh token is unknown, used, revoked or expired')
    return logIn(context, request, await activeUser(context, Number(row.user_id)), undefined, splitScopes(row.scopes))
  },
  async 'consumer.resetRequest'(request, _reply, context) {
    await requestReset(context, request, (request.body as { email: string }).email)
    return message('If an active account has this address, a reset link is on its way')
  },
  async 'consumer.resetConfirm'(request, _reply, context) {
    const body = request.body as { token: string; newPassword: string }
    await confirmReset(context, body.token, body.newPassword)
    return message('Password changed')
  },
  async 'consumer.account.get'(request, _reply, context) {
    const user = await activeUser(context, me(request))
    return views.account(user, userScopes(context, user))
  },
  async 'consumer.account.update'(request, _reply, context) {
    const body = request.body as { name?: string; email?: string; password?: string }
    const changes = { ...(body.name ? { name: body.name } : {}), ...(body.email ? { email: body.email.toLowerCase() } : {}) }
    if (Object.keys(changes).length === 0) return message('Nothing to change')
    // Whoever controls the address controls the account (password reset): changing it takes the password.
    if (changes.email) {
      const user = await activeUser(context, me(request))
      if (changes.email !== user.email) {
        const attempt = await loginThrottle(context).attempt(user.name, request.ip)
        if (body.password === undefined || !(await verifyPassword(body.password, user.password))) {
          throw new FusioError('FUSIO_ERR_ACCOUNT_CREDENTIALS', 'changing the e-mail address needs the current password (body.password)')
        }
        await attempt.succeeded()
      }
    }
    const taken = await context.db
      .selectFrom('fusio_user')
      .select('id')
      .where('id', '!=', me(request))
      .where((eb) => eb.or([...(changes.name ? [eb('name', '=', changes.name)] : []), ...(changes.email ? [eb('email', '=', changes.email)] : [])]))
      .executeTakeFirst()
    if (taken) throw new FusioError('FUSIO_ERR_ACCOUNT_EXISTS', 'another account has this name or e-mail address')
    await context.db.updateTable('fusio_user').set(changes).where('id', '=', me(request)).execute()
    return message('Account updated')
  },
  async 'consumer.account.changePassword'(request, _reply, context) {
    const body = request.body as { oldPassword: string; newPassword: string; verifyPassword: string }
    const user = await activeUser(context, me(request))
    const attempt = await loginThrottle(context).attempt(user.name, request.ip)
    if (!(await verifyPassword(body.oldPassword, user.password))) throw new FusioError('FUSIO_ERR_ACCOUNT_CREDENTIALS', 'the old password is wrong')
    await attempt.succeeded()
    if (body.newPassword !== body.verifyPassword) {
      throw new FusioError('FUSIO_ERR_VALIDATION_BODY', 'body.verifyPassword must repeat newPassword', {
        errors: [{ in: 'body', field: 'verifyPassword', pointer: '/verifyPassword', message: 'must repeat newPassword' }],
      })
    }
    checkPassword(context, body.newPassword, 'newPassword')
    await context.db.updateTable('fusio_user').set({ password: await hashPassword(body.newPassword) }).where('id', '=', user.id).execute()
    // Other sessions end; the one that changed the password goes on.
    await context.tokens.revoke({ userId: Number(user.id), exceptJti: String(request.fusioUser!.claims.jti ?? '') })
    return message('Password changed')
  },
  async 'consumer.app.getAll'(request, _reply, context) {
    return listPage(context.db.selectFrom('fusio_app').where('user_id', '=', me(request)), request, (row: App) => views.app(row))
  },
  async 'consumer.app.create'(request, _reply, context) {
    const body = request.body as { name: string; url: string; scopes?: string[] }
    const user = await activeUser(context, me(request))
    const { n } = await context.db.selectFrom('fusio_app').select((eb) => eb.fn.countAll<number>().as('n')).where('user_id', '=', user.id).executeTakeFirstOrThrow()
    if (Number(n) >= context.settings.maxApps) throw new FusioError('FUSIO_ERR_QUOTA_REACHED', `an account may have at most ${context.settings.maxApps} apps`)
    const scopes = appScopes(context, user, body.scopes)
    const secret = randomSecret('as_')
    const row = {
      user_id: Number(user.id),
      status: context.settings.appApproval ? ('pending' as const) : ('active' as const),
      name: body.name,
      url: body.url,
      app_key: randomUUID(),
      secret_hash: sha256(secret),
      scopes: scopes.join(' '),
      created_at: Date.now(),
    }
    const id = await insertReturningId(context.dialect, context.db.insertInto('fusio_app').values(row) as never)
    return views.app({ id, ...row }, secret)
  },
  async 'consumer.app.get'(request, _reply, context) {
    return views.app(await ownApp(context, request))
  },
  async 'consumer.app.update'(request, _reply, context) {
    const app = await ownApp(context, request)
    const body = request.body as { name?: string; url?: string; scopes?: string[] }
    const user = await activeUser(context, me(request))
    const scopes = body.scopes === undefined ? undefined : appScopes(context, user, body.scopes).join(' ')
    await context.db
      .updateTable('fusio_app')
      .set({ ...(body.name ? { name: body.name } : {}), ...(body.url ? { url: body.url } : {}), ...(scopes !== undefined ? { scopes } : {}) })
      .where('id', '=', app.id)
      .execute()
    // Tokens issued under the old scopes end with them.
    if (scopes !== undefined && scopes !== app.scopes) await context.tokens.revoke({ appId: Number(app.id) })
    return message('App updated', Number(app.id))
  },
  async 'consumer.app.delete'(request, _reply, context) {
    const app = await ownApp(context, request)
    await context.tokens.revoke({ appId: Number(app.id) })
    await context.db.deleteFrom('fusio_app').where('id', '=', app.id).execute()
    return message('App deleted', Number(app.id))
  },
  async 'consumer.token.getAll'(request, _reply, context) {
    return listPage(context.db.selectFrom('fusio_token').where('user_id', '=', me(request)), request, (row: Token) => views.token(row))
  },
  async 'consumer.token.create'(request, _reply, context) {
    const body = request.body as { name: string; scopes: string[]; expire?: string }
    const user = await activeUser(context, me(request))
    const { n } = await context.db
      .selectFrom('fusio_token')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('user_id', '=', user.id)
      .where('kind', '=', 'personal')
      .where('revoked_at', 'is', null)
      .where('expires', '>', Date.now())
      .executeTakeFirstOrThrow()
    if (Number(n) >= context.settings.maxTokens) throw new FusioError('FUSIO_ERR_QUOTA_REACHED', `an account may have at most ${context.settings.maxTokens} personal tokens`)
    const expires = body.expire ? Date.parse(body.expire) : Date.now() + 30 * 86400_000
    const lifetime = Math.floor((expires - Date.now()) / 1000)
    if (!(lifetime > 0 && lifetime <= MAX_PERSONAL_DAYS * 86400)) {
      throw new FusioError('FUSIO_ERR_VALIDATION_BODY', `body.expire must lie in the next ${MAX_PERSONAL_DAYS} days`, {
        errors: [{ in: 'body', field: 'expire', pointer: '/expire', message: `must lie in the next ${MAX_PERSONAL_DAYS} days` }],
      })
    }
    const scopes = grantScopes(body.scopes, userScopes(context, user))
    const issued = await context.tokens.issue({ user, scopes, kind: 'personal', name: body.name, refresh: false, ip: request.ip, issuer: context.issuer(request), lifetime })
    const row = await context.db.selectFrom('fusio_token').selectAll().where('id', '=', issued.id).executeTakeFirstOrThrow()
    return views.token(row, issued.accessToken)
  },
  async 'consumer.token.get'(request, _reply, context) {
    const id = idParam(request, 'token_id')
    const row = await context.db.selectFrom('fusio_token').selectAll().where('id', '=', id).where('user_id', '=', me(request)).executeTakeFirst()
    if (!row) throw new FusioError('FUSIO_ERR_RESOURCE_NOT_FOUND', `there is no token ${id} of yours`)
    return views.token(row)
  },
  async 'consumer.token.delete'(request, _reply, context) {
    const id = idParam(request, 'token_id')
    const row = await context.db.selectFrom('fusio_token').select('id').where('id', '=', id).where('user_id', '=', me(request)).executeTakeFirst()
    if (!row) throw new FusioError('FUSIO_ERR_RESOURCE_NOT_FOUND', `there is no token ${id} of yours`)
    await context.tokens.revoke({ id, userId: me(request) })
    return message('Token revoked', id)
  },
  async 'consumer.authorize'(request, _reply, context) {
    const body = request.body as { clientId: string; redirectUri: string; scope?: string; state?: string; codeChallenge: string; allow: boolean }
    const app = await context.db.selectFrom('fusio_app').selectAll().where('app_key', '=', body.clientId).executeTakeFirst()
    if (!app || app.status !== 'active') throw new FusioError('FUSIO_ERR_RESOURCE_NOT_FOUND', 'there is no active app with this client id')
    if (!allowedRedirect(app, body.redirectUri)) {
      throw new FusioError('FUSIO_ERR_VALIDATION_BODY', 'body.redirectUri must be on the origin of the app URL', {
        errors: [{ in: 'body', field: 'redirectUri', pointer: '/redirectUri', message: 'must be on the origin of the app URL' }],
      })
    }
    const target = new URL(body.redirectUri)
    if (body.state !== undefined) target.searchParams.set('state', body.state)
    if (!body.allow) {
      target.searchParams.set('error', 'access_denied')
      return { ...message('Access denied'), redirectUri: target.toString() }
    }
    const user = await activeUser(context, me(request))
    const scopes = grantScopes(splitScopes(body.scope), apiScopes(splitScopes(app.scopes)), userScopes(context, user))
    const code = await createSecret(context, 'code', Number(user.id), { appId: Number(app.id), clientId: app.app_key, redirectUri: body.redirectUri, scopes, challenge: body.codeChallenge }, CODE_SECONDS)
    target.searchParams.set('code', code)
    return { ...message('Access granted'), redirectUri: target.toString() }
  },
  async 'consumer.scope.getAll'(request, _reply, context) {
    const user = await activeUser(context, me(request))
    const held = new Set(userScopes(context, user))
    const entry = context.settings.scopes.filter((s) => held.has(s.name))
    return wholeCollection(entry)
  },
  async 'consumer.plan.getAll'(_request, _reply, context) {
    const entry = context.settings.plans
    return wholeCollection(entry)
  },
  async 'consumer.log.getAll'(request, _reply, context) {
    return listPage(context.db.selectFrom('fusio_log').where('user_id', '=', me(request)), request, views.log)
  },
  async 'consumer.log.get'(request, _reply, context) {
    const id = idParam(request, 'log_id')
    const row = await context.db.selectFrom('fusio_log').selectAll().where('id', '=', id).where('user_id', '=', me(request)).executeTakeFirst()
    if (!row) throw new FusioError('FUSIO_ERR_RESOURCE_NOT_FOUND', `there is no call ${id} of yours`)
    return views.log(row)
  },
}
