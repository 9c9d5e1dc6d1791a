/**
 * Login through an identity provider, end to end: a real OpenID provider (oidc-provider with its
 * development login and consent pages) on 127.0.0.1, the built service as a process, and a browser
 * played by fetch with a cookie jar. The provider starts only after the service asked it once, so
 * the first redirect meets a provider that is down. The GitHub preset logs in against a small
 * stand-in for github.com and its API that checks the client secret and the PKCE verifier.
 */
import type { ChildProcess } from 'node:child_process'
import { createHash, randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { build, renderDiagnostics } from '../../compiler/index.js'
import { copyProject, removeProject, REPO } from '../helpers/projects.js'
import { startOidcProvider, type TestProvider } from '../helpers/oidc-provider.js'
import { freePort, JWT_SECRET, spawnService } from '../helpers/service.js'

const CLIENT_SECRET = 'client-secret-of-the-test-provider'

/** The provider's users: sub → claims. Anyone else logs in with claims made from the id. */
const ACCOUNTS: Record<string, Record<string, unknown>> = {
  twin: { email: 'twin@example.org', email_verified: true, preferred_username: 'ada' },
  bob: { email: 'bob@example.org', email_verified: true, preferred_username: 'bob' },
  eve: { email: 'eve@example.org', email_verified: false, preferred_username: 'eve' },
}

let project: string
let srcDir: string
let service: { child: ChildProcess; url: string; output: () => string }
let base: string
let providerPort: number
let providerServer: TestProvider | undefined
let github: Server
/** What the GitHub stand-in saw: the token requests' bodies and the API requests' headers. */
const githubSeen: { tokenRequests: Record<string, string>[]; userAgents: (string | undefined)[] } = { tokenRequests: [], userAgents: [] }

async function startProvider(): Promise<void> {
  providerServer = await startOidcProvider({
    port: providerPort,
    clients: [
      { client_id: 'fusio', client_secret: CLIENT_SECRET, redirect_uris: [`${base}/consumer/identity/Company/exchange`] },
      { client_id: 'closed', client_secret: CLIENT_SECRET, redirect_uris: [`${base}/consumer/identity/Closed/exchange`] },
    ],
    accounts: ACCOUNTS,
  })
}

/** github.com's OAuth endpoints and api.github.com's /user and /user/emails, as far as a login uses them. */
async function startGitHub(): Promise<string> {
  const codes = new Map<string, { challenge: string; redirectUri: string }>()
  const tokens = new Set<string>()
  github = createServer(async (request, response) => {
    const url = new URL(request.url!, 'http://github.test')
    const json = (status: number, body: unknown) => response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
    if (url.pathname === '/login/oauth/authorize') {
      const code = randomUUID()
      codes.set(code, { challenge: url.searchParams.get('code_challenge')!, redirectUri: url.searchParams.get('redirect_uri')! })
      const back = new URL(url.searchParams.get('redirect_uri')!)
      back.search = new URLSearchParams({ code, state: url.searchParams.get('state')! }).toString()
      return response.writeHead(302, { location: back.href }).end()
    }
    if (url.pathname === '/login/oauth/access_token' && request.method === 'POST') {
      let text = ''
      for await (const chunk of request) text += chunk
      const form = Object.fromEntries(new URLSearchParams(text))
      githubSeen.tokenRequests.push(form)
      const issued = codes.get(form.code)
      codes.delete(form.code)
      const verified = issued && createHash('sha256').update(form.code_verifier ?? '').digest('base64url') === issued.challenge
      if (form.client_id !== 'github-client' || form.client_secret !== CLIENT_SECRET || !verified || form.redirect_uri !== issued.redirectUri) {
        return json(200, { error: 'bad_verification_code', error_description: 'The code passed is incorrect or expired.' })
      }
      const token = `gho_${randomUUID()}`
      tokens.add(token)
      return json(200, { access_token: token, token_type: 'bearer', scope: 'read:user,user:email' })
    }
    githubSeen.userAgents.push(request.headers['user-agent'])
    if (!tokens.has(request.headers.authorization?.replace(/^Bearer /, '') ?? '')) return json(401, { message: 'Bad credentials' })
    if (url.pathname === '/user') return json(200, { id: 583231, login: 'octo cat', email: null })
    if (url.pathname === '/user/emails') {
      return json(200, [
        { email: 'old@example.org', primary: false, verified: true },
        { email: 'octo@example.org', primary: true, verified: true },
      ])
    }
    json(404, { message: 'Not Found' })
  })
  await new Promise<void>((resolve) => github.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(github.address() as AddressInfo).port}`
}

async function stopProvider(): Promise<void> {
  const provider = providerServer
  providerServer = undefined
  await provider?.close()
}

beforeAll(async () => {
  project = copyProject(join(REPO, 'test/fixtures/projects/identity'))
  const result = await build({ manifest: join(project, '.fusio.yml') })
  if (!result.ok) throw new Error(renderDiagnostics(result.diagnostics))
  srcDir = mkdtempSync(join(tmpdir(), 'fusio-src-'))
  providerPort = await freePort()
  const port = await freePort()
  base = `http://127.0.0.1:${port}`
  service = await spawnService(project, {
    PORT: String(port),
    FUSIO_JWT_SECRET: JWT_SECRET,
    FUSIO_PUBLIC_URL: base,
    FUSIO_DIR_SRC: srcDir,
    OIDC_ISSUER: `http://127.0.0.1:${providerPort}`,
    OIDC_CLIENT_ID: 'fusio',
    OIDC_CLIENT_SECRET: CLIENT_SECRET,
    GITHUB_URL: await startGitHub(),
  })
})

