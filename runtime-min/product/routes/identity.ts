/**
 * Login through identity providers (the manifest's `identity` section): OpenID Connect with any
 * provider, GitHub and Google as presets. The redirect keeps state, nonce and the PKCE verifier as a
 * one-time secret (the state is the secret) and ties it to the browser with a cookie; the exchange
 * redeems it in that browser only, trades the code for tokens, finds or creates the account linked to
 * the provider's user id and logs it in like consumer.login.
 * openid-client is imported on first use, so services without identities never load it.
 */
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { ClientAuth, Configuration } from 'openid-client'
import { assertNoneMissing, createEnvironment, resolveConfig } from '../../config.js'
import { FusioError } from '../../errors.js'
import type { IdentityDefinition, Json } from '../../types.js'
import { assertActive, createUser, logIn } from '../accounts.js'
import { consumeSecret, createSecret, wholeCollection, type ProductContext } from '../context.js'
import { randomSecret, sameHash, sha256 } from '../secrets.js'
import type { User } from '../store.js'
import type { ProductHandlers } from './handlers.js'

type OpenIdClient = typeof import('openid-client')

const STATE_SECONDS = 600
/** Seconds any one request to a provider may take. */
const PROVIDER_TIMEOUT = 10
/** Discovered metadata (and the provider's keys cached with it) is kept this long. */
const CACHE_MS = 3600_000
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]'])

const GITHUB = {
  authorization: 'https://github.com/login/oauth/authorize',
  token: 'https://github.com/login/oauth/access_token',
  user: 'https://api.github.com/user',
  scope: 'read:user user:email',
}
const GOOGLE_ISSUER = 'https://accounts.google.com'
const OIDC_SCOPE = 'openid email profile'

/** A provider ready to use: its openid-client configuration and how to read the user. */
interface Provider {
  readonly client: OpenIdClient
  readonly config: Configuration
  /** OpenID Connect (ID token, nonce, userinfo) or GitHub's plain OAuth 2 with its REST API. */
  readonly oidc: boolean
  readonly scope: string
  /** GitHub's user endpoint; its e-mail addresses are under `/emails`. */
  readonly userUrl?: string
}

/** What the provider tells about the user. */
interface Profile {
  readonly subject: string
  readonly username?: string
  /** Only an address the provider marks as verified. */
  readonly email?: string
}

/** The state a redirect stores and its exchange takes. */
interface LoginState {
  readonly identity: string
  readonly redirectUri: string
  readonly verifier: string
  readonly nonce?: string
  /** SHA-256 of the cookie value the browser that started the login holds. */
  readonly browser: string
  /** The portal's own nonce (`return_state`), handed back with the tokens so it takes only logins it started. */
  readonly returnState?: string
}

type Settings = Readonly<Record<string, Json>>

const failed = (identity: IdentityDefinition, step: string, error: unknown) =>
  new FusioError('FUSIO_ERR_IDENTITY_FAILED', `${identity.name}: ${step} failed: ${reason(error)}`, { cause: error })

/** The most telling text of an openid-client, OAuth or network error, from anywhere in its cause chain. */
function reason(error: unknown): string {
  const chain: { error?: unknown; error_description?: unknown; body?: unknown; cause?: unknown }[] = []
  for (let node = error as (typeof chain)[number] | undefined; node && typeof node === 'object' && chain.length < 8; node = node.cause as typeof node) chain.push(node)
  // An OAuth error answer, on an error or in the body it was found in (GitHub answers errors with status 200).
  for (const source of chain.flatMap((node) => [node, node.body as (typeof chain)[number] | undefined])) {
    if (typeof source?.error === 'string') return typeof source.error_description === 'string' ? `${source.error} (${source.error_description})` : source.error
  }
  const errors = chain.filter((node): node is Error => node instanceof Error)
  const [outer, inner] = [errors[0], errors[errors.length - 1]]
  if (!outer) return String(error)
  return inner === outer || outer.message.includes(inner.message) ? outer.message : `${outer.message}: ${inner.message}`
}

