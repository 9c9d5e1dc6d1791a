/**
 * The admin API under /backend, for tokens with the `backend` scope: users (status, role, plan,
 * points), apps (approve, deactivate, delete), the scopes, and the usage log with pruning.
 */
import type { FastifyRequest } from 'fastify'
import { sql } from 'kysely'
import { FusioError } from '../../errors.js'
import { checkPassword, createUser } from '../accounts.js'
import { idParam, listPage, message, userScopes, views, wholeCollection, type ProductContext } from '../context.js'
import type { App, User } from '../store.js'
import type { ProductHandlers } from './handlers.js'

async function userOf(context: ProductContext, request: FastifyRequest): Promise<User> {
  const id = idParam(request, 'user_id')
  const user = await context.db.selectFrom('fusio_user').selectAll().where('id', '=', id).executeTakeFirst()
  if (!user) throw new FusioError('FUSIO_ERR_RESOURCE_NOT_FOUND', `there is no user ${id}`)
  return user
}

function known(context: ProductContext, kind: 'role' | 'plan', name: string): void {
  const names = kind === 'role' ? Object.keys(context.settings.roles) : context.settings.plans.map((p) => p.name)
  if (!names.includes(name)) {
    throw new FusioError('FUSIO_ERR_VALIDATION_BODY', `body.${kind} must be one of ${names.join(', ') || '(none declared)'}`, {
      errors: [{ in: 'body', field: kind, pointer: `/${kind}`, message: `must be one of ${names.join(', ')}` }],
    })
  }
}

export const backendHandlers: ProductHandlers = {
  async 'backend.user.getAll'(request, _reply, context) {
    const search = String((request.query as Record<string, unknown>).search ?? '')
    let users = context.db.selectFrom('fusio_user')
    // Lower-cased on both sides: PostgreSQL's LIKE is case-sensitive.
    // '!' escapes wildcards: a backslash means different things in MySQL's and PostgreSQL's string literals.
    const pattern = `%${search.toLowerCase().replace(/[!%_]/g, (c) => `!${c}`)}%`
    if (search) users = users.where((eb) => eb.or([sql<boolean>`lower(name) like ${pattern} escape '!'`, sql<boolean>`email like ${pattern} escape '!'`]))
    return listPage(users, request, (u: User) => views.account(u, userScopes(context, u)))
  },
  async 'backend.user.create'(request, _reply, context) {
    const body = request.body as { name: string; email: string; password: string; role?: string; plan?: string }
    if (body.role) known(context, 'role', body.role)
    if (body.plan) known(context, 'plan', body.plan)
    checkPassword(context, body.password)
    const id = await createUser(context, { ...body, status: 'active' })
    return message('User created', id)
  },
  async 'backend.user.get'(request, _reply, context) {
    const user = await userOf(context, request)
    return views.account(user, userScopes(context, user))
  },
  async 'backend.user.update'(request, _reply, context) {
    const user = await userOf(context, request)
    const body = request.body as { status?: 'active' | 'disabled'; role?: string; plan?: string | null; points?: number }
    if (body.role) known(context, 'role', body.role)
    if (body.plan) known(context, 'plan', body.plan)
    const changes = {
      ...(body.status ? { status: body.status } : {}),
      ...(body.role ? { role: body.role } : {}),
      ...(body.plan !== undefined ? { plan: body.plan } : {}),
      ...(body.points !== undefined ? { points: body.points } : {}),
    }
    if (Object.keys(changes).length === 0) return message('Nothing to change', Number(user.id))
    await context.db.updateTable('fusio_user').set(changes).where('id', '=', user.id).execute()
    // A disabled account, or one whose role or plan changed, gets new tokens with what it now holds.
    if ((body.status && body.status !== user.status) || (body.role && body.role !== user.role) || (body.plan !== undefined && body.plan !== user.plan)) {
      await context.tokens.revoke({ userId: Number(user.id) })
    }
    return message('User updated', Number(user.id))
  },
  async 'backend.user.delete'(request, _reply, context) {
    const user = await userOf(context, request)
    await context.tokens.revoke({ userId: Number(user.id) })
    await context.db.deleteFrom('fusio_app').where('user_id', '=', user.id).execute()
    await context.db.deleteFrom('fusio_user').where('id', '=', user.id).execute()
    return message('User deleted', Number(user.id))
  },
  async 'backend.app.getAll'(request, _reply, context) {
    const status = (request.query as Record<string, unknown>).status
    let apps = context.db.selectFrom('fusio_app')
    if (status === 'active' || status === 'pending' || status === 'deactivated') apps = apps.where('status', '=', status)
    return listPage(apps, request, (row: App) => views.app(row))
  },
  async 'backend.app.get'(request, _reply, context) {
    const id = idParam(request, 'app_id')
    const app = await context.db.selectFrom('fusio_app').selectAll().where('id', '=', id).executeTakeFirst()
    if (!app) throw new FusioError('FUSIO_ERR_RESOURCE_NOT_FOUND', `there is no app ${id}`)
    return views.app(app)
  },
  async 'backend.app.update'(request, _reply, context) {
    const id = idParam(request, 'app_id')
    const { status } = request.body as { status: 'active' | 'pending' | 'deactivated' }
    const result = await context.db.updateTable('fusio_app').set({ status }).where('id', '=', id).executeTakeFirst()
    if (result.numUpdatedRows === 0n) throw new FusioError('FUSIO_ERR_RESOURCE_NOT_FOUND', `there is no app ${id}`)
    if (status !== 'active') await context.tokens.revoke({ appId: id })
    return message(status === 'active' ? 'App approved' : `App ${status}`, id)
  },
  async 'backend.app.delete'(request, _reply, context) {
    const id = idParam(request, 'app_id')
    await context.tokens.revoke({ appId: id })
    const result = await context.db.deleteFrom('fusio_app').where('id', '=', id).executeTakeFirst()
    if (result.numDeletedRows === 0n) throw new FusioError('FUSIO_ERR_RESOURCE_NOT_FOUND', `there is no app ${id}`)
    return message('App deleted', id)
  },
  async 'backend.scope.getAll'(_request, _reply, context) {
    const entry = context.settings.scopes
    return wholeCollection(entry)
  },
  async 'backend.log.getAll'(request, _reply, context) {
    const query = request.query as Record<string, unknown>
    let logs = context.db.selectFrom('fusio_log')
    if (typeof query.operation === 'string' && query.operation) logs = logs.where('operation', '=', query.operation)
    if (query.userId !== undefined && Number.isSafeInteger(Number(query.userId))) logs = logs.where('user_id', '=', Number(query.userId))
    return listPage(logs, request, views.log)
  },
  async 'backend.log.prune'(request, _reply, context) {
    const before = Date.parse(String((request.query as Record<string, unknown>).before ?? ''))
    if (Number.isNaN(before)) {
      throw new FusioError('FUSIO_ERR_VALIDATION_QUERY', 'query.before must be an ISO 8601 date', {
        errors: [{ in: 'query', field: 'before', pointer: '/before', message: 'must be an ISO 8601 date' }],
      })
    }
    const result = await context.db.deleteFrom('fusio_log').where('created_at', '<', before).executeTakeFirst()
    return message(`${result.numDeletedRows} calls deleted`)
  },
}