afterAll(async () => {
  if (service && service.child.exitCode === null) {
    const exited = new Promise((resolve) => service.child.once('exit', resolve))
    service.child.kill('SIGTERM')
    await exited
  }
  await stopProvider()
  github?.closeAllConnections()
  github?.close()
  if (project) removeProject(project)
  if (srcDir) rmSync(srcDir, { recursive: true, force: true })
})

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${base}${path}`, { redirect: 'manual', headers })

/** A browser as far as a login needs one: cookies per origin, redirects not followed. */
class Browser {
  private readonly jars = new Map<string, Map<string, string>>()

  async fetch(target: string | URL, init: { method?: string; headers?: Record<string, string>; body?: URLSearchParams } = {}): Promise<Response> {
    const url = new URL(target)
    const jar = this.jars.get(url.origin) ?? new Map<string, string>()
    this.jars.set(url.origin, jar)
    const cookie = [...jar].map(([name, value]) => `${name}=${value}`).join('; ')
    const response = await fetch(url, { ...init, redirect: 'manual', headers: { ...init.headers, ...(cookie ? { cookie } : {}) } })
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';')
      const [name, value] = [pair.slice(0, pair.indexOf('=')).trim(), pair.slice(pair.indexOf('=') + 1).trim()]
      const expired = attributes.some((a) => /^\s*(max-age=0|expires=.*1970)/i.test(a))
      if (expired || value === '') jar.delete(name)
      else jar.set(name, value)
    }
    return response
  }
}

/**
 * Follows the provider from the authorization URL through its login and consent forms, signing in
 * as `account`, until it sends the browser back to the service; returns that callback URL.
 */
async function signInAtProvider(browser: Browser, authorizationUrl: string, account: string): Promise<string> {
  let url = authorizationUrl
  let form: URLSearchParams | undefined
  for (let step = 0; step < 12; step++) {
    if (url.startsWith(base)) return url
    const response = await browser.fetch(url, form ? { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form } : {})
    const location = response.headers.get('location')
    if (location) {
      url = new URL(location, url).href
      form = undefined
      continue
    }
    const html = await response.text()
    expect(response.status, html).toBe(200)
    // The development pages: a login form (prompt=login, login, password) or a consent form (prompt=consent).
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1]
    const prompt = /name="prompt" value="([^"]+)"/.exec(html)?.[1]
    expect(action, html).toBeDefined()
    url = new URL(action!.replace(/&amp;/g, '&'), url).href
    form = new URLSearchParams(prompt === 'login' ? { prompt, login: account, password: 'any' } : { prompt: prompt ?? 'consent' })
  }
  throw new Error(`the provider did not send the browser back to ${base}`)
}

const PORTAL_NONCE = 'portal-nonce-0123456789abcdef'

/** A login up to the provider's redirect back: the callback URL (code, state) and the browser that holds its cookie. */
async function startLogin(identity: string, account: string): Promise<{ callback: string; browser: Browser; finish(headers?: Record<string, string>): Promise<Response> }> {
  const browser = new Browser()
  // The portal sends a nonce of its own and takes the tokens only when it comes back with them.
  const redirect = await browser.fetch(`${base}/consumer/identity/${identity}/redirect?return_state=${PORTAL_NONCE}`)
  expect(redirect.status, await redirect.clone().text()).toBe(302)
  const callback = await signInAtProvider(browser, redirect.headers.get('location')!, account)
  return { callback, browser, finish: (headers = {}) => browser.fetch(callback, { headers }) }
}

/** The whole login as the portal's browser sees it: the token from the fragment of the last redirect. */
async function login(account: string, identity = 'Company'): Promise<{ token: string; expiresIn: number; refreshToken: string }> {
  const exchange = await (await startLogin(identity, account)).finish()
  expect(exchange.status, await exchange.clone().text()).toBe(302)
  const location = exchange.headers.get('location')!
  expect(location).toMatch(/^\/developer\/#token=/)
  const fragment = new URLSearchParams(location.split('#')[1])
  expect(fragment.get('state')).toBe(PORTAL_NONCE)
  return { token: fragment.get('token')!, expiresIn: Number(fragment.get('expires_in')), refreshToken: fragment.get('refresh_token')! }
}

/** An answer body; the expectations check its shape. */
const json = (response: Response) => response.json() as Promise<any>
const account = async (token: string) => json(await get('/consumer/account', { authorization: `Bearer ${token}` }))

async function problem(response: Response, status: number, code: string): Promise<{ detail: string }> {
  const body = await json(response)
  expect(response.status, JSON.stringify(body)).toBe(status)
  expect(response.headers.get('content-type')).toContain('application/problem+json')
  expect(body.code).toBe(code)
  return body
}

describe('identity: login through an OpenID Connect provider', () => {
  it('answers 502 while the provider is down, and keeps serving', async () => {
    const down = await problem(await get('/consumer/identity/Company/redirect'), 502, 'FUSIO_ERR_IDENTITY_FAILED')
    expect(down.detail).toContain(`Company: discovery of http://127.0.0.1:${providerPort}/ failed`)
    expect(down.detail).toContain('ECONNREFUSED')
    expect((await get('/hello')).status).toBe(200)
    await startProvider()
  })

  it('lists the providers with their redirect links', async () => {
    const list = await json(await get('/consumer/identity'))
    expect(list.entry).toEqual([
      { name: 'Company', class: 'openid', redirect: '/consumer/identity/Company/redirect' },
      { name: 'Closed', class: 'openid', redirect: '/consumer/identity/Closed/redirect' },
      { name: 'GitHub', class: 'github', redirect: '/consumer/identity/GitHub/redirect' },
      { name: 'Plain', class: 'openid', redirect: '/consumer/identity/Plain/redirect' },
    ])
  })

  it('redirects to the provider with state, nonce and an S256 PKCE challenge', async () => {
    const response = await get('/consumer/identity/Company/redirect')
    expect(response.status).toBe(302)
    // The cookie that ties the login to this browser goes only to the exchange.
    expect(response.headers.get('set-cookie')).toMatch(/^fusio_login_[0-9a-f]{16}=[\w-]{43}; Path=\/consumer\/identity\/Company\/exchange; Max-Age=600; HttpOnly; SameSite=Lax$/)
    const target = new URL(response.headers.get('location')!)
    expect(target.origin).toBe(`http://127.0.0.1:${providerPort}`)
    expect(Object.fromEntries(target.searchParams)).toMatchObject({
      response_type: 'code',
      client_id: 'fusio',
      redirect_uri: `${base}/consumer/identity/Company/exchange`,
      scope: 'openid email profile',
      code_challenge_method: 'S256',
      state: expect.stringMatching(/.{32,}/),
      nonce: expect.stringMatching(/.{16,}/),
      code_challenge: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    })
  })

  it('logs in, creating the account on first login, and returns to the portal with a token', async () => {
    const first = await login('ada')
    expect(first.expiresIn).toBeGreaterThan(0)
    expect(first.refreshToken).toBeTruthy()
    const me = await account(first.token)
    expect(me).toMatchObject({ name: 'ada', email: 'ada@example.org', status: 'active', role: 'Consumer', identity: 'Company' })
    expect(me.scopes).toEqual(expect.arrayContaining(['authorization', 'consumer']))

    // The refresh token works like one from consumer.login.
    const refreshed = await fetch(`${base}/consumer/login`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refresh_token: first.refreshToken }) })
    expect(refreshed.status).toBe(200)
    expect((await account((await json(refreshed)).token)).id).toBe(me.id)

    // The second login finds the same account by the provider's subject.
    const second = await login('ada')
    expect((await account(second.token)).id).toBe(me.id)
  })

  it('answers JSON instead of redirecting when asked for it', async () => {
    const exchange = await (await startLogin('Company', 'ada')).finish({ accept: 'application/json' })
    expect(exchange.status).toBe(200)
    const body = await json(exchange)
    expect(body).toEqual({ token: expect.any(String), expires_in: expect.any(Number), refresh_token: expect.any(String) })
    expect((await account(body.token)).name).toBe('ada')
  })

  it('makes a taken user name unique', async () => {
    const { token } = await login('twin')
    expect(await account(token)).toMatchObject({ name: 'ada-2', email: 'twin@example.org' })
  })

  it('refuses a state that is unknown, forged, used or meant for another provider', async () => {
    const { callback, browser, finish } = await startLogin('Company', 'ada')
    const tampered = new URL(callback)
    tampered.searchParams.set('state', `${tampered.searchParams.get('state')!.slice(0, -2)}xx`)
    await problem(await browser.fetch(tampered), 400, 'FUSIO_ERR_ONE_TIME_TOKEN_INVALID')
    await problem(await browser.fetch(`${base}/consumer/identity/Company/exchange?code=abc`), 400, 'FUSIO_ERR_ONE_TIME_TOKEN_INVALID')

    // The real state works once; the same callback again is refused.
    expect((await finish()).status).toBe(302)
    await problem(await finish(), 400, 'FUSIO_ERR_ONE_TIME_TOKEN_INVALID')

    const other = await startLogin('Company', 'ada')
    const elsewhere = new URL(other.callback)
    elsewhere.pathname = '/consumer/identity/Closed/exchange'
    await problem(await other.browser.fetch(elsewhere), 400, 'FUSIO_ERR_ONE_TIME_TOKEN_INVALID')
  })

  it('finishes a login only in the browser that started it', async () => {
    // Someone who opens another's callback URL (login CSRF) gets no login, and the URL is spent.
    const { callback, finish } = await startLogin('Company', 'ada')
    const foreign = await problem(await fetch(callback, { redirect: 'manual' }), 400, 'FUSIO_ERR_ONE_TIME_TOKEN_INVALID')
    expect(foreign.detail).toContain('another browser')
    await problem(await finish(), 400, 'FUSIO_ERR_ONE_TIME_TOKEN_INVALID')
  })

  it('refuses an issuer on plain HTTP that is not on this machine', async () => {
    const refused = await problem(await get('/consumer/identity/Plain/redirect'), 500, 'FUSIO_ERR_CONFIG_INVALID')
    expect(refused.detail).toContain('config.issuer must be an https URL')
  })

  it('answers 404 for a provider that is not declared', async () => {
    await problem(await get('/consumer/identity/Nobody/redirect'), 404, 'FUSIO_ERR_RESOURCE_NOT_FOUND')
    await problem(await get('/consumer/identity/Nobody/exchange?code=a&state=b'), 404, 'FUSIO_ERR_RESOURCE_NOT_FOUND')
  })

  it('never links an existing account by its e-mail address', async () => {
    const registered = await fetch(`${base}/consumer/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'bob', email: 'bob@example.org', password: 'a-long-password' }),
    })
    expect(registered.status).toBe(201)
    const refused = await problem(await (await startLogin('Company', 'bob')).finish(), 409, 'FUSIO_ERR_ACCOUNT_EXISTS')
    expect(refused.detail).toContain('bob@example.org')
  })

  it('creates no account without a verified e-mail address', async () => {
    const refused = await problem(await (await startLogin('Company', 'eve')).finish(), 502, 'FUSIO_ERR_IDENTITY_FAILED')
    expect(refused.detail).toContain('verified e-mail')
  })

  it('creates no account through a provider that does not allow it', async () => {
    await problem(await (await startLogin('Closed', 'carol')).finish(), 401, 'FUSIO_ERR_ACCOUNT_CREDENTIALS')
  })

  it('refuses a disabled account', async () => {
    const db = new Database(join(srcDir, '.fusio', 'service.db'))
    try {
      db.prepare("update fusio_user set status = 'disabled' where name = 'ada-2'").run()
    } finally {
      db.close()
    }
    await problem(await (await startLogin('Company', 'twin')).finish(), 403, 'FUSIO_ERR_ACCOUNT_NOT_ACTIVE')
  })

  it('logs in through the GitHub preset with its REST API', async () => {
    const browser = new Browser()
    const redirect = await browser.fetch(`${base}/consumer/identity/GitHub/redirect`)
    expect(redirect.status).toBe(302)
    const target = new URL(redirect.headers.get('location')!)
    expect(target.pathname).toBe('/login/oauth/authorize')
    expect(target.searchParams.get('scope')).toBe('read:user user:email')
    expect(target.searchParams.get('nonce')).toBeNull()
    const back = await browser.fetch(target)
    const exchange = await browser.fetch(back.headers.get('location')!, { headers: { accept: 'application/json' } })
    const body = await json(exchange)
    expect(exchange.status, JSON.stringify(body)).toBe(200)
    expect(await account(body.token)).toMatchObject({ name: 'octo-cat', email: 'octo@example.org', identity: 'GitHub' })
    // The client secret travels in the body, as GitHub wants it, and the API gets a User-Agent.
    expect(githubSeen.tokenRequests.at(-1)).toMatchObject({ grant_type: 'authorization_code', client_id: 'github-client', client_secret: CLIENT_SECRET })
    expect(githubSeen.userAgents).not.toContain(undefined)
  })

  it('answers 502 when GitHub refuses the code', async () => {
    const browser = new Browser()
    const redirect = await browser.fetch(`${base}/consumer/identity/GitHub/redirect`)
    const state = new URL(redirect.headers.get('location')!).searchParams.get('state')!
    const forged = `${base}/consumer/identity/GitHub/exchange?${new URLSearchParams({ code: 'not-issued', state })}`
    const refused = await problem(await browser.fetch(forged), 502, 'FUSIO_ERR_IDENTITY_FAILED')
    expect(refused.detail).toContain('bad_verification_code')
  })

  it('answers 502 when the provider goes down during a login, and keeps serving', async () => {
    const { finish } = await startLogin('Company', 'ada')
    await stopProvider()
    const failed = await problem(await finish(), 502, 'FUSIO_ERR_IDENTITY_FAILED')
    expect(failed.detail).toContain('Company: the login failed')
    expect((await get('/hello')).status).toBe(200)
    expect((await get('/consumer/identity')).status).toBe(200)
    expect(service.child.exitCode).toBeNull()
  })
})