function identityOf(context: ProductContext, request: FastifyRequest): IdentityDefinition {
  const name = (request.params as { identity: string }).identity
  const identity = context.settings.identities.find((i) => i.name === name)
  if (!identity) throw new FusioError('FUSIO_ERR_RESOURCE_NOT_FOUND', `there is no identity provider "${name}"`)
  return identity
}

/** The identity's config with its ${env.X} placeholders filled in. */
function settingsOf(context: ProductContext, identity: IdentityDefinition): Settings {
  const missing = new Set<string>()
  const resolved = resolveConfig(identity.config, createEnvironment(context.env), missing)
  assertNoneMissing(missing)
  return resolved !== null && typeof resolved === 'object' && !Array.isArray(resolved) ? (resolved as Settings) : {}
}

function text(settings: Settings, key: string): string | undefined {
  const value = settings[key]
  return typeof value === 'string' && value !== '' ? value : undefined
}

function required(identity: IdentityDefinition, settings: Settings, key: string): string {
  const value = text(settings, key)
  if (!value) throw new FusioError('FUSIO_ERR_CONFIG_INVALID', `identity "${identity.name}" needs config.${key}`)
  return value
}

/** A provider URL: HTTPS, or plain HTTP to this machine only (tests, local development). */
function url(identity: IdentityDefinition, key: string, value: string): URL {
  let parsed: URL
  try {
    parsed = new URL(value)
  } catch {
    throw new FusioError('FUSIO_ERR_CONFIG_INVALID', `identity "${identity.name}": config.${key} is not a URL`)
  }
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && LOOPBACK.has(parsed.hostname))) {
    throw new FusioError('FUSIO_ERR_CONFIG_INVALID', `identity "${identity.name}": config.${key} must be an https URL (http only on localhost)`)
  }
  return parsed
}

/** openid-client refuses plain HTTP unless told; url() has let it through for localhost only. */
const insecure = (target: URL) => target.protocol === 'http:'

async function loadProvider(context: ProductContext, identity: IdentityDefinition): Promise<Provider> {
  const settings = settingsOf(context, identity)
  const clientId = required(identity, settings, 'client_id')
  const secret = required(identity, settings, 'client_secret')
  const scopes = settings.scopes
  const configuredScope = Array.isArray(scopes) && scopes.length > 0 ? scopes.map(String).join(' ') : undefined
  const client = await import('openid-client')
  // Basic is the default method when a server lists none; some servers accept only post.
  const auth: ClientAuth = (as, metadata, body, headers) => {
    const methods = as.token_endpoint_auth_methods_supported
    const basic = !methods || methods.includes('client_secret_basic')
    ;(basic ? client.ClientSecretBasic(secret) : client.ClientSecretPost(secret))(as, metadata, body, headers)
  }

  if (identity.class === 'github') {
    const token = url(identity, 'token_uri', text(settings, 'token_uri') ?? GITHUB.token)
    const config = new client.Configuration(
      {
        issuer: 'https://github.com',
        authorization_endpoint: url(identity, 'authorization_uri', text(settings, 'authorization_uri') ?? GITHUB.authorization).href,
        token_endpoint: token.href,
        token_endpoint_auth_methods_supported: ['client_secret_post'],
      },
      clientId,
      secret,
      auth,
    )
    config.timeout = PROVIDER_TIMEOUT
    if (insecure(token)) client.allowInsecureRequests(config)
    const userUrl = url(identity, 'user_info_uri', text(settings, 'user_info_uri') ?? GITHUB.user).href.replace(/\/+$/, '')
    return { client, config, oidc: false, scope: configuredScope ?? GITHUB.scope, userUrl }
  }

  const issuer = url(identity, 'issuer', identity.class === 'google' ? (text(settings, 'issuer') ?? GOOGLE_ISSUER) : required(identity, settings, 'issuer'))
  try {
    const config = await client.discovery(issuer, clientId, secret, auth, {
      timeout: PROVIDER_TIMEOUT,
      execute: insecure(issuer) ? [client.allowInsecureRequests] : [],
    })
    return { client, config, oidc: true, scope: configuredScope ?? OIDC_SCOPE }
  } catch (error) {
    throw failed(identity, `discovery of ${issuer.href}`, error)
  }
}

