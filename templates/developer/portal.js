/**
 * The developer portal: a small single-page app over the service's /consumer and /authorization APIs.
 * Vanilla ES module, no build step, no framework, nothing from other origins (the page's CSP allows
 * only 'self'). Views live at /developer/<view>; the service answers every such path with index.html.
 */

// ---------------------------------------------------------------------------------------------
// Where we are: the portal root ends with '/developer/'; whatever precedes it is the API's base path.
// ---------------------------------------------------------------------------------------------

const MARK = '/developer/'
const at = location.pathname.indexOf(MARK)
const ROOT = at >= 0 ? location.pathname.slice(0, at + MARK.length) : MARK
const API = at >= 0 ? location.pathname.slice(0, at) : ''

/** Scopes of the portal itself: apps never need them, so the app form leaves them out. */
const PRODUCT_SCOPES = new Set(['authorization', 'consumer', 'backend'])
/** Refresh the session token this long before it expires. */
const REFRESH_MARGIN_MS = 30_000

// ---------------------------------------------------------------------------------------------
// DOM helpers: elements are built, never parsed from strings, so API data can't inject markup.
// ---------------------------------------------------------------------------------------------

function h(tag, props, ...children) {
  const el = document.createElement(tag)
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue
    if (key === 'class') el.className = value
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value)
    else el.setAttribute(key, value === true ? '' : String(value))
  }
  el.append(...children.flat(Infinity).filter((c) => c !== undefined && c !== null && c !== false).map((c) => (c instanceof Node ? c : String(c))))
  return el
}

const $ = (selector, scope = document) => scope.querySelector(selector)

/** A link to a view; the click handler below turns it into a pushState navigation. */
const link = (view, text, props = {}) => h('a', { href: ROOT + view, ...props }, text)

const formatDate = (value) => {
  const date = new Date(value)
  return Number.isNaN(date.getTime()) ? String(value ?? '') : date.toLocaleString()
}

