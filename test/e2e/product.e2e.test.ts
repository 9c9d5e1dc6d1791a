/**
 * The API product end to end (examples/api-product), on each service database: accounts with mail
 * activation, apps, every OAuth2 grant, scopes and roles, rate limits, revocation, the usage log,
 * the backend, and users trying to reach each other's data. Mails go through a real SMTP server.
 */
import { spawnSync } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { build, renderDiagnostics } from '../../compiler/index.js'
import { scratchDatabase, type Backend, type ScratchDatabase } from '../helpers/databases.js'
import { startMailbox, type Mailbox } from '../helpers/mailbox.js'
import { copyProject, removeProject, REPO } from '../helpers/projects.js'
import { sameWindow, startApp } from '../helpers/service.js'
import { probeService, type ServiceProbe } from '../helpers/services.js'

const backends: { backend: Backend; probe: ServiceProbe }[] = [
  { backend: 'sqlite', probe: { available: true, reason: '' } },
  { backend: 'postgres', probe: await probeService('postgres') },
  { backend: 'mariadb', probe: await probeService('mariadb') },
]

let project: string
let mailbox: Mailbox

beforeAll(async () => {
  project = copyProject(join(REPO, 'examples/api-product'))
  const result = await build({ manifest: join(project, '.fusio.yml') })
  if (!result.ok) throw new Error(renderDiagnostics(result.diagnostics))
  mailbox = await startMailbox()
})

afterAll(async () => {
  await mailbox?.close()
  removeProject(project)
})

interface Answer {
  status: number
  body: any
  headers: Record<string, string | string[] | number | undefined>
}

const PASSWORD = 'correct horse battery staple'

