/**
 * The developer portal in a real browser (Debian's chromium through playwright-core): a developer
 * registers, activates the account from the mailed link, signs in, creates an app with the forecast
 * scope, gets a client_credentials token in the portal and calls the API with it until the Free
 * plan's limit; then the API reference renders with Swagger UI and the OAuth consent page hands out
 * a code. The service is examples/api-product built by the CLI and run as its own process, mailing
 * to a local SMTP server. Screenshots of each step land in test-artifacts/portal/.
 */
import { execFile, type ChildProcess } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { appendFileSync, existsSync, mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { scratchDatabase, type ScratchDatabase } from '../helpers/databases.js'
import { startMailbox, type Mailbox } from '../helpers/mailbox.js'
import { startOidcProvider, type TestProvider } from '../helpers/oidc-provider.js'
import { copyProject, removeProject, REPO } from '../helpers/projects.js'
import { freePort, sameWindow, spawnService } from '../helpers/service.js'
import { probeService, required, type ServiceProbe } from '../helpers/services.js'

const CHROMIUM = '/usr/bin/chromium'
const JWT_SECRET = 'portal-browser-test-secret-of-at-least-32-bytes!'
const OIDC_SECRET = 'client-secret-of-the-test-provider'

// A missing browser skips the suite visibly, or fails it when the environment promises every service.
const missing = existsSync(CHROMIUM) ? '' : `chromium is not installed at ${CHROMIUM} (apt-get install chromium)`
if (missing && required) throw new Error(`${missing}; FUSIO_REQUIRE_SERVICES=1 makes a missing browser a failure`)
if (missing) console.warn(`skipping the portal browser test: ${missing}`)

const run = promisify(execFile)

let project: string
let mailbox: Mailbox
let provider: TestProvider | undefined
/** The page is on the provider's login pages (which are not the portal's). */
const atProvider = () => Boolean(provider && page?.url().startsWith(provider.issuer))
let service: { child: ChildProcess; url: string; output: () => string } | undefined
let browser: Browser
let context: BrowserContext
let page: Page
const problems: string[] = []
let shots = 0

/** playwright-core has no assertions of its own: these wait the Playwright way, then vitest checks. */
const heading = () => page.locator('main h1').innerText()
const textOf = (locator: Locator) => locator.innerText()
const poll = <T>(read: () => Promise<T>, timeout = 5000) => expect.poll(read, { timeout, interval: 100 })

let artifacts = ''
const shot = (name: string) => page.screenshot({ path: join(artifacts, `${String(++shots).padStart(2, '0')}-${name}.png`), fullPage: true })

// What the journey learns on the way (new for each service database).
let developer = { name: '', email: '', password: '' }
let app = { key: '', secret: '', token: '' }

// The whole journey runs once with the embedded SQLite service database and once on PostgreSQL.
const backends: { backend: 'sqlite' | 'postgres'; probe: ServiceProbe }[] = [
  { backend: 'sqlite', probe: { available: true, reason: '' } },
  { backend: 'postgres', probe: await probeService('postgres') },
]

for (const { backend, probe } of backends) describe.skipIf(Boolean(missing) || !probe.available)(`developer portal in chromium, service database on ${backend}${missing ? ` [skipped: ${missing}]` : probe.reason}`, () => {
  let database: ScratchDatabase | undefined
  beforeAll(async () => {
    artifacts = join(REPO, 'test-artifacts/portal', backend)
    rmSync(artifacts, { recursive: true, force: true })
    mkdirSync(artifacts, { recursive: true })
    shots = 0
    problems.length = 0
    const name = `dev_${randomBytes(3).toString('hex')}`
    developer = { name, email: `${name}@example.com`, password: 'correct horse battery staple' }
    app = { key: '', secret: '', token: '' }
    if (backend === 'postgres') database = await scratchDatabase('postgres')
    project = copyProject(join(REPO, 'examples/api-product'), 'api-product')
    // The example plus one login provider: a real OpenID provider started below.
    appendFileSync(
      join(project, '.fusio.yml'),
      '\nidentity:\n  Company:\n    class: openid\n    config: { issuer: "${env.OIDC_ISSUER}", client_id: portal, client_secret: "${env.OIDC_SECRET}" }\n',
    )
    const port = await freePort()
    provider = await startOidcProvider({
      port: await freePort(),
      clients: [{ client_id: 'portal', client_secret: OIDC_SECRET, redirect_uris: [`http://127.0.0.1:${port}/consumer/identity/Company/exchange`] }],
    })
    await run(process.execPath, [join(REPO, 'bin/fusio'), 'build', '--manifest', join(project, '.fusio.yml')], { cwd: project, env: { ...process.env, CI: '1' } }).catch(
      (error: { stdout?: string; stderr?: string; message: string }) => {
        throw new Error(`examples/api-product does not build: ${error.stderr || error.stdout || error.message}`)
      },
    )
    mailbox = await startMailbox()
    service = await spawnService(project, {
      PORT: String(port),
      FUSIO_PUBLIC_URL: `http://127.0.0.1:${port}`,
      FUSIO_JWT_SECRET: JWT_SECRET,
      FUSIO_MAIL_URL: mailbox.url,
      // spawnService waits for the "listening" line, which pino writes at info.
      FUSIO_LOG_LEVEL: 'info',
      FUSIO_DIR_SRC: project,
      ...(database ? { FUSIO_DATABASE_URL: database.url } : {}),
      OIDC_ISSUER: provider.issuer,
      OIDC_SECRET,
    })
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] })
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB' })
    // Nothing may leave the service's origin: a request elsewhere is a test failure (the OAuth
    // client's redirect target, below, is answered here instead).
    await context.route(/^https?:\/\/(?!127\.0\.0\.1:\d+\/)/, (route) => {
      const url = route.request().url()
      if (url.startsWith('https://board.example.com/')) return route.fulfill({ status: 200, contentType: 'text/plain', body: 'client callback' })
      // The test provider's own login pages ask for web fonts: not the portal's doing.
      if (atProvider()) return route.abort()
      problems.push(`request to another origin: ${url}`)
      return route.abort()
    })
    page = await context.newPage()
    // A step that fails should say so quickly rather than after Playwright's 30 s default.
    page.setDefaultTimeout(8000)
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`))
    page.on('console', (message) => {
      // CSP violations and script errors show up here; the 4xx answers the test provokes on purpose are let through.
      if (message.type() === 'error' && !atProvider() && !/Failed to load resource: the server responded with a status of 4\d\d/.test(message.text())) problems.push(`console: ${message.text()}`)
    })
  })

  // The steps build on each other: after a failure the rest fail at once, naming the first one, and
  // the failing step leaves a picture of the page it failed on.
  let failed = ''
  beforeEach(({ task, onTestFailed }) => {
    if (failed) throw new Error(`not run: the earlier step "${failed}" failed`)
    onTestFailed(async () => {
      failed = task.name
      if (page) await shot(`failed-${task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 40)}`).catch(() => {})
    })
  })

  afterAll(async () => {
    await browser?.close()
    if (service) {
      const { child } = service
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve))
        child.kill('SIGTERM')
        await exited
      }
    }
    await mailbox?.close()
    await provider?.close()
    await database?.drop()
    if (project) removeProject(project)
  })

  it('registers and activates the account from the mailed link', async () => {
    await page.goto(`${service!.url}/developer/`)
    await page.locator('main h1').waitFor({ timeout: 10_000 }).catch(async () => {
      const built = existsSync(join(project, 'dist/developer/index.html'))
      throw new Error(`the portal did not render (dist/developer/index.html ${built ? 'exists' : 'is missing'}); the page says: ${(await page.locator('body').innerText()).slice(0, 500)}`)
    })
    await poll(heading).toBe('Build with the Weather API')
    await shot('home')
    await page.getByTestId('nav-register').click()
    await page.getByLabel('User name').fill(developer.name)
    await page.getByLabel('E-mail').fill(developer.email)
    await page.getByLabel('Password', { exact: true }).fill(developer.password)
    const mail = mailbox.next(developer.email, 10_000)
    await page.getByRole('button', { name: 'Create account' }).click()
    const done = page.getByTestId('register-done')
    await done.waitFor()
    expect(await textOf(done)).toContain('Check your mail')
    expect(await textOf(done)).toContain(developer.email)
    await shot('registered')

    const { text } = await mail
    const link = /https?:\/\/\S+\/developer\/activate\?token=[^\s]+/.exec(text)?.[0]
    expect(link, `activation mail without a link:\n${text}`).toBeDefined()
    expect(link!.startsWith(`${service!.url}/developer/activate?token=`)).toBe(true)
    await page.goto(link!)
    await poll(() => textOf(page.getByTestId('activate-status'))).toContain('Your account is active')
    // The spent token leaves the address bar.
    expect(new URL(page.url()).search).toBe('')
    await shot('activated')
  })

  it('signs in and creates an app with the forecast scope, showing key and secret once', async () => {
    await page.locator('#activate-login').click()
    await page.getByLabel('Name or e-mail').fill(developer.email)
    await page.getByLabel('Password', { exact: true }).fill(developer.password)
    await page.getByRole('button', { name: 'Sign in', exact: true }).click()
    await poll(heading).toBe('Your apps')
    await page.getByTestId('no-apps').waitFor()
    await poll(() => textOf(page.getByTestId('nav-account'))).toBe(developer.name)
    // The portal's own scopes are not offered; the API's are, checked.
    const forecast = page.getByTestId('scope-forecast')
    await forecast.waitFor()
    expect(await forecast.isChecked()).toBe(true)
    expect(await page.getByTestId('scope-consumer').count()).toBe(0)
    // The service's field errors land next to their input.
    await page.getByLabel('App name').fill('Weather board')
    await page.getByLabel('App URL').fill('ftp://board.example.com')
    await page.getByRole('button', { name: 'Create app' }).click()
    await poll(() => textOf(page.locator('#app-url-error'))).toContain('must match pattern')
    expect(await page.getByLabel('App URL').getAttribute('aria-invalid')).toBe('true')
    await shot('app-field-error')
    await page.getByLabel('App URL').fill('https://board.example.com')
    await shot('app-form')
    await page.getByRole('button', { name: 'Create app' }).click()

    const created = page.getByTestId('new-app')
    await created.waitFor()
    expect(await textOf(created)).toContain('Copy the secret now')
    app.key = (await created.getByTestId('app-key').textContent()) ?? ''
    app.secret = (await created.getByTestId('app-secret').textContent()) ?? ''
    expect(app.key).toMatch(/^[0-9a-f-]{36}$/)
    expect(app.secret.length).toBeGreaterThanOrEqual(20)
    await poll(() => page.locator('.app-list > li').count()).toBe(1)
    expect(await textOf(page.locator('.app-list'))).toContain('Weather board')
    // The list never shows a secret.
    expect(await textOf(page.locator('.app-list'))).not.toContain(app.secret)
    await shot('app-created')
  })

  it('gets a client_credentials token in the portal', async () => {
    const created = page.getByTestId('new-app')
    expect(await created.getByLabel('App secret').inputValue()).toBe(app.secret)
    await created.getByRole('button', { name: 'Get token' }).click()
    const result = page.getByTestId('token-result')
    await result.waitFor()
    app.token = (await result.getByTestId('access-token').textContent()) ?? ''
    expect(app.token.split('.')).toHaveLength(3)
    expect(await textOf(result.getByTestId('token-scope'))).toBe('forecast')
    expect(await textOf(result.getByTestId('token-expires'))).toMatch(/^\d+ seconds/)
    expect(await result.getByTestId('token-curl').textContent()).toBe(`curl -H 'Authorization: Bearer ${app.token}' '${service!.url}/forecast/1'`)
    await shot('token')

    // A wrong secret is refused with the OAuth error next to the form.
    await page.getByTestId('nav-token').click()
    await poll(heading).toBe('Get an access token')
    await page.getByLabel('App secret').fill('as_wrong')
    await page.getByRole('button', { name: 'Get token' }).click()
    await poll(() => textOf(page.locator('#token-error'))).toContain('the client credentials are wrong')
    await shot('token-wrong-secret')
  })

  it('calls the private operation with the token until the Free plan says 429', async () => {
    const call = () => fetch(`${service!.url}/forecast/1`, { headers: { authorization: `Bearer ${app.token}` } })
    await sameWindow(60)
    const first = await call()
    expect(first.status).toBe(200)
    expect(await first.json()).toMatchObject({ id: 1, city: 'Berlin' })
    expect(first.headers.get('ratelimit-limit')).toBe('10')
    expect(first.headers.get('ratelimit-remaining')).toBe('9')
    let last = first
    let calls = 1
    while (last.status === 200 && calls < 20) {
      last = await call()
      calls++
      if (last.status === 200) expect(last.headers.get('ratelimit-remaining')).toBe(String(10 - calls))
    }
    expect(calls).toBe(11)
    expect(last.status).toBe(429)
    expect(last.headers.get('content-type')).toContain('application/problem+json')
    expect(last.headers.get('ratelimit-remaining')).toBe('0')
    expect(Number(last.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(await last.json()).toMatchObject({ status: 429, title: 'Too Many Requests', code: 'FUSIO_ERR_RATE_LIMITED', success: false })
  })

  it('lists the calls, the plan and the account', async () => {
    await page.getByTestId('nav-calls').click()
    await poll(heading).toBe('My calls')
    // The usage log is written in batches (every second): reload until the 429 is in.
    await poll(async () => {
      await page.locator('#calls-reload').click()
      await page.locator('#calls-reload:enabled').waitFor()
      const table = page.getByTestId('calls')
      return (await table.count()) > 0 ? textOf(table) : ''
    }, 10_000).toContain('429')
    expect(await textOf(page.getByTestId('calls'))).toContain('GET /forecast/1')
    await shot('calls')

    await page.getByTestId('nav-plans').click()
    await poll(() => textOf(page.getByTestId('plan-Free'))).toMatch(/your plan/i)
    expect(await textOf(page.getByTestId('plan-Pro'))).toContain('29 a month')
    await shot('plans')

    // An expired session token is renewed with the refresh token before the call; a rejected one after it.
    const before = String(await page.evaluate(`(() => {
      const s = JSON.parse(sessionStorage.getItem('fusio.portal.session'))
      sessionStorage.setItem('fusio.portal.session', JSON.stringify({ ...s, expiresAt: 0 }))
      return s.refreshToken
    })()`))
    await page.getByTestId('nav-account').click()
    await poll(() => textOf(page.getByTestId('account'))).toContain(developer.email)
    const renewed = (await page.evaluate(`JSON.parse(sessionStorage.getItem('fusio.portal.session'))`)) as { refreshToken: string; expiresAt: number }
    expect(renewed.refreshToken).not.toBe(before)
    expect(renewed.expiresAt).toBeGreaterThan(Date.now())
    await page.evaluate(`(() => {
      const s = JSON.parse(sessionStorage.getItem('fusio.portal.session'))
      sessionStorage.setItem('fusio.portal.session', JSON.stringify({ ...s, token: s.token.slice(0, -4) + 'AAAA' }))
    })()`)
    await page.getByTestId('nav-plans').click()
    await page.getByTestId('plan-Free').waitFor()
    await page.getByTestId('nav-account').click()
    await poll(() => textOf(page.getByTestId('account'))).toContain(developer.email)
    await shot('account')
  })

  it('renders the API reference with Swagger UI from the service itself', async () => {
    await page.getByTestId('nav-reference').click()
    const forecast = page.locator('.swagger-ui .opblock-summary-path[data-path="/forecast/{id}"]')
    await forecast.waitFor({ timeout: 15_000 })
    const reference = await textOf(page.locator('.swagger-ui'))
    expect(reference).toContain('forecast.get')
    expect(reference).toContain('Weather API')
    await shot('reference')
  })

  it('answers an OAuth authorization request on the consent page and the code buys a token', async () => {
    const verifier = randomBytes(32).toString('base64url')
    const challenge = createHash('sha256').update(verifier).digest('base64url')
    const redirect = 'https://board.example.com/callback'
    const query = new URLSearchParams({ response_type: 'code', client_id: app.key, redirect_uri: redirect, scope: 'forecast', state: 'st4te', code_challenge: challenge, code_challenge_method: 'S256' })
    await page.goto(`${service!.url}/authorization/authorize?${query}`)
    expect(page.url()).toMatch(/\/developer\/authorize\?/)
    const consent = page.getByTestId('consent')
    await consent.waitFor()
    expect(await textOf(consent)).toContain('https://board.example.com')
    expect(await textOf(consent)).toContain('forecast — Read forecasts')
    await shot('consent')
    await page.getByRole('button', { name: 'Allow' }).click()
    await page.waitForURL(/^https:\/\/board\.example\.com\/callback\?/)
    const back = new URL(page.url())
    expect(back.searchParams.get('state')).toBe('st4te')
    const code = back.searchParams.get('code')
    expect(code).toBeTruthy()
    const exchanged = await fetch(`${service!.url}/authorization/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${app.key}:${app.secret}`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: code!, redirect_uri: redirect, code_verifier: verifier }),
    })
    expect(exchanged.status).toBe(200)
    expect(await exchanged.json()).toMatchObject({ token_type: 'bearer', scope: 'forecast', access_token: expect.any(String) })
  })

  it('signs out; views that need a session lead to the login', async () => {
    await page.goto(`${service!.url}/developer/apps`)
    await page.locator('#logout').click()
    await poll(heading).toBe('Sign in')
    await page.getByText('You are signed out.').waitFor()
    // Views that need a session send the visitor to the login.
    await page.goto(`${service!.url}/developer/account`)
    await poll(async () => page.url()).toMatch(/\/developer\/login\?next=account$/)
    await shot('signed-out')
    // Registering the same name again is refused with the service's reason.
    await page.getByTestId('nav-register').click()
    await page.getByLabel('User name').fill(developer.name)
    await page.getByLabel('E-mail').fill(`other.${developer.email}`)
    await page.getByLabel('Password', { exact: true }).fill(developer.password)
    await page.getByRole('button', { name: 'Create account' }).click()
    await poll(() => textOf(page.locator('#register-error'))).toContain('exists already')
    await shot('register-conflict')
  })

  it('takes no tokens from a #token= link it did not start (login CSRF)', async () => {
    // A signed-out visitor opens a link that carries someone else's (valid) tokens.
    await page.goto(`${service!.url}/developer/#token=${encodeURIComponent(app.token)}&expires_in=3600`)
    await page.getByText('That sign-in link was not started here').waitFor()
    expect(page.url()).not.toContain('token=')
    await expect(page.getByTestId('nav-login').count()).resolves.toBe(1)
    expect(await page.evaluate('JSON.stringify(sessionStorage)')).not.toContain(app.token)
  })

  it('signs in through the OpenID provider, a new account made from its profile', async () => {
    await page.goto(`${service!.url}/developer/login`)
    await page.getByTestId('identity-Company').click()
    // The provider's own pages: its development login (any password), then its consent.
    await page.locator('input[name=login]').fill('oidc-dev')
    await page.locator('input[name=password]').fill('any password')
    await shot('provider-login')
    await page.locator('button[type=submit]').click()
    await page.getByRole('button', { name: 'Continue' }).click()
    await poll(() => textOf(page.getByTestId('nav-account'))).toBe('oidc-dev')
    expect(page.url()).not.toContain('token=')
    await page.getByTestId('nav-account').click()
    await poll(() => textOf(page.getByTestId('account'))).toContain('oidc-dev@example.org')
    expect(await textOf(page.getByTestId('identity-note'))).toContain('You sign in through Company')
    expect(await page.getByRole('button', { name: 'Change password' }).count()).toBe(0)
    await shot('provider-signed-in')
    await page.locator('#logout').click()
    await poll(heading).toBe('Sign in')
  })

  it('resets the password from the mailed link and signs in with the new one', async () => {
    await page.getByTestId('nav-login').click()
    await page.getByRole('link', { name: 'Forgot your password?' }).click()
    const mail = mailbox.next(developer.email, 10_000)
    await page.getByLabel('E-mail').fill(developer.email)
    await page.getByRole('button', { name: 'Send link' }).click()
    const link = /https?:\/\/\S+\/developer\/reset\?token=[^\s]+/.exec((await mail).text)?.[0]
    expect(link).toBeDefined()
    await page.goto(link!)
    await poll(heading).toBe('Choose a new password')
    await page.getByLabel('New password', { exact: true }).fill('a new and longer passphrase')
    await page.getByLabel('Repeat the new password').fill('a new and longer passphrase')
    await page.getByRole('button', { name: 'Set password' }).click()
    await page.getByText('Your password is changed').waitFor()
    await page.getByRole('link', { name: 'Sign in', exact: true }).last().click()
    await page.getByLabel('Name or e-mail').fill(developer.name)
    await page.getByLabel('Password', { exact: true }).fill('a new and longer passphrase')
    await page.getByRole('button', { name: 'Sign in', exact: true }).click()
    await poll(heading).toBe('Your apps')
    await shot('password-reset')
  })

  it('met no script error, CSP violation or request to another origin on the way', () => {
    expect(problems).toEqual([])
  })
})