// Per product context, so two services in one process never share a provider of the same name.
const providers = new WeakMap<ProductContext, Map<string, { readonly provider: Promise<Provider>; readonly until: number }>>()

/** The identity's provider, discovered once an hour; a failed discovery is tried again next time. */
function providerFor(context: ProductContext, identity: IdentityDefinition): Promise<Provider> {
  let cache = providers.get(context)
  if (!cache) providers.set(context, (cache = new Map()))
  const cached = cache.get(identity.name)
  if (cached && cached.until > Date.now()) return cached.provider
  const provider = loadProvider(context, identity)
  const entry = { provider, until: Date.now() + CACHE_MS }
  cache.set(identity.name, entry)
  provider.catch(() => {
    if (cache.get(identity.name) === entry) cache.delete(identity.name)
  })
  return provider
}

async function githubProfile(identity: IdentityDefinition, provider: Provider, accessToken: string): Promise<Profile> {
  const get = async (target: string) => {
    const response = await fetch(target, {
      // GitHub refuses requests without a User-Agent.
      headers: { authorization: `Bearer ${accessToken}`, accept: 'application/vnd.github+json', 'user-agent': 'fusio-ts' },
      signal: AbortSignal.timeout(PROVIDER_TIMEOUT * 1000),
    })
    if (!response.ok) throw new Error(`${target} answered ${response.status}`)
    return response.json() as Promise<unknown>
  }
  try {
    const user = (await get(provider.userUrl!)) as { id?: unknown; login?: unknown }
    const emails = (await get(`${provider.userUrl}/emails`)) as { email?: unknown; primary?: unknown; verified?: unknown }[]
    if (typeof user.id !== 'number' && typeof user.id !== 'string') throw new Error('the user has no id')
    const verified = (Array.isArray(emails) ? emails : []).filter((e) => e.verified === true && typeof e.email === 'string')
    const email = (verified.find((e) => e.primary === true) ?? verified[0])?.email as string | undefined
    return { subject: String(user.id), ...(typeof user.login === 'string' ? { username: user.login } : {}), ...(email ? { email } : {}) }
  } catch (error) {
    throw failed(identity, 'reading the GitHub user', error)
  }
}

async function oidcProfile(identity: IdentityDefinition, provider: Provider, tokens: { access_token: string; claims(): Record<string, unknown> | undefined }): Promise<Profile> {
  const idToken = tokens.claims() ?? {}
  const subject = idToken.sub
  if (typeof subject !== 'string' || subject === '') throw failed(identity, 'the login', new Error('the ID token has no subject'))
  let info: Record<string, unknown> = {}
  if (provider.config.serverMetadata().userinfo_endpoint) {
    try {
      info = await provider.client.fetchUserInfo(provider.config, tokens.access_token, subject)
    } catch (error) {
      throw failed(identity, 'reading the userinfo', error)
    }
  }
  const claims = { ...idToken, ...info }
  // Only an address the provider vouches for (some send the flag as a string): anyone can claim one.
  const verified = claims.email_verified === true || claims.email_verified === 'true'
  const email = typeof claims.email === 'string' && claims.email.includes('@') && verified ? claims.email : undefined
  const username = [claims.preferred_username, claims.nickname, claims.name, email?.split('@')[0]].find((v): v is string => typeof v === 'string' && v.trim() !== '')
  return { subject, ...(username ? { username } : {}), ...(email ? { email } : {}) }
}