describe.each(backends)('the API product on $backend', ({ backend, probe }) => {
  let database: ScratchDatabase
  let app: FastifyInstance
  const env = () => ({
    FUSIO_DATABASE_URL: database.url,
    FUSIO_MAIL_URL: mailbox.url,
    FUSIO_PUBLIC_URL: 'http://api.test',
    FUSIO_LOG_FLUSH_MS: '20',
    FUSIO_LOGIN_ATTEMPTS: '3',
  })

  const call = async (
    method: string,
    url: string,
    options: { body?: object; token?: string; headers?: Record<string, string>; form?: Record<string, string>; ip?: string } = {},
  ): Promise<Answer> => {
    const headers: Record<string, string> = { ...(options.token ? { authorization: `Bearer ${options.token}` } : {}), ...options.headers }
    const response = await app.inject({
      method: method as 'GET',
      url,
      ...(options.ip ? { remoteAddress: options.ip } : {}),
      headers: options.form ? { ...headers, 'content-type': 'application/x-www-form-urlencoded' } : headers,
      ...(options.form ? { payload: new URLSearchParams(options.form).toString() } : options.body ? { payload: options.body } : {}),
    })
    const text = response.body
    return { status: response.statusCode, body: text && /json/.test(String(response.headers['content-type'])) ? JSON.parse(text) : text, headers: response.headers }
  }

  let signUps = 0
  /** Registers, activates through the mailed link and logs in; returns the consumer token and user id. */
  const signUp = async (name: string): Promise<{ token: string; id: number; email: string }> => {
    const email = `${name}@example.com`
    const mail = mailbox.next(email)
    // Each developer signs up from an address of their own: registrations are limited per IP.
    const registered = await call('POST', '/consumer/register', { body: { name, email, password: PASSWORD }, ip: `10.1.0.${++signUps}` })
    expect(registered.status, JSON.stringify(registered.body)).toBe(201)
    const link = /http:\/\/api\.test\/developer\/activate\?token=(\S+)/.exec((await mail).text)
    expect(link, 'activation link in the mail').not.toBeNull()
    expect((await call('POST', '/consumer/activate', { body: { token: decodeURIComponent(link![1]) } })).status).toBe(200)
    const login = await call('POST', '/consumer/login', { body: { username: name, password: PASSWORD } })
    expect(login.status).toBe(200)
    return { token: login.body.token, id: registered.body.id, email }
  }

  const createApp = async (token: string, scopes = ['forecast']) => {
    const created = await call('POST', '/consumer/app', { token, body: { name: 'Forecast widget', url: 'https://widget.example.com', scopes } })
    expect(created.status, JSON.stringify(created.body)).toBe(201)
    return created.body as { id: number; appKey: string; appSecret: string; status: string; scopes: string[] }
  }

  const basic = (id: string, secret: string) => ({ authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}` })

  const clientToken = async (app: { appKey: string; appSecret: string }, scope?: string) =>
    call('POST', '/authorization/token', { headers: basic(app.appKey, app.appSecret), form: { grant_type: 'client_credentials', ...(scope ? { scope } : {}) } })

  beforeAll(async () => {
    if (!probe.available) return
    database = await scratchDatabase(backend)
    app = await startApp(project, env())
  })

  afterAll(async () => {
    await app?.close()
    await database?.drop()
  })

  it.skipIf(!probe.available)('a developer registers, activates by mail, creates an app, gets a client_credentials token, calls a private operation and hits the rate limit', async () => {
    const alice = await signUp('alice')
    const account = await call('GET', '/consumer/account', { token: alice.token })
    expect(account.body).toMatchObject({ name: 'alice', email: 'alice@example.com', status: 'active', role: 'Consumer', plan: 'Free' })
    const created = await createApp(alice.token)
    expect(created).toMatchObject({ status: 'active', scopes: ['forecast'] })
    expect(created.appSecret).toMatch(/^as_/)
    // The secret is shown once: reading the app again does not reveal it.
    expect((await call('GET', `/consumer/app/${created.id}`, { token: alice.token })).body.appSecret).toBeUndefined()

    const issued = await clientToken(created)
    expect(issued.status, JSON.stringify(issued.body)).toBe(200)
    expect(issued.body).toMatchObject({ token_type: 'bearer', expires_in: 3600, scope: 'forecast' })
    expect(issued.headers['cache-control']).toBe('no-store')
    const [header, payload] = issued.body.access_token.split('.').slice(0, 2).map((part: string) => JSON.parse(Buffer.from(part, 'base64url').toString()))
    expect(header).toMatchObject({ alg: 'HS256', typ: 'at+jwt' })
    expect(header.kid).toMatch(/^hs-/)
    expect(payload).toMatchObject({ sub: String(alice.id), client_id: created.appKey, scope: 'forecast', plan: 'Free', iss: 'http://api.test' })

    expect((await call('GET', '/forecast/1')).status).toBe(401)
    const statuses: number[] = []
    let last: Answer | undefined
    await sameWindow(60)
    for (let i = 0; i < 11; i++) {
      last = await call('GET', '/forecast/1', { token: issued.body.access_token })
      statuses.push(last.status)
      if (i === 0) {
        expect(last.body).toMatchObject({ id: 1, city: 'Berlin' })
        expect(last.headers['ratelimit-limit']).toBe('10')
        expect(last.headers['ratelimit-remaining']).toBe('9')
      }
    }
    expect(statuses).toEqual([...Array(10).fill(200), 429])
    expect(last!.headers['content-type']).toContain('application/problem+json')
    expect(last!.headers['ratelimit-remaining']).toBe('0')
    expect(Number(last!.headers['retry-after'])).toBeGreaterThan(0)
    expect(last!.body).toMatchObject({ status: 429, code: 'FUSIO_ERR_RATE_LIMITED' })
    expect(last!.body.detail).toContain('Free')
  })

  it.skipIf(!probe.available)('registration names the failing field, enforces the password length and refuses a taken name or address', async () => {
    const bad = await call('POST', '/consumer/register', { body: { name: 'bob', email: 'not-an-address', password: PASSWORD } })
    expect(bad.status).toBe(400)
    expect(bad.body.errors).toEqual([expect.objectContaining({ in: 'body', field: 'email' })])
    const short = await call('POST', '/consumer/register', { body: { name: 'bob', email: 'bob@example.com', password: 'short' } })
    expect(short.status).toBe(400)
    expect(short.body.errors[0]).toMatchObject({ field: 'password', message: 'must have at least 8 characters' })
    // Registering again while the account waits for activation mails a new link instead of a conflict.
    const first = mailbox.next('pat@example.com')
    expect((await call('POST', '/consumer/register', { body: { name: 'pat', email: 'pat@example.com', password: PASSWORD } })).status).toBe(201)
    await first
    const second = mailbox.next('pat@example.com')
    expect((await call('POST', '/consumer/register', { body: { name: 'pat', email: 'pat@example.com', password: PASSWORD } })).status).toBe(201)
    expect((await second).text).toContain('/developer/activate?token=')
    expect((await call('POST', '/consumer/register', { body: { name: 'pat', email: 'pat@example.com', password: 'a different password' } })).status).toBe(409)
    await signUp('bob')
    const again = await call('POST', '/consumer/register', { body: { name: 'bob2', email: 'BOB@example.com', password: PASSWORD } })
    expect(again.status).toBe(409)
    expect(again.body.code).toBe('FUSIO_ERR_ACCOUNT_EXISTS')
    // One address may register 20 times an hour (mails are sent on its behalf).
    const statuses = []
    await sameWindow(3600)
    for (let i = 0; i < 21; i++) statuses.push((await call('POST', '/consumer/register', { body: { name: 'x', email: 'x', password: 'x' }, ip: '10.2.0.1' })).status)
    expect(statuses).toEqual([...Array(20).fill(400), 429])
  })

  it.skipIf(!probe.available)('login: an account is usable only once activated, wrong passwords are throttled per account', async () => {
    const mail = mailbox.next('carol@example.com')
    await call('POST', '/consumer/register', { body: { name: 'carol', email: 'carol@example.com', password: PASSWORD } })
    await mail
    const early = await call('POST', '/consumer/login', { body: { username: 'carol', password: PASSWORD } })
    expect(early.status).toBe(403)
    expect(early.body.code).toBe('FUSIO_ERR_ACCOUNT_NOT_ACTIVE')
    expect((await call('POST', '/consumer/activate', { body: { token: 'made-up' } })).status).toBe(400)
    await sameWindow(900, 10_000)
    for (let i = 0; i < 3; i++) {
      const wrong = await call('POST', '/consumer/login', { body: { username: 'carol', password: 'wrong password' } })
      expect(wrong.status).toBe(401)
    }
    const throttled = await call('POST', '/consumer/login', { body: { username: 'carol', password: PASSWORD } })
    expect(throttled.status).toBe(429)
    expect(throttled.body.code).toBe('FUSIO_ERR_ACCOUNT_THROTTLED')
    expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(0)
    // Guesses sent all at once are counted before any is checked: at most the limit reach the password.
    await signUp('cid')
    await sameWindow(900)
    const parallel = await Promise.all(Array.from({ length: 12 }, () => call('POST', '/consumer/login', { body: { username: 'cid', password: 'a wrong guess' }, ip: '10.3.0.1' })))
    expect(parallel.filter((r) => r.status === 401)).toHaveLength(3)
    expect(parallel.filter((r) => r.status === 429)).toHaveLength(9)
    // Another account from the same address is not locked out by carol's failures.
    const dave = await signUp('dave')
    expect(dave.token).toBeTruthy()
  })

  it.skipIf(!probe.available)('password reset by mail: the new password works, the old one and every open session end', async () => {
    const erin = await signUp('erin')
    const mail = mailbox.next(erin.email)
    const asked = await call('POST', '/consumer/password_reset', { body: { email: erin.email } })
    expect(asked.status).toBe(200)
    // An unknown address gets the same answer, so nobody learns who has an account.
    expect((await call('POST', '/consumer/password_reset', { body: { email: 'nobody@example.com' } })).body).toEqual(asked.body)
    const token = decodeURIComponent(/reset\?token=(\S+)/.exec((await mail).text)![1])
    const confirmed = await call('PUT', '/consumer/password_reset', { body: { token, newPassword: 'a brand new password' } })
    expect(confirmed.status).toBe(200)
    expect((await call('PUT', '/consumer/password_reset', { body: { token, newPassword: 'yet another password' } })).status).toBe(400)
    expect((await call('GET', '/consumer/account', { token: erin.token })).status).toBe(401)
    expect((await call('POST', '/consumer/login', { body: { username: 'erin', password: PASSWORD } })).status).toBe(401)
    expect((await call('POST', '/consumer/login', { body: { username: 'erin@example.com', password: 'a brand new password' } })).status).toBe(200)
  })

  it.skipIf(!probe.available)('scopes: apps hold only their user’s scopes, tokens only their app’s, and operations check them', async () => {
    const frank = await signUp('frank')
    const refused = await call('POST', '/consumer/app', { token: frank.token, body: { name: 'Admin tool', url: 'https://x.example.com', scopes: ['backend'] } })
    expect(refused.status).toBe(400)
    expect(refused.body.code).toBe('FUSIO_ERR_SCOPE_NOT_ALLOWED')
    // The service's own scopes never go to an app, even ones the user holds: a consented app could take the account over.
    for (const scope of ['consumer', 'authorization']) {
      const own = await call('POST', '/consumer/app', { token: frank.token, body: { name: 'Account tool', url: 'https://x.example.com', scopes: [scope] } })
      expect(own.status, scope).toBe(400)
    }
    const widget = await createApp(frank.token)
    const wider = await clientToken(widget, 'forecast publish')
    expect(wider.status).toBe(400)
    expect(wider.body.error).toBe('invalid_scope')
    const token = (await clientToken(widget)).body.access_token
    // forecast.create needs `publish`, which consumers do not have.
    const create = await call('POST', '/forecast', { token, body: { city: 'Rome', summary: 'Sunny', high: 21, low: 11 } })
    expect(create.status).toBe(403)
    expect(create.headers['www-authenticate']).toContain('insufficient_scope')
    expect((await call('POST', '/authorization/token', { headers: basic(widget.appKey, 'wrong'), form: { grant_type: 'client_credentials' } })).body.error).toBe('invalid_client')
  })

  it.skipIf(!probe.available)('password and refresh_token grants: refresh tokens rotate and work once', async () => {
    await signUp('grace')
    const first = await call('POST', '/authorization/token', { form: { grant_type: 'password', username: 'grace', password: PASSWORD, scope: 'forecast' } })
    expect(first.status, JSON.stringify(first.body)).toBe(200)
    expect(first.body).toMatchObject({ scope: 'forecast', token_type: 'bearer' })
    expect(first.body.refresh_token).toMatch(/^rt_/)
    const second = await call('POST', '/authorization/token', { form: { grant_type: 'refresh_token', refresh_token: first.body.refresh_token } })
    expect(second.status).toBe(200)
    expect(second.body.scope).toBe('forecast')
    expect(second.body.refresh_token).not.toBe(first.body.refresh_token)
    // The old access token went with its refresh token; the spent refresh token is refused.
    expect((await call('GET', '/forecast/1', { token: first.body.access_token })).status).toBe(401)
    const replay = await call('POST', '/authorization/token', { form: { grant_type: 'refresh_token', refresh_token: first.body.refresh_token } })
    expect(replay.status).toBe(400)
    expect(replay.body.error).toBe('invalid_grant')
    expect((await call('GET', '/forecast/1', { token: second.body.access_token })).status).toBe(200)
    const unsupported = await call('POST', '/authorization/token', { form: { grant_type: 'implicit' } })
    expect(unsupported.body.error).toBe('unsupported_grant_type')
    // A refresh never widens the grant (RFC 6749 §6), even to scopes the user holds.
    const wider = await call('POST', '/authorization/token', { form: { grant_type: 'refresh_token', refresh_token: second.body.refresh_token, scope: 'forecast consumer' } })
    expect(wider.body.error).toBe('invalid_scope')
    const malformed = await call('POST', '/authorization/token', { headers: { authorization: `Basic ${Buffer.from('a%zz:b').toString('base64')}` }, form: { grant_type: 'client_credentials' } })
    expect(malformed.status).toBe(401)
    expect(malformed.body.error).toBe('invalid_client')
  })

  it.skipIf(!probe.available)('authorization_code with PKCE through the consent endpoint', async () => {
    const heidi = await signUp('heidi')
    const client = await createApp(heidi.token)
    const verifier = randomBytes(32).toString('base64url')
    const challenge = createHash('sha256').update(verifier).digest('base64url')
    const query = new URLSearchParams({ response_type: 'code', client_id: client.appKey, redirect_uri: 'https://widget.example.com/callback', scope: 'forecast', state: 'xyz', code_challenge: challenge, code_challenge_method: 'S256' })
    const authorize = await call('GET', `/authorization/authorize?${query}`)
    expect(authorize.status).toBe(302)
    expect(authorize.headers.location).toBe(`/developer/authorize?${query}`)
    const foreign = await call('GET', `/authorization/authorize?${new URLSearchParams({ ...Object.fromEntries(query), redirect_uri: 'https://evil.example.net/' })}`)
    expect(foreign.status).toBe(400)

    const consent = (allow: boolean) =>
      call('POST', '/consumer/authorize', {
        token: heidi.token,
        body: { responseType: 'code', clientId: client.appKey, redirectUri: 'https://widget.example.com/callback', scope: 'forecast', state: 'xyz', codeChallenge: challenge, codeChallengeMethod: 'S256', allow },
      })
    const denied = new URL((await consent(false)).body.redirectUri)
    expect(Object.fromEntries(denied.searchParams)).toEqual({ state: 'xyz', error: 'access_denied' })
    const granted = new URL((await consent(true)).body.redirectUri)
    expect(granted.searchParams.get('state')).toBe('xyz')
    const code = granted.searchParams.get('code')!
    const exchange = (codeVerifier: string, headers: Record<string, string>) =>
      call('POST', '/authorization/token', {
        headers,
        form: { grant_type: 'authorization_code', code, redirect_uri: 'https://widget.example.com/callback', code_verifier: codeVerifier, client_id: client.appKey },
      })
    // The app is a confidential client: without its secret the code buys nothing.
    const anonymous = await exchange(verifier, {})
    expect(anonymous.status).toBe(401)
    expect(anonymous.body.error).toBe('invalid_client')
    const wrong = await exchange(randomBytes(32).toString('base64url'), basic(client.appKey, client.appSecret))
    expect(wrong.body.error).toBe('invalid_grant')
    // A failed exchange spends the code too: codes are single-use.
    const code2 = new URL((await consent(true)).body.redirectUri).searchParams.get('code')!
    const good = await call('POST', '/authorization/token', {
      headers: basic(client.appKey, client.appSecret),
      form: { grant_type: 'authorization_code', code: code2, redirect_uri: 'https://widget.example.com/callback', code_verifier: verifier },
    })
    expect(good.status, JSON.stringify(good.body)).toBe(200)
    expect(good.body).toMatchObject({ scope: 'forecast' })
    expect(good.body.refresh_token).toBeTruthy()
    const reuse = await call('POST', '/authorization/token', {
      headers: basic(client.appKey, client.appSecret),
      form: { grant_type: 'authorization_code', code: code2, redirect_uri: 'https://widget.example.com/callback', code_verifier: verifier },
    })
    expect(reuse.body.error).toBe('invalid_grant')
    const whoami = await call('GET', '/authorization/whoami', { token: good.body.access_token })
    expect(whoami.body).toMatchObject({ name: 'heidi', clientId: client.appKey, scopes: ['forecast'] })
  })

  it.skipIf(!probe.available)('a revoked token is refused at once; deleting an app revokes its tokens', async () => {
    const ivan = await signUp('ivan')
    const client = await createApp(ivan.token)
    const first = (await clientToken(client)).body.access_token
    const second = (await clientToken(client)).body.access_token
    // A forged token that names the jti of a real one revokes nothing.
    const [, payload] = first.split('.')
    expect((await call('POST', '/authorization/revoke', { form: { token: `eyJhbGciOiJub25lIn0.${payload}.` } })).status).toBe(200)
    expect((await call('GET', '/forecast/2', { token: first })).status).toBe(200)
    expect((await call('POST', '/authorization/revoke', { form: { token: first } })).status).toBe(200)
    const refused = await call('GET', '/forecast/2', { token: first })
    expect(refused.status).toBe(401)
    expect(refused.body.detail).toContain('revoked')
    expect((await call('GET', '/forecast/2', { token: second })).status).toBe(200)
    expect((await call('DELETE', `/consumer/app/${client.id}`, { token: ivan.token })).status).toBe(200)
    expect((await call('GET', '/forecast/2', { token: second })).status).toBe(401)
  })

  it.skipIf(!probe.available)('users cannot read or change each other’s apps, tokens or calls', async () => {
    const judy = await signUp('judy')
    const mallory = await signUp('mallory')
    const judysApp = await createApp(judy.token)
    const personal = await call('POST', '/consumer/token', { token: judy.token, body: { name: 'CI token', scopes: ['forecast'] } })
    expect(personal.status).toBe(201)
    expect(personal.body.accessToken).toBeTruthy()
    expect((await call('GET', '/forecast/3', { token: personal.body.accessToken })).status).toBe(200)
    await new Promise((resolve) => setTimeout(resolve, 100))
    const judysCalls = await call('GET', '/consumer/log', { token: judy.token })
    expect(judysCalls.body.entry.length).toBeGreaterThan(0)

    for (const [method, url] of [
      ['GET', `/consumer/app/${judysApp.id}`],
      ['PUT', `/consumer/app/${judysApp.id}`],
      ['DELETE', `/consumer/app/${judysApp.id}`],
      ['GET', `/consumer/token/${personal.body.id}`],
      ['DELETE', `/consumer/token/${personal.body.id}`],
      ['GET', `/consumer/log/${judysCalls.body.entry[0].id}`],
    ] as const) {
      const attempt = await call(method, url, { token: mallory.token, ...(method === 'PUT' ? { body: { name: 'Taken over' } } : {}) })
      expect(attempt.status, `${method} ${url}`).toBe(404)
    }
    expect((await call('GET', '/consumer/app', { token: mallory.token })).body.totalResults).toBe(0)
    expect((await call('GET', '/consumer/token', { token: mallory.token })).body.entry.every((t: { id: number }) => t.id !== personal.body.id)).toBe(true)
    expect((await call('GET', '/consumer/log', { token: mallory.token })).body.entry.every((l: { userId: number }) => l.userId === mallory.id)).toBe(true)
    // Judy's things are untouched.
    expect((await call('GET', `/consumer/app/${judysApp.id}`, { token: judy.token })).body.name).toBe('Forecast widget')
    expect((await call('GET', '/forecast/3', { token: personal.body.accessToken })).status).toBe(200)
    // A consumer token cannot reach the backend.
    expect((await call('GET', '/backend/user', { token: mallory.token })).status).toBe(403)
    // Moving the account's address (and with it password resets) takes the password.
    const move = await call('PUT', '/consumer/account', { token: mallory.token, body: { email: 'mallory@evil.example.net' } })
    expect(move.status).toBe(401)
    expect((await call('PUT', '/consumer/account', { token: mallory.token, body: { email: 'mallory@evil.example.net', password: PASSWORD } })).status).toBe(200)
    expect((await call('GET', '/consumer/account', { token: mallory.token })).body.email).toBe('mallory@evil.example.net')
  })

  it.skipIf(!probe.available)('the usage log has one row per call, newest first, without credentials or query strings', async () => {
    const kim = await signUp('kim')
    const client = await createApp(kim.token)
    const token = (await clientToken(client)).body.access_token
    await call('GET', '/forecast/1?secret=hunter2', { token })
    await call('GET', '/forecast/999999', { token })
    await new Promise((resolve) => setTimeout(resolve, 100))
    const log = await call('GET', '/consumer/log', { token: kim.token })
    expect(log.body.entry.slice(0, 2)).toEqual([
      expect.objectContaining({ operationId: 'forecast.get', method: 'GET', path: '/forecast/999999', status: 404, appKey: client.appKey, userId: kim.id }),
      expect.objectContaining({ operationId: 'forecast.get', path: '/forecast/1', status: 200 }),
    ])
    const rows = await database.exec('select * from fusio_log')
    const stored = JSON.stringify(rows)
    expect(stored).not.toContain(token)
    expect(stored).not.toContain('hunter2')
    expect(stored).not.toContain(PASSWORD)
  })

  it.skipIf(!probe.available)('the backend: user:add makes the first administrator, who approves, deactivates and prunes', async () => {
    // The password comes from standard input here (the helper uses FUSIO_USER_PASSWORD).
    const created = spawnSync(process.execPath, [join(project, 'dist/server.mjs'), 'user:add', '--name', 'root', '--email', 'root@example.com', '--role', 'administrator'], {
      env: { ...process.env, ...env() },
      input: 'an administrator password\n',
      encoding: 'utf8',
    })
    expect(created.status, created.stderr).toBe(0)
    expect(created.stdout).toContain('created with role Administrator')
    const admin = (await call('POST', '/consumer/login', { body: { username: 'root', password: 'an administrator password' } })).body.token
    const users = await call('GET', '/backend/user?search=ALIC', { token: admin })
    expect(users.status).toBe(200)
    expect(users.body.entry.map((u: { name: string }) => u.name)).toEqual(['alice'])
    // Wildcards in the search are plain characters.
    expect((await call('GET', '/backend/user?search=%25', { token: admin })).body.totalResults).toBe(0)

    const leo = await signUp('leo')
    const client = await createApp(leo.token)
    const token = (await clientToken(client)).body.access_token
    expect((await call('PUT', `/backend/app/${client.id}`, { token: admin, body: { status: 'deactivated' } })).status).toBe(200)
    expect((await call('GET', '/forecast/1', { token })).status).toBe(401)
    expect((await clientToken(client)).body.error).toBe('unauthorized_client')
    expect((await call('PUT', `/backend/app/${client.id}`, { token: admin, body: { status: 'active' } })).status).toBe(200)
    expect((await clientToken(client)).status).toBe(200)
    // A plan upgrade applies to new tokens: the Pro rate allows 600 calls a minute.
    expect((await call('PUT', `/backend/user/${leo.id}`, { token: admin, body: { plan: 'Pro' } })).status).toBe(200)
    const pro = await clientToken(client)
    const limited = await call('GET', '/forecast/1', { token: pro.body.access_token })
    expect(limited.headers['ratelimit-limit']).toBe('600')
    expect((await call('PUT', `/backend/user/${leo.id}`, { token: admin, body: { plan: 'Gold' } })).status).toBe(400)
    await new Promise((resolve) => setTimeout(resolve, 100))
    const pruned = await call('DELETE', `/backend/log?before=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`, { token: admin })
    expect(pruned.status).toBe(200)
    expect((await call('GET', '/backend/log', { token: admin })).body.totalResults).toBe(0)
  })

  it.skipIf(!probe.available)('discovery documents, CORS and the OpenAPI document describe the product', async () => {
    const metadata = await call('GET', '/.well-known/oauth-authorization-server')
    expect(metadata.body).toMatchObject({
      issuer: 'http://api.test',
      token_endpoint: 'http://api.test/authorization/token',
      authorization_endpoint: 'http://api.test/authorization/authorize',
      code_challenge_methods_supported: ['S256'],
    })
    expect((await call('GET', '/.well-known/openid-configuration')).body.token_endpoint).toBe('http://api.test/authorization/token')
    const preflight = await call('OPTIONS', '/forecast', { headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' } })
    expect(preflight.status).toBe(204)
    expect(preflight.headers['access-control-allow-origin']).toBe('http://localhost:5173')
    expect(String(preflight.headers['access-control-allow-headers'])).toContain('Authorization')
    expect(preflight.headers['access-control-max-age']).toBe('600')
    const other = await call('GET', '/forecast', { headers: { origin: 'https://evil.example.net' } })
    expect(other.headers['access-control-allow-origin']).toBeUndefined()
    const allowed = await call('GET', '/forecast', { headers: { origin: 'http://localhost:5173' } })
    expect(String(allowed.headers['access-control-expose-headers'])).toContain('RateLimit-Remaining')
    const plain = await call('OPTIONS', '/forecast')
    expect(plain.headers.allow).toBe('GET, HEAD, OPTIONS, POST')
  })
})