function alertBox(kind, ...content) {
  return h('div', { class: `alert ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, ...content)
}

/** Copies to the clipboard; where the clipboard is unavailable the text is selected for Ctrl+C. */
function copyButton(getText, label = 'Copy', target) {
  const button = h('button', { type: 'button', class: 'small secondary' }, label)
  button.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(getText())
      button.textContent = 'Copied'
    } catch {
      if (target) getSelection()?.selectAllChildren(target)
      button.textContent = 'Press Ctrl+C'
    }
    setTimeout(() => (button.textContent = label), 2000)
  })
  return button
}

/** A monospaced value with a copy button next to it. */
function secretValue(text, testid) {
  const code = h('code', { class: 'value', 'data-testid': testid }, text)
  return h('div', { class: 'copyable' }, code, copyButton(() => text, 'Copy', code))
}

// ---------------------------------------------------------------------------------------------
// The session: the consumer token lives in sessionStorage (gone with the tab), refreshed on demand.
// ---------------------------------------------------------------------------------------------

const SESSION_KEY = 'fusio.portal.session'
const NEXT_KEY = 'fusio.portal.next'

const session = {
  get() {
    try {
      const value = JSON.parse(sessionStorage.getItem(SESSION_KEY) ?? 'null')
      return value && typeof value.token === 'string' ? value : null
    } catch {
      return null
    }
  },
  /** Stores a /consumer/login answer ({token, expires_in, refresh_token}). */
  set(answer) {
    const seconds = Number(answer.expires_in) > 0 ? Number(answer.expires_in) : 3600
    sessionStorage.setItem(SESSION_KEY, JSON.stringify({ token: answer.token, refreshToken: answer.refresh_token ?? null, expiresAt: Date.now() + seconds * 1000 }))
  },
  clear() {
    sessionStorage.removeItem(SESSION_KEY)
    account = null
  },
}

/** Things shown once and kept in memory only: a new app's secret and the last token obtained with it. */
const memory = { app: null, appToken: null }
/** The own account, fetched once per session for the header. */
let account = null
/** A message for the next view (after logout, a provider login…). */
let flash = null

// ---------------------------------------------------------------------------------------------
// Talking to the API. Errors are RFC 9457 problems ({title, detail, errors:[{field, message}]}) or,
// from the token endpoint, RFC 6749 errors ({error, error_description}); both become ApiError.
// ---------------------------------------------------------------------------------------------

class ApiError extends Error {
  constructor(status, body) {
    const text = body?.detail ?? body?.error_description ?? body?.message ?? body?.title ?? body?.error ?? `The service answered ${status}`
    super(text)
    this.status = status
    this.body = body ?? {}
    this.fields = Array.isArray(body?.errors) ? body.errors.filter((e) => e && typeof e.message === 'string') : []
  }
}

/** Thrown when the session cannot be renewed: the view sends the user to the login. */
class SessionEnded extends Error {}

async function request(method, path, { json, form, token, basic } = {}) {
  const headers = { accept: 'application/json, application/problem+json' }
  let body
  if (json !== undefined) {
    headers['content-type'] = 'application/json'
    body = JSON.stringify(json)
  } else if (form !== undefined) {
    headers['content-type'] = 'application/x-www-form-urlencoded'
    body = new URLSearchParams(form).toString()
  }
  if (token) headers.authorization = `Bearer ${token}`
  if (basic) headers.authorization = `Basic ${basic}`
  let response
  try {
    response = await fetch(API + path, { method, headers, body, credentials: 'omit', cache: 'no-store' })
  } catch {
    throw new ApiError(0, { detail: 'The service cannot be reached. Check your connection and try again.' })
  }
  const text = await response.text()
  let data = null
  if (text) {
    try {
      data = JSON.parse(text)
    } catch {
      data = { detail: text.slice(0, 300) }
    }
  }
  if (!response.ok) throw new ApiError(response.status, data)
  return data
}

let refreshing = null
/** Exchanges the refresh token; one exchange at a time, since refresh tokens work only once. */
function refreshSession() {
  refreshing ??= (async () => {
    const current = session.get()
    try {
      if (!current?.refreshToken) throw new Error('no refresh token')
      session.set(await request('PUT', '/consumer/login', { json: { refresh_token: current.refreshToken } }))
      return session.get()
    } catch {
      session.clear()
      throw new SessionEnded('Your session has ended. Please sign in again.')
    }
  })().finally(() => (refreshing = null))
  return refreshing
}

/** A call with the session token: renewed shortly before it expires, and once more on a 401. */
async function authed(method, path, options = {}) {
  let current = session.get()
  if (!current) throw new SessionEnded('Please sign in first.')
  if (current.expiresAt - Date.now() < REFRESH_MARGIN_MS) current = await refreshSession()
  try {
    return await request(method, path, { ...options, token: current.token })
  } catch (error) {
    // Only a token problem is worth a refresh; a wrong password (also 401) is the user's to fix.
    const code = String(error?.body?.code ?? '')
    if (!(error instanceof ApiError) || error.status !== 401 || (code && !code.startsWith('FUSIO_ERR_AUTH_'))) throw error
    const renewed = await refreshSession()
    return request(method, path, { ...options, token: renewed.token })
  }
}

async function logout() {
  const current = session.get()
  session.clear()
  memory.app = null
  memory.appToken = null
  // Best effort: revoke both tokens so a copy of them is worthless too.
  if (current) {
    await Promise.allSettled([
      request('POST', '/authorization/revoke', { json: { token: current.token } }),
      current.refreshToken ? request('POST', '/authorization/revoke', { json: { token: current.refreshToken } }) : null,
    ])
  }
  flash = { kind: 'success', text: 'You are signed out.' }
  navigate('login')
}

let openapiPromise = null
/** The service's OpenAPI document (title for the header, an example operation for curl). */
function openapi() {
  openapiPromise ??= fetch(`${ROOT}openapi.json`, { credentials: 'omit' }).then((r) => (r.ok ? r.json() : null)).catch(() => null)
  return openapiPromise
}

// ---------------------------------------------------------------------------------------------
// Forms: real labels, hints and error slots tied to inputs with aria-describedby. Field errors
// from the API land next to the input of the same name; the rest goes to the form's alert.
// ---------------------------------------------------------------------------------------------

function field(formId, { name, label, type = 'text', hint, ...attrs }) {
  const id = `${formId}-${name}`
  const hintId = hint ? `${id}-hint` : undefined
  const errorId = `${id}-error`
  return h(
    'div',
    { class: 'field' },
    h('label', { for: id }, label),
    h('input', { id, name, type, 'aria-describedby': [hintId, errorId].filter(Boolean).join(' '), ...attrs }),
    hint ? h('p', { class: 'hint', id: hintId }, hint) : null,
    h('p', { class: 'field-error', id: errorId, 'data-error-for': name }),
  )
}

function clearErrors(form) {
  for (const slot of form.querySelectorAll('[data-error-for]')) slot.textContent = ''
  for (const input of form.querySelectorAll('[aria-invalid]')) input.removeAttribute('aria-invalid')
  const alert = form.querySelector('.form-error')
  alert.hidden = true
  alert.replaceChildren()
}

function showError(form, error) {
  const alert = form.querySelector('.form-error')
  const unplaced = []
  for (const { field: name = '', message } of error.fields ?? []) {
    // "scopes/0" or "scopes.0" belongs to the scopes input.
    const key = String(name).split(/[./[]/)[0]
    const slot = key ? form.querySelector(`[data-error-for="${CSS.escape(key)}"]`) : null
    if (slot) {
      slot.textContent = slot.textContent ? `${slot.textContent}; ${message}` : message
      form.querySelector(`[name="${CSS.escape(key)}"]`)?.setAttribute('aria-invalid', 'true')
    } else unplaced.push(`${name ? `${name}: ` : ''}${message}`)
  }
  alert.replaceChildren(h('p', null, error.message))
  if (unplaced.length) alert.append(h('ul', null, unplaced.map((m) => h('li', null, m))))
  alert.hidden = false
  const firstInvalid = form.querySelector('[aria-invalid="true"]')
  ;(firstInvalid ?? alert).focus?.()
}

/** The browser's own constraint checks, reported in the same slots as the API's. */
function checkLocally(form) {
  let valid = true
  for (const input of form.querySelectorAll('input, select, textarea')) {
    if (input.checkValidity()) continue
    valid = false
    input.setAttribute('aria-invalid', 'true')
    const slot = form.querySelector(`[data-error-for="${CSS.escape(input.name)}"]`)
    if (slot && !slot.textContent) slot.textContent = input.validationMessage
  }
  if (!valid) form.querySelector('[aria-invalid="true"]')?.focus()
  return valid
}

/**
 * A form whose submit handler gets the FormData; while it runs the button is disabled, and what it
 * throws is shown by the form. Session ends send the user to the login.
 */
function makeForm({ id, submit, onSubmit, children = [], secondary }) {
  const button = h('button', { type: 'submit', class: 'primary', id: `${id}-submit` }, submit)
  const form = h(
    'form',
    { id, novalidate: true, 'data-testid': `${id}-form` },
    ...children,
    h('div', { class: 'alert error form-error', role: 'alert', id: `${id}-error`, hidden: true, tabindex: '-1' }),
    h('div', { class: 'actions' }, button, secondary),
  )
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    clearErrors(form)
    if (!checkLocally(form)) return
    button.disabled = true
    form.setAttribute('aria-busy', 'true')
    try {
      await onSubmit(new FormData(form), form)
    } catch (error) {
      if (error instanceof SessionEnded) return sessionEnded(error)
      showError(form, error instanceof ApiError ? error : new ApiError(0, { detail: error?.message ?? String(error) }))
    } finally {
      button.disabled = false
      form.removeAttribute('aria-busy')
    }
  })
  return form
}

function sessionEnded(error) {
  flash = { kind: 'info', text: error.message }
  const here = location.pathname.slice(ROOT.length) + location.search
  navigate(`login?next=${encodeURIComponent(here)}`, { replace: true })
}

// ---------------------------------------------------------------------------------------------
// Views. Each renders into its <section>; `auth` views need a session.
// ---------------------------------------------------------------------------------------------

const views = {}

views[''] = {
  title: 'Welcome',
  async render(view) {
    const doc = await openapi()
    const title = doc?.info?.title ?? 'our API'
    const signedIn = Boolean(session.get())
    view.append(
      h(
        'div',
        { class: 'hero' },
        h('h1', { tabindex: '-1' }, `Build with the ${title}`),
        doc?.info?.description ? h('p', { class: 'lead' }, doc.info.description) : null,
        h(
          'div',
          { class: 'actions' },
          signedIn ? link('apps', 'Your apps', { class: 'button primary' }) : link('register', 'Create an account', { class: 'button primary' }),
          signedIn ? link('token', 'Get a token', { class: 'button secondary' }) : link('login', 'Sign in', { class: 'button secondary' }),
          link('reference', 'API reference', { class: 'button secondary' }),
        ),
      ),
      h(
        'ol',
        { class: 'steps' },
        step('Register', 'Create an account and confirm it with the link we mail you.'),
        step('Create an app', 'An app gets a key and a secret, and the scopes it may use.'),
        step('Get a token', 'Exchange the key and secret for an access token (OAuth 2.0 client credentials).'),
        step('Call the API', 'Send the token as "Authorization: Bearer …"; your plan sets how often you may call.'),
      ),
    )
  },
}

function step(title, text) {
  return h('li', null, h('h2', null, title), h('p', null, text))
}

views.register = {
  title: 'Register',
  async render(view) {
    const box = h('div', { class: 'card narrow' })
    const form = makeForm({
      id: 'register',
      submit: 'Create account',
      children: [
        field('register', { name: 'name', label: 'User name', autocomplete: 'username', required: true, pattern: '[A-Za-z0-9._\\-]{3,64}', hint: '3 to 64 letters, digits, dots, dashes or underscores' }),
        field('register', { name: 'email', label: 'E-mail', type: 'email', autocomplete: 'email', required: true, maxlength: 255 }),
        field('register', { name: 'password', label: 'Password', type: 'password', autocomplete: 'new-password', required: true, minlength: 8, maxlength: 128, hint: 'At least 8 characters' }),
      ],
      async onSubmit(data) {
        const email = String(data.get('email'))
        const answer = await request('POST', '/consumer/register', { json: { name: data.get('name'), email, password: data.get('password') } })
        const mailed = /mail/i.test(answer?.message ?? '')
        box.replaceChildren(
          h(
            'div',
            { 'data-testid': 'register-done', role: 'status' },
            h('h2', { tabindex: '-1' }, mailed ? 'Check your mail' : 'Account created'),
            mailed
              ? h('p', null, 'We sent an activation link to ', h('strong', null, email), '. Open it within 24 hours to activate your account.')
              : h('p', null, answer?.message ?? 'Your account is ready.'),
            h('p', null, mailed ? link('activate', 'Enter the activation token by hand') : link('login', 'Sign in now')),
          ),
        )
        box.querySelector('h2').focus()
      },
    })
    box.append(form)
    view.append(h('h1', { tabindex: '-1' }, 'Create your account'), box, h('p', { class: 'muted' }, 'Already registered? ', link('login', 'Sign in'), '.'))
  },
}

views.activate = {
  title: 'Activate',
  async render(view, query) {
    const status = h('div', { 'data-testid': 'activate-status', 'aria-live': 'polite' })
    const activate = async (token) => {
      await request('POST', '/consumer/activate', { json: { token } })
      form.remove()
      status.replaceChildren(alertBox('success', h('strong', null, 'Your account is active. '), 'You can sign in now.'), h('p', null, link('login', 'Sign in', { class: 'button primary', id: 'activate-login' })))
    }
    const form = makeForm({
      id: 'activate',
      submit: 'Activate',
      children: [field('activate', { name: 'token', label: 'Activation token', required: true, maxlength: 128, autocomplete: 'off', hint: 'The token from the activation mail' })],
      onSubmit: (data) => activate(String(data.get('token')).trim()),
    })
    view.append(h('h1', { tabindex: '-1' }, 'Activate your account'), h('div', { class: 'card narrow' }, status, form))
    const token = query.get('token')
    if (token) {
      // The token is spent by the call below; it should not stay in the address bar or history.
      history.replaceState(null, '', `${ROOT}activate`)
      status.replaceChildren(h('p', null, 'Activating your account…'))
      try {
        await activate(token)
      } catch (error) {
        status.replaceChildren(alertBox('error', h('p', null, error.message), h('p', null, 'You can paste the token from the mail below.')))
      }
    }
  },
}

views.login = {
  title: 'Sign in',
  async render(view, query) {
    const next = safeNext(query.get('next'))
    view.append(h('h1', { tabindex: '-1' }, 'Sign in'))
    const current = session.get()
    if (current) view.append(alertBox('info', 'You are signed in already. ', link('apps', 'Go to your apps'), ' or sign in as someone else below.'))
    view.append(loginPanel({ next, onDone: () => navigate(next || 'apps') }))
  },
}

/** The login form with identity-provider buttons; used by the login and the consent view. */
function loginPanel({ next, onDone }) {
  const providers = h('div', { class: 'providers', hidden: true, 'data-testid': 'identity-providers' })
  const form = makeForm({
    id: 'login',
    submit: 'Sign in',
    children: [
      field('login', { name: 'username', label: 'Name or e-mail', autocomplete: 'username', required: true, maxlength: 255 }),
      field('login', { name: 'password', label: 'Password', type: 'password', autocomplete: 'current-password', required: true, maxlength: 128 }),
    ],
    secondary: link('reset', 'Forgot your password?', { class: 'quiet' }),
    async onSubmit(data) {
      session.set(await request('POST', '/consumer/login', { json: { username: String(data.get('username')).trim(), password: data.get('password') } }))
      account = null
      onDone()
    },
  })
  // Providers come from the service; the list is usually empty, so the section shows only when it is not.
  request('GET', '/consumer/identity')
    .then((answer) => {
      const entries = (answer?.entry ?? []).filter((e) => typeof e.redirect === 'string')
      if (entries.length === 0) return
      providers.append(
        h('p', { class: 'divider' }, h('span', null, 'or')),
        ...entries.map((entry) =>
          h(
            'button',
            {
              type: 'button',
              class: 'secondary wide',
              'data-testid': `identity-${entry.name}`,
              onclick: () => {
                // The provider sends the user back to /developer/#token=…; the view to open then waits here.
                if (next) sessionStorage.setItem(NEXT_KEY, next)
                // A nonce of ours comes back with the tokens: a #token=… link from anyone else is not taken.
                const nonce = randomNonce()
                sessionStorage.setItem(LOGIN_NONCE_KEY, nonce)
                const target = new URL(entry.redirect, location.href)
                target.searchParams.set('return_state', nonce)
                location.assign(target.href)
              },
            },
            `Sign in with ${entry.name}`,
          ),
        ),
      )
      providers.hidden = false
    })
    .catch(() => {})
  return h('div', { class: 'card narrow' }, form, providers, h('p', { class: 'muted' }, 'No account yet? ', link('register', 'Register'), '.'))
}

/** Only portal views may follow a login (no open redirect through ?next=). */
function safeNext(value) {
  if (!value || !/^[a-z]*(\?[^#]*)?$/i.test(value)) return ''
  return value
}

views.reset = {
  title: 'Reset password',
  async render(view, query) {
    const token = query.get('token')
    const box = h('div', { class: 'card narrow' })
    if (token) {
      history.replaceState(null, '', `${ROOT}reset`)
      view.append(h('h1', { tabindex: '-1' }, 'Choose a new password'), box)
      box.append(
        makeForm({
          id: 'reset-confirm',
          submit: 'Set password',
          children: [
            field('reset-confirm', { name: 'newPassword', label: 'New password', type: 'password', autocomplete: 'new-password', required: true, minlength: 8, maxlength: 128, hint: 'At least 8 characters' }),
            field('reset-confirm', { name: 'verifyPassword', label: 'Repeat the new password', type: 'password', autocomplete: 'new-password', required: true, maxlength: 128 }),
          ],
          async onSubmit(data) {
            if (data.get('newPassword') !== data.get('verifyPassword')) {
              throw new ApiError(400, { detail: 'The passwords differ.', errors: [{ field: 'verifyPassword', message: 'must repeat the new password' }] })
            }
            await request('PUT', '/consumer/password_reset', { json: { token, newPassword: data.get('newPassword') } })
            session.clear()
            box.replaceChildren(alertBox('success', 'Your password is changed. Every session signed in with the old one has ended.'), h('p', null, link('login', 'Sign in', { class: 'button primary' })))
          },
        }),
      )
      return
    }
    view.append(h('h1', { tabindex: '-1' }, 'Reset your password'), box)
    box.append(
      h('p', null, 'Enter the e-mail address of your account and we will mail you a link to choose a new password.'),
      makeForm({
        id: 'reset-request',
        submit: 'Send link',
        children: [field('reset-request', { name: 'email', label: 'E-mail', type: 'email', autocomplete: 'email', required: true, maxlength: 255 })],
        async onSubmit(data) {
          const answer = await request('POST', '/consumer/password_reset', { json: { email: data.get('email') } })
          box.replaceChildren(alertBox('success', answer?.message ?? 'If an account has this address, a link is on its way.'), h('p', null, link('login', 'Back to sign in')))
        },
      }),
    )
  },
}

// ---- Apps ----------------------------------------------------------------------------------

views.apps = {
  title: 'Your apps',
  auth: true,
  async render(view) {
    const created = h('div', { id: 'new-app-slot' })
    const list = h('div', { id: 'app-list', 'aria-live': 'polite' })
    view.append(h('h1', { tabindex: '-1' }, 'Your apps'), created, list)
    const [scopes] = await Promise.all([authed('GET', '/consumer/scope'), refreshApps(list)])
    const usable = (scopes?.entry ?? []).filter((s) => !PRODUCT_SCOPES.has(s.name))
    const form = makeForm({
      id: 'app',
      submit: 'Create app',
      children: [
        field('app', { name: 'name', label: 'App name', required: true, pattern: '[A-Za-z0-9 ._\\-]{3,64}', hint: '3 to 64 letters, digits, spaces, dots, dashes or underscores' }),
        field('app', { name: 'url', label: 'App URL', type: 'url', required: true, maxlength: 255, placeholder: 'https://example.com', hint: 'Where your app lives; OAuth redirects must stay on its origin' }),
        h(
          'fieldset',
          { class: 'field scopes' },
          h('legend', null, 'Scopes'),
          usable.length === 0
            ? h('p', { class: 'hint' }, 'Your account holds no API scopes.')
            : usable.map((scope) =>
                h(
                  'label',
                  { class: 'check' },
                  h('input', { type: 'checkbox', name: 'scopes', value: scope.name, checked: true, 'data-testid': `scope-${scope.name}` }),
                  h('span', null, h('strong', null, scope.name), scope.description ? h('span', { class: 'muted' }, ` — ${scope.description}`) : null),
                ),
              ),
          h('p', { class: 'field-error', 'data-error-for': 'scopes' }),
        ),
      ],
      async onSubmit(data, formEl) {
        const app = await authed('POST', '/consumer/app', { json: { name: String(data.get('name')).trim(), url: String(data.get('url')).trim(), scopes: data.getAll('scopes') } })
        memory.app = { appKey: app.appKey, appSecret: app.appSecret, name: app.name }
        memory.appToken = null
        created.replaceChildren(newAppPanel(app))
        formEl.reset()
        created.querySelector('h2').focus()
        await refreshApps(list)
      },
    })
    view.insertBefore(h('section', { class: 'card', id: 'create-app', 'aria-labelledby': 'create-app-title' }, h('h2', { id: 'create-app-title' }, 'Create an app'), form), list)
  },
}

/** The one moment the secret is visible: show it, say so, and offer the token right away. */
function newAppPanel(app) {
  return h(
    'section',
    { class: 'card highlight', 'data-testid': 'new-app', 'aria-labelledby': 'new-app-title' },
    h('h2', { id: 'new-app-title', tabindex: '-1' }, `“${app.name}” is ready`),
    alertBox('warning', h('strong', null, 'Copy the secret now. '), 'It is shown only this once; we store only a hash of it. If you lose it, delete the app and create a new one.'),
    h('dl', { class: 'pairs' }, h('dt', null, 'App key (client id)'), h('dd', null, secretValue(app.appKey, 'app-key')), h('dt', null, 'App secret'), h('dd', null, secretValue(app.appSecret, 'app-secret')), h('dt', null, 'Scopes'), h('dd', null, scopeList(app.scopes))),
    app.status && app.status !== 'active' ? alertBox('info', `The app is ${app.status}: an administrator has to approve it before it gets tokens.`) : null,
    h('h3', null, 'Get a token with it'),
    tokenPanel({ apps: [app], appKey: app.appKey, appSecret: app.appSecret }),
  )
}

function scopeList(scopes) {
  return scopes?.length ? h('span', { class: 'tags' }, scopes.map((s) => h('span', { class: 'tag' }, s))) : h('span', { class: 'muted' }, 'none')
}

async function refreshApps(list) {
  const answer = await authed('GET', '/consumer/app?count=100')
  const apps = answer?.entry ?? []
  if (apps.length === 0) {
    list.replaceChildren(h('h2', null, 'Apps'), h('p', { class: 'muted', 'data-testid': 'no-apps' }, 'No apps yet. Create one to get API credentials.'))
    return apps
  }
  list.replaceChildren(
    h('h2', null, `Apps (${answer.totalResults ?? apps.length})`),
    h(
      'ul',
      { class: 'app-list' },
      apps.map((app) => appItem(app, list)),
    ),
  )
  return apps
}

function appItem(app, list) {
  const actions = h('div', { class: 'actions' })
  const normal = () =>
    actions.replaceChildren(
      link(`token?app=${encodeURIComponent(app.appKey)}`, 'Get a token', { class: 'button small secondary' }),
      h('button', { type: 'button', class: 'small danger', 'data-testid': `delete-app-${app.id}`, onclick: confirming }, 'Delete'),
    )
  // Deleting revokes every token of the app, so it asks once more, in the page rather than a dialog.
  const confirming = () => {
    const problem = h('span', { class: 'field-error', role: 'alert' })
    actions.replaceChildren(
      h('span', null, 'Delete this app and revoke its tokens?'),
      h(
        'button',
        {
          type: 'button',
          class: 'small danger',
          'data-testid': `confirm-delete-app-${app.id}`,
          onclick: async (event) => {
            event.currentTarget.disabled = true
            try {
              await authed('DELETE', `/consumer/app/${encodeURIComponent(app.id)}`)
              if (memory.app?.appKey === app.appKey) memory.app = null
              await refreshApps(list)
            } catch (error) {
              if (error instanceof SessionEnded) return sessionEnded(error)
              problem.textContent = error.message
              event.currentTarget.disabled = false
            }
          },
        },
        'Yes, delete',
      ),
      h('button', { type: 'button', class: 'small secondary', onclick: normal }, 'Cancel'),
      problem,
    )
  }
  normal()
  return h(
    'li',
    { class: 'card app', 'data-testid': `app-${app.id}` },
    h('div', { class: 'app-head' }, h('h3', null, app.name), h('span', { class: `badge ${app.status}` }, app.status)),
    h(
      'dl',
      { class: 'pairs compact' },
      h('dt', null, 'URL'),
      h('dd', null, app.url),
      h('dt', null, 'App key'),
      h('dd', null, secretValue(app.appKey, `app-key-${app.id}`)),
      h('dt', null, 'Scopes'),
      h('dd', null, scopeList(app.scopes)),
      h('dt', null, 'Created'),
      h('dd', null, formatDate(app.date)),
    ),
    actions,
  )
}

// ---- Tokens ----------------------------------------------------------------------------------

views.token = {
  title: 'Get a token',
  auth: true,
  async render(view, query) {
    view.append(
      h('h1', { tabindex: '-1' }, 'Get an access token'),
      h('p', { class: 'lead' }, 'Apps get tokens with the OAuth 2.0 client credentials grant: the app key and secret, sent with HTTP Basic to ', h('code', null, `${API}/authorization/token`), '.'),
    )
    const answer = await authed('GET', '/consumer/app?count=100')
    const apps = (answer?.entry ?? []).filter((a) => a.status === 'active')
    if (apps.length === 0) {
      view.append(alertBox('info', 'You have no active app yet. ', link('apps', 'Create one'), ' first.'))
      return
    }
    const wanted = query.get('app') ?? memory.app?.appKey
    const appKey = apps.some((a) => a.appKey === wanted) ? wanted : apps[0].appKey
    const appSecret = memory.app?.appKey === appKey ? memory.app.appSecret : ''
    view.append(h('div', { class: 'card' }, tokenPanel({ apps, appKey, appSecret })))
  },
}

/** The client-credentials form and its result (token, lifetime, scope and a curl line to try it). */
function tokenPanel({ apps, appKey, appSecret }) {
  const result = h('div', { class: 'token-result', 'aria-live': 'polite' })
  const secretInput = field('token', { name: 'appSecret', label: 'App secret', type: 'password', required: true, autocomplete: 'off', value: appSecret ?? '', hint: 'Shown once when the app was created' })
  const toggle = h('button', { type: 'button', class: 'small secondary', 'aria-controls': 'token-appSecret' }, 'Show')
  toggle.addEventListener('click', () => {
    const input = $('input', secretInput)
    input.type = input.type === 'password' ? 'text' : 'password'
    toggle.textContent = input.type === 'password' ? 'Show' : 'Hide'
  })
  const input = $('input', secretInput)
  const row = h('div', { class: 'input-row' })
  input.replaceWith(row)
  row.append(input, toggle)
  const form = makeForm({
    id: 'token',
    submit: 'Get token',
    children: [
      h(
        'div',
        { class: 'field' },
        h('label', { for: 'token-appKey' }, 'App'),
        h(
          'select',
          { id: 'token-appKey', name: 'appKey', required: true },
          apps.map((app) => h('option', { value: app.appKey, selected: app.appKey === appKey ? true : undefined }, `${app.name} (${app.appKey})`)),
        ),
        h('p', { class: 'field-error', 'data-error-for': 'appKey' }),
      ),
      secretInput,
      field('token', { name: 'scope', label: 'Scopes (optional)', placeholder: 'all scopes of the app', maxlength: 2048, hint: 'Space-separated; leave empty for every scope the app holds' }),
    ],
    async onSubmit(data) {
      const key = String(data.get('appKey'))
      const secret = String(data.get('appSecret')).trim()
      const scope = String(data.get('scope') ?? '').trim()
      // RFC 6749 §2.3.1: both parts are form-encoded before they are joined and base64-encoded.
      const encode = (part) => encodeURIComponent(part).replace(/%20/g, '+')
      const basic = btoa(`${encode(key)}:${encode(secret)}`)
      const token = await request('POST', '/authorization/token', { form: { grant_type: 'client_credentials', ...(scope ? { scope } : {}) }, basic })
      memory.appToken = token.access_token
      result.replaceChildren(await tokenResult(token))
      result.querySelector('h3')?.focus()
    },
  })
  return h('div', { class: 'token-panel' }, form, result)
}

async function tokenResult(token) {
  const scopes = String(token.scope ?? '').split(' ').filter(Boolean)
  const path = await examplePath(scopes)
  const url = `${location.origin}${API}${path}`
  const curl = `curl -H 'Authorization: Bearer ${token.access_token}' '${url}'`
  const until = new Date(Date.now() + Number(token.expires_in) * 1000)
  const pre = h('pre', { class: 'code', 'data-testid': 'token-curl' }, curl)
  return h(
    'section',
    { 'data-testid': 'token-result', class: 'result' },
    h('h3', { tabindex: '-1' }, 'Your access token'),
    h(
      'dl',
      { class: 'pairs' },
      h('dt', null, 'access_token'),
      h('dd', null, secretValue(token.access_token, 'access-token')),
      h('dt', null, 'expires_in'),
      h('dd', { 'data-testid': 'token-expires' }, `${token.expires_in} seconds (until ${until.toLocaleTimeString()})`),
      h('dt', null, 'scope'),
      h('dd', { 'data-testid': 'token-scope' }, scopeList(scopes)),
    ),
    h('h4', null, 'Try it'),
    h('div', { class: 'copyable block' }, pre, copyButton(() => curl, 'Copy', pre)),
    h('p', { class: 'hint' }, 'Each call counts towards your plan’s rate limit; the RateLimit-Remaining header tells how many are left.'),
  )
}

/** A GET operation of the API (not the portal's own) that a token with these scopes may call. */
async function examplePath(scopes) {
  const doc = await openapi()
  const held = new Set(scopes)
  let fallback
  for (const [path, item] of Object.entries(doc?.paths ?? {})) {
    const get = item?.get
    if (!get || /^\/(consumer|backend|authorization)(\/|$)/.test(path)) continue
    const needs = (get.security ?? []).map((requirement) => Object.values(requirement).flat())
    const allowed = needs.length === 0 || needs.some((list) => list.every((s) => held.has(s)))
    if (!allowed) continue
    const concrete = path.replace(/\{[^}]+\}/g, '1')
    // Prefer an operation that actually needs the token.
    if (needs.some((list) => list.length > 0)) return concrete
    fallback ??= concrete
  }
  return fallback ?? '/authorization/whoami'
}

// ---- Account, plans, calls ------------------------------------------------------------------

views.account = {
  title: 'Account',
  auth: true,
  async render(view) {
    const me = await authed('GET', '/consumer/account')
    account = me
    renderNav()
    view.append(
      h('h1', { tabindex: '-1' }, 'Your account'),
      h(
        'div',
        { class: 'card' },
        h(
          'dl',
          { class: 'pairs', 'data-testid': 'account' },
          h('dt', null, 'Name'),
          h('dd', null, me.name),
          h('dt', null, 'E-mail'),
          h('dd', null, me.email),
          h('dt', null, 'Role'),
          h('dd', null, me.role ?? ''),
          h('dt', null, 'Plan'),
          h('dd', null, me.plan ? link('plans', me.plan) : h('span', { class: 'muted' }, 'none')),
          h('dt', null, 'Points'),
          h('dd', null, String(me.points ?? 0)),
          h('dt', null, 'Scopes'),
          h('dd', null, scopeList(me.scopes)),
          h('dt', null, 'Member since'),
          h('dd', null, formatDate(me.date)),
        ),
      ),
    )
    // Accounts made by a login provider have no password here: there is nothing to change.
    if (me.identity) {
      view.append(h('p', { class: 'muted', 'data-testid': 'identity-note' }, `You sign in through ${me.identity}; this account has no password of its own.`))
      return
    }
    const box = h('div', { class: 'card narrow' }, h('h2', null, 'Change password'))
    box.append(
      makeForm({
        id: 'password',
        submit: 'Change password',
        children: [
          // For password managers: which account this password belongs to.
          h('input', { type: 'text', name: 'username', autocomplete: 'username', value: me.name, hidden: true, readonly: true, tabindex: '-1' }),
          field('password', { name: 'oldPassword', label: 'Current password', type: 'password', autocomplete: 'current-password', required: true, maxlength: 128 }),
          field('password', { name: 'newPassword', label: 'New password', type: 'password', autocomplete: 'new-password', required: true, minlength: 8, maxlength: 128, hint: 'At least 8 characters' }),
          field('password', { name: 'verifyPassword', label: 'Repeat the new password', type: 'password', autocomplete: 'new-password', required: true, maxlength: 128 }),
        ],
        async onSubmit(data, form) {
          const answer = await authed('PUT', '/consumer/account/change_password', {
            json: { oldPassword: data.get('oldPassword'), newPassword: data.get('newPassword'), verifyPassword: data.get('verifyPassword') },
          })
          form.reset()
          form.before(alertBox('success', answer?.message ?? 'Password changed', '. Your other sessions have ended.'))
        },
      }),
    )
    view.append(box)
  },
}

views.plans = {
  title: 'Plans',
  auth: true,
  async render(view) {
    const [plans, me] = await Promise.all([authed('GET', '/consumer/plan'), account ? account : authed('GET', '/consumer/account')])
    account = me
    view.append(h('h1', { tabindex: '-1' }, 'Plans'), h('p', { class: 'lead' }, 'Your plan sets how many calls your apps may make.'))
    const entries = plans?.entry ?? []
    if (entries.length === 0) return view.append(h('p', { class: 'muted' }, 'This API offers no plans.'))
    view.append(
      h(
        'ul',
        { class: 'plans' },
        entries.map((plan) => {
          const mine = plan.name === me?.plan
          return h(
            'li',
            { class: `card plan${mine ? ' current' : ''}`, 'data-testid': `plan-${plan.name}` },
            h('h2', null, plan.name, mine ? h('span', { class: 'badge active' }, 'your plan') : null),
            h('p', { class: 'price' }, priceOf(plan)),
            plan.description ? h('p', null, plan.description) : null,
            plan.points ? h('p', { class: 'muted' }, `${plan.points} points included`) : null,
          )
        }),
      ),
      h('p', { class: 'muted' }, 'To change your plan, contact the API provider.'),
    )
  },
}

function priceOf(plan) {
  const price = Number(plan.price ?? 0)
  if (price === 0) return 'Free'
  const amount = price.toLocaleString(undefined, { minimumFractionDigits: price % 1 ? 2 : 0, maximumFractionDigits: 2 })
  const period = Number(plan.period ?? 0)
  return period === 0 ? `${amount} once` : period === 1 ? `${amount} a month` : `${amount} every ${period} months`
}

views.calls = {
  title: 'My calls',
  auth: true,
  async render(view, query) {
    const count = 25
    const start = Math.max(0, Number(query.get('start')) || 0)
    const body = h('div', { 'aria-live': 'polite' })
    const load = async () => {
      const answer = await authed('GET', `/consumer/log?startIndex=${start}&count=${count}`)
      const entries = answer?.entry ?? []
      const total = Number(answer?.totalResults ?? entries.length)
      if (entries.length === 0) {
        body.replaceChildren(h('p', { class: 'muted', 'data-testid': 'no-calls' }, start > 0 ? 'No more calls.' : 'No calls yet. Calls with your tokens show up here a moment after they happen.'))
        return
      }
      body.replaceChildren(
        h(
          'div',
          { class: 'table-wrap' },
          h(
            'table',
            { 'data-testid': 'calls' },
            h('caption', { class: 'sr-only' }, 'Your calls, newest first'),
            h('thead', null, h('tr', null, ['Time', 'Operation', 'Request', 'Status', 'Duration', 'App'].map((t) => h('th', { scope: 'col' }, t)))),
            h(
              'tbody',
              null,
              entries.map((call) =>
                h(
                  'tr',
                  null,
                  h('td', null, formatDate(call.date)),
                  h('td', null, h('code', null, call.operationId)),
                  h('td', null, h('code', null, `${call.method} ${call.path}`)),
                  h('td', null, h('span', { class: `status s${String(call.status)[0]}` }, String(call.status))),
                  h('td', null, `${call.duration} ms`),
                  h('td', { class: 'muted' }, call.appKey ?? '—'),
                ),
              ),
            ),
          ),
        ),
        h(
          'nav',
          { class: 'pager', 'aria-label': 'Pages' },
          start > 0 ? link(`calls?start=${Math.max(0, start - count)}`, '← Newer') : h('span'),
          h('span', { class: 'muted' }, `${start + 1}–${start + entries.length} of ${total}`),
          start + entries.length < total ? link(`calls?start=${start + count}`, 'Older →') : h('span'),
        ),
      )
    }
    const reload = h('button', { type: 'button', class: 'small secondary', id: 'calls-reload' }, 'Refresh')
    reload.addEventListener('click', async () => {
      reload.disabled = true
      try {
        await load()
      } catch (error) {
        if (error instanceof SessionEnded) return sessionEnded(error)
        body.replaceChildren(alertBox('error', error.message))
      } finally {
        reload.disabled = false
      }
    })
    view.append(h('div', { class: 'title-row' }, h('h1', { tabindex: '-1' }, 'My calls'), reload), body)
    await load()
  },
}

// ---- OAuth consent ---------------------------------------------------------------------------

views.authorize = {
  title: 'Authorize an app',
  async render(view, query) {
    const p = (name) => query.get(name) ?? undefined
    view.append(h('h1', { tabindex: '-1' }, 'Authorize an app'))
    const missing = ['response_type', 'client_id', 'redirect_uri', 'code_challenge', 'code_challenge_method'].filter((name) => !query.get(name))
    if (missing.length > 0 || p('response_type') !== 'code' || p('code_challenge_method') !== 'S256') {
      const why = missing.length > 0 ? `It lacks ${missing.join(', ')}.` : 'It needs response_type=code and code_challenge_method=S256.'
      view.append(alertBox('error', h('p', null, `This authorization request is incomplete. ${why}`), h('p', null, 'Go back to the app and start again.')))
      return
    }
    let origin = ''
    try {
      origin = new URL(p('redirect_uri')).origin
    } catch {
      view.append(alertBox('error', 'The redirect_uri of this request is not a URL.'))
      return
    }
    if (!session.get()) {
      view.append(
        h('p', { class: 'lead' }, 'An app asks to use this API on your behalf. Sign in to answer it.'),
        loginPanel({ next: '', onDone: () => render() }),
      )
      return
    }
    const requested = (p('scope') ?? '').split(' ').filter(Boolean)
    const known = await authed('GET', '/consumer/scope').catch((error) => {
      if (error instanceof SessionEnded) throw error
      return null
    })
    const describe = new Map((known?.entry ?? []).map((s) => [s.name, s.description]))
    const answer = async (allow, event) => {
      for (const b of view.querySelectorAll('.consent button')) b.disabled = true
      problem.hidden = true
      try {
        const result = await authed('POST', '/consumer/authorize', {
          json: {
            responseType: 'code',
            clientId: p('client_id'),
            redirectUri: p('redirect_uri'),
            ...(p('scope') !== undefined ? { scope: p('scope') } : {}),
            ...(p('state') !== undefined ? { state: p('state') } : {}),
            codeChallenge: p('code_challenge'),
            codeChallengeMethod: p('code_challenge_method'),
            allow,
          },
        })
        // Only web URLs are followed: the service checked the origin against the app's URL.
        if (!/^https?:\/\//i.test(result?.redirectUri ?? '')) throw new ApiError(0, { detail: 'The service answered without a valid redirect.' })
        status.replaceChildren(alertBox('info', allow ? 'Access granted. Returning to the app…' : 'Access denied. Returning to the app…'))
        location.assign(result.redirectUri)
      } catch (error) {
        if (error instanceof SessionEnded) return sessionEnded(error)
        problem.replaceChildren(h('p', null, error.message), ...(error.fields ?? []).map((f) => h('p', null, `${f.field}: ${f.message}`)))
        problem.hidden = false
        for (const b of view.querySelectorAll('.consent button')) b.disabled = false
        event?.target?.focus()
      }
    }
    const problem = h('div', { class: 'alert error', role: 'alert', hidden: true, 'data-testid': 'authorize-error' })
    const status = h('div', { 'aria-live': 'polite' })
    view.append(
      h(
        'div',
        { class: 'card narrow consent', 'data-testid': 'consent' },
        h('p', { class: 'lead' }, 'An app asks for access to your account.'),
        h(
          'dl',
          { class: 'pairs' },
          h('dt', null, 'App (client id)'),
          h('dd', null, h('code', null, p('client_id'))),
          h('dt', null, 'Returns to'),
          h('dd', null, h('code', null, origin)),
          h('dt', null, 'Access'),
          h(
            'dd',
            null,
            requested.length === 0
              ? 'Every scope the app holds'
              : h('ul', { class: 'plain' }, requested.map((s) => h('li', null, h('strong', null, s), describe.get(s) ? ` — ${describe.get(s)}` : ''))),
          ),
        ),
        h('p', { class: 'muted' }, 'Changing your password later ends every access you granted.'),
        problem,
        status,
        h(
          'div',
          { class: 'actions' },
          h('button', { type: 'button', class: 'primary', id: 'authorize-allow', onclick: (e) => answer(true, e) }, 'Allow'),
          h('button', { type: 'button', class: 'secondary', id: 'authorize-deny', onclick: (e) => answer(false, e) }, 'Deny'),
        ),
      ),
    )
  },
}

// ---- API reference (Swagger UI, loaded only when this view opens) ---------------------------

let swaggerLoading = null
function loadSwagger() {
  swaggerLoading ??= new Promise((resolve, reject) => {
    document.head.append(h('link', { rel: 'stylesheet', href: `${ROOT}assets/swagger-ui.css` }))
    const script = h('script', { src: `${ROOT}assets/swagger-ui-bundle.js` })
    script.addEventListener('load', () => (window.SwaggerUIBundle ? resolve(window.SwaggerUIBundle) : reject(new Error('Swagger UI did not load'))))
    script.addEventListener('error', () => {
      swaggerLoading = null
      reject(new Error('Swagger UI could not be loaded'))
    })
    document.head.append(script)
  })
  return swaggerLoading
}

views.reference = {
  title: 'API reference',
  async render(view) {
    const mount = h('div', { id: 'swagger-ui', 'data-testid': 'swagger-ui' }, h('p', { class: 'loading' }, 'Loading the API reference…'))
    view.append(
      h('div', { class: 'title-row' }, h('h1', { tabindex: '-1' }, 'API reference'), h('a', { href: `${ROOT}openapi.json`, class: 'button small secondary', 'data-native': true, download: 'openapi.json' }, 'Download openapi.json')),
      memory.appToken ? alertBox('info', 'The token you got in this session is filled in: “Try it out” calls the API with it.') : null,
      mount,
    )
    const SwaggerUIBundle = await loadSwagger()
    const ui = SwaggerUIBundle({
      url: `${ROOT}openapi.json`,
      domNode: mount,
      // No badge that would call validator.swagger.io: the page talks to its own origin only.
      validatorUrl: null,
      presets: [SwaggerUIBundle.presets.apis],
      layout: 'BaseLayout',
      deepLinking: false,
      displayOperationId: true,
      docExpansion: 'list',
      defaultModelsExpandDepth: 0,
      tryItOutEnabled: false,
      onComplete: () => {
        if (memory.appToken) ui.preauthorizeApiKey('bearer', memory.appToken)
      },
    })
  },
}

views.notFound = {
  title: 'Not found',
  async render(view) {
    view.append(h('h1', { tabindex: '-1' }, 'Page not found'), h('p', null, 'There is nothing here. ', link('', 'Go to the start page'), '.'))
  },
}

// ---------------------------------------------------------------------------------------------
// Navigation and routing (history.pushState under the portal root).
// ---------------------------------------------------------------------------------------------

function renderNav() {
  const nav = $('#nav')
  const current = currentView()
  const item = (view, text) => h('li', null, link(view, text, { 'data-testid': `nav-${view || 'home'}`, 'aria-current': current === view ? 'page' : undefined }))
  const signedIn = Boolean(session.get())
  nav.replaceChildren(
    h(
      'ul',
      null,
      signedIn
        ? [item('apps', 'Apps'), item('token', 'Get a token'), item('calls', 'My calls'), item('plans', 'Plans'), item('account', account ? account.name : 'Account'), item('reference', 'API reference')]
        : [item('', 'Home'), item('reference', 'API reference'), item('register', 'Register'), item('login', 'Sign in')],
      signedIn ? h('li', null, h('button', { type: 'button', class: 'small secondary', id: 'logout', onclick: () => logout() }, 'Sign out')) : null,
    ),
  )
}

function currentView() {
  return decodeURIComponent(location.pathname.slice(ROOT.length)).replace(/\/+$/, '')
}

function navigate(target, { replace = false } = {}) {
  history[replace ? 'replaceState' : 'pushState'](null, '', ROOT + target)
  render()
}

let renderId = 0
let brandName = 'Developer portal'
async function render() {
  const id = ++renderId
  const name = currentView()
  const view = Object.hasOwn(views, name) && name !== 'notFound' ? views[name] : views.notFound
  if (view.auth && !session.get()) {
    navigate(`login?next=${encodeURIComponent(name + location.search)}`, { replace: true })
    return
  }
  document.body.dataset.view = name || 'home'
  renderNav()
  loadAccount()
  const main = $('#main')
  const section = h('section', { class: 'view', 'data-view': name || 'home', 'aria-busy': 'true' })
  if (flash) {
    section.append(alertBox(flash.kind, flash.text))
    flash = null
  }
  main.replaceChildren(section)
  document.title = `${view.title} · ${brandName}`
  try {
    await view.render(section, new URLSearchParams(location.search))
  } catch (error) {
    if (id !== renderId) return
    if (error instanceof SessionEnded) return sessionEnded(error)
    section.append(alertBox('error', h('p', null, error.message || 'Something went wrong.'), h('p', null, h('button', { type: 'button', class: 'small secondary', onclick: () => render() }, 'Try again'))))
  } finally {
    section.removeAttribute('aria-busy')
  }
  // Move focus to the new heading so screen readers announce the view (not on the first load).
  if (id !== renderId) return
  if (id > 1) section.querySelector('h1')?.focus({ preventScroll: false })
}

document.addEventListener('click', (event) => {
  const a = event.target instanceof Element ? event.target.closest('a[href]') : null
  if (!a || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return
  if (a.target || a.hasAttribute('download') || a.hasAttribute('data-native')) return
  const url = new URL(a.href, location.href)
  if (url.origin !== location.origin || !url.pathname.startsWith(ROOT)) return
  const rest = url.pathname.slice(ROOT.length)
  if (rest.startsWith('assets/') || rest === 'openapi.json') return
  if (url.hash && url.pathname === location.pathname && url.search === location.search) return
  event.preventDefault()
  history.pushState(null, '', url.pathname + url.search)
  render()
})
window.addEventListener('popstate', () => render())

const LOGIN_NONCE_KEY = 'fusio.portal.loginNonce'

/** 128 random bits, URL-safe. */
function randomNonce() {
  const bytes = crypto.getRandomValues(new Uint8Array(16))
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

/**
 * A login through an identity provider comes back as /developer/#token=…&expires_in=…&refresh_token=…
 * (or #error=…): keep the tokens, then drop the hash at once so they leave the address bar and history.
 */
function takeLoginFromHash() {
  if (!/[#&](token|error)=/.test(location.hash)) return
  const values = new URLSearchParams(location.hash.slice(1))
  history.replaceState(null, '', location.pathname + location.search)
  const expected = sessionStorage.getItem(LOGIN_NONCE_KEY)
  sessionStorage.removeItem(LOGIN_NONCE_KEY)
  // Only the answer to a login this tab started: a link carrying someone else's tokens signs nobody in.
  if (!expected || values.get('state') !== expected) {
    flash = { kind: 'error', text: 'That sign-in link was not started here; sign in again.' }
    return
  }
  if (values.get('token')) {
    session.set({ token: values.get('token'), expires_in: values.get('expires_in'), refresh_token: values.get('refresh_token') })
    const next = safeNext(sessionStorage.getItem(NEXT_KEY))
    sessionStorage.removeItem(NEXT_KEY)
    if (currentView() === '' || currentView() === 'login') history.replaceState(null, '', ROOT + (next || 'apps'))
    flash = { kind: 'success', text: 'You are signed in.' }
  } else {
    flash = { kind: 'error', text: `The sign-in did not work: ${values.get('error_description') ?? values.get('error')}` }
  }
}

let accountLoading = null
/** The header shows the account's name once it is known (fetched once per sign-in). */
function loadAccount() {
  if (account || accountLoading || !session.get()) return
  accountLoading = authed('GET', '/consumer/account')
    .then((me) => {
      if (!session.get()) return
      account = me
      renderNav()
    })
    .catch(() => {})
    .finally(() => (accountLoading = null))
}

async function start() {
  takeLoginFromHash()
  openapi().then((doc) => {
    if (!doc?.info?.title) return
    brandName = `${doc.info.title} developers`
    $('#brand-name').textContent = brandName
    document.title = document.title.replace(/·.*$/, `· ${brandName}`)
  })
  await render()
}

start()