/** A free account name like the provider's user name, within the name pattern ^[A-Za-z0-9._-]{3,64}$. */
async function freeName(context: ProductContext, identity: IdentityDefinition, wanted: string | undefined, random: boolean): Promise<string> {
  const clean = (value: string) =>
    value
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/[^A-Za-z0-9._-]+/g, '-')
      .replace(/^[._-]+|[._-]+$/g, '')
      .slice(0, 48)
  let base = clean(wanted ?? '')
  if (base.length < 3) base = clean(`${identity.name}-user`)
  if (base.length < 3) base = 'user'
  const candidates = random ? [] : [base, ...[2, 3, 4, 5, 6, 7, 8, 9].map((n) => `${base}-${n}`)]
  for (const name of candidates) {
    const taken = await context.db.selectFrom('fusio_user').select('id').where('name', '=', name).executeTakeFirst()
    if (!taken) return name
  }
  return `${base}-${randomSecret().slice(0, 8).replace(/[^A-Za-z0-9]/g, 'x')}`
}

const byRemote = (context: ProductContext, identity: IdentityDefinition, subject: string) =>
  context.db.selectFrom('fusio_user').selectAll().where('identity', '=', identity.name).where('remote_id', '=', subject).executeTakeFirst()

/** The account linked to this provider user; made on the first login if the identity allows it. */
async function accountFor(context: ProductContext, identity: IdentityDefinition, profile: Profile): Promise<User> {
  const linked = await byRemote(context, identity, profile.subject)
  if (linked) return linked
  if (!identity.allowCreate) throw new FusioError('FUSIO_ERR_ACCOUNT_CREDENTIALS', `no account belongs to this ${identity.name} login, and ${identity.name} logins do not create accounts`)
  if (!profile.email) throw new FusioError('FUSIO_ERR_IDENTITY_FAILED', `${identity.name} did not tell a verified e-mail address, which a new account needs`)
  const email = profile.email.toLowerCase()
  // Linking an existing account to whoever controls this address at the provider would hand it over.
  const holder = await context.db.selectFrom('fusio_user').select('id').where('email', '=', email).executeTakeFirst()
  if (holder) {
    throw new FusioError('FUSIO_ERR_ACCOUNT_EXISTS', `an account with the e-mail address ${email} exists already and is not linked to ${identity.name}; log in to it as before`)
  }
  for (const random of [false, true]) {
    const name = await freeName(context, identity, profile.username, random)
    try {
      const id = await createUser(context, { name, email, password: null, status: 'active', identity: identity.name, remoteId: profile.subject })
      return await context.db.selectFrom('fusio_user').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
    } catch (error) {
      if (!(error instanceof FusioError && error.code === 'FUSIO_ERR_ACCOUNT_EXISTS')) throw error
      // A second login of the same user at the same moment made the account already.
      const made = await byRemote(context, identity, profile.subject)
      if (made) return made
      if (random) throw error
    }
  }
  throw new FusioError('FUSIO_ERR_INTERNAL', 'no account name was free')
}

/** The cookie of one login, named after its state so parallel logins in one browser do not collide. */
const cookieName = (state: string) => `fusio_login_${sha256(state).slice(0, 16)}`

function cookieOf(request: FastifyRequest, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=')
    if (key === name) return value.join('=')
  }
  return undefined
}

/** Set-Cookie for a login's cookie, sent only to its exchange URL. */
function loginCookie(context: ProductContext, request: FastifyRequest, identity: IdentityDefinition, state: string, value: string, seconds: number): string {
  const path = `${context.basePath}/consumer/identity/${encodeURIComponent(identity.name)}/exchange`
  const secure = context.publicUrl(request).startsWith('https:') ? '; Secure' : ''
  // Lax: the provider sends the browser back with a top-level GET, which carries it.
  return `${cookieName(state)}=${value}; Path=${path}; Max-Age=${seconds}; HttpOnly; SameSite=Lax${secure}`
}

const wantsJson = (request: FastifyRequest) => /\bapplication\/json\b/i.test(request.headers.accept ?? '')

function answer(request: FastifyRequest, reply: FastifyReply, context: ProductContext, result: { token: string; expires_in: number; refresh_token?: string }, returnState?: string) {
  // The route's default status is 302, so a JSON answer is sent here with its own.
  if (wantsJson(request) || !context.settings.portal) return reply.code(200).send(result)
  const fragment = new URLSearchParams({
    token: result.token,
    expires_in: String(result.expires_in),
    ...(result.refresh_token ? { refresh_token: result.refresh_token } : {}),
    ...(returnState ? { state: returnState } : {}),
  })
  return reply.redirect(`${context.basePath}/developer/#${fragment}`, 302)
}

export const identityHandlers: ProductHandlers = {
  async 'consumer.identity.getAll'(_request, _reply, context) {
    const entry = context.settings.identities.map((i) => ({ name: i.name, class: i.class, redirect: `${context.basePath}/consumer/identity/${encodeURIComponent(i.name)}/redirect` }))
    return wholeCollection(entry)
  },

  async 'consumer.identity.redirect'(request, reply, context) {
    const identity = identityOf(context, request)
    const provider = await providerFor(context, identity)
    const { client } = provider
    const verifier = client.randomPKCECodeVerifier()
    const browser = randomSecret()
    const returnState = (request.query as { return_state?: unknown }).return_state
    const state: LoginState = {
      identity: identity.name,
      redirectUri: `${context.publicUrl(request)}${context.basePath}/consumer/identity/${encodeURIComponent(identity.name)}/exchange`,
      verifier,
      ...(provider.oidc ? { nonce: client.randomNonce() } : {}),
      browser: sha256(browser),
      ...(typeof returnState === 'string' && /^[A-Za-z0-9_-]{16,128}$/.test(returnState) ? { returnState } : {}),
    }
    const secret = await createSecret(context, 'identity', null, state, STATE_SECONDS)
    // Only the browser that started the login may finish it: nobody can slip their own login into another's browser.
    reply.header('set-cookie', loginCookie(context, request, identity, secret, browser, STATE_SECONDS))
    const target = client.buildAuthorizationUrl(provider.config, {
      redirect_uri: state.redirectUri,
      scope: provider.scope,
      state: secret,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      ...(state.nonce ? { nonce: state.nonce } : {}),
    })
    return reply.redirect(target.href, 302)
  },

  async 'consumer.identity.exchange'(request, reply, context) {
    const identity = identityOf(context, request)
    const query = request.query as { state?: unknown }
    const secret = typeof query.state === 'string' ? query.state : ''
    const state = secret ? ((await consumeSecret(context, 'identity', secret))?.data as LoginState | undefined) : undefined
    if (!state || state.identity !== identity.name) throw new FusioError('FUSIO_ERR_ONE_TIME_TOKEN_INVALID', 'the login state is unknown, used or expired; start the login again')
    const browser = cookieOf(request, cookieName(secret))
    reply.header('set-cookie', loginCookie(context, request, identity, secret, '', 0))
    if (!browser || !sameHash(sha256(browser), state.browser)) {
      throw new FusioError('FUSIO_ERR_ONE_TIME_TOKEN_INVALID', 'this login was started in another browser (its cookie is missing); start the login again')
    }
    const provider = await providerFor(context, identity)
    // The callback URL as the provider called it: openid-client reads code, state, iss and errors from it.
    const current = new URL(state.redirectUri)
    current.search = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : ''
    let tokens: Awaited<ReturnType<OpenIdClient['authorizationCodeGrant']>>
    try {
      tokens = await provider.client.authorizationCodeGrant(provider.config, current, {
        pkceCodeVerifier: state.verifier,
        expectedState: secret,
        ...(provider.oidc ? { expectedNonce: state.nonce } : {}),
      })
    } catch (error) {
      throw failed(identity, 'the login', error)
    }
    const profile = provider.oidc ? await oidcProfile(identity, provider, tokens) : await githubProfile(identity, provider, tokens.access_token)
    const user = await accountFor(context, identity, profile)
    assertActive(user)
    return answer(request, reply, context, await logIn(context, request, user), state.returnState)
  },
}
