/**
 * Access tokens against attacks and key rotation: alg none, a wrong key, an algorithm swap, expiry,
 * audience, tampering; HS256 secrets rotated with FUSIO_JWT_PREVIOUS_SECRETS; RS256 key sets with
 * published public keys. Tokens come from the service's own token endpoint (password grant).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT } from 'jose'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { build, renderDiagnostics } from '../../compiler/index.js'
import { copyProject, removeProject, REPO } from '../helpers/projects.js'
import { addUser, JWT_SECRET, startApp } from '../helpers/service.js'

let project: string
let dataDir: string
const PASSWORD = 'a long enough password'
const OTHER_SECRET = 'another-secret-that-is-long-enough-for-hs256'
const apps: FastifyInstance[] = []

beforeAll(async () => {
  project = copyProject(join(REPO, 'examples/api-product'))
  const result = await build({ manifest: join(project, '.fusio.yml') })
  if (!result.ok) throw new Error(renderDiagnostics(result.diagnostics))
  dataDir = mkdtempSync(join(tmpdir(), 'fusio-tokens-'))
  addUser(project, { FUSIO_DATABASE_URL: `sqlite:///${dataDir}/service.db` }, { name: 'nina', password: PASSWORD })
})

afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()))
})

afterAll(() => {
  removeProject(project)
  rmSync(dataDir, { recursive: true, force: true })
})

async function service(env: Record<string, string> = {}): Promise<FastifyInstance> {
  const app = await startApp(project, { FUSIO_DATABASE_URL: `sqlite:///${dataDir}/service.db`, FUSIO_PUBLIC_URL: 'http://api.test', FUSIO_REVOCATION_POLL_MS: '50', ...env })
  apps.push(app)
  return app
}

async function passwordToken(app: FastifyInstance): Promise<string> {
  const response = await app.inject({ method: 'POST', url: '/authorization/token', payload: { grant_type: 'password', username: 'nina', password: PASSWORD, scope: 'forecast' } })
  expect(response.statusCode, response.body).toBe(200)
  return response.json().access_token
}

const forecast = (app: FastifyInstance, token: string) => app.inject({ method: 'GET', url: '/forecast/1', headers: { authorization: `Bearer ${token}` } })

const parts = (token: string) => token.split('.').slice(0, 2).map((p) => JSON.parse(Buffer.from(p, 'base64url').toString()))
const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url')

describe('access tokens', () => {
  it('refuses alg none, a wrong key, a swapped algorithm, an expired, a tampered and a subject-less token', async () => {
    const app = await service()
    const token = await passwordToken(app)
    expect((await forecast(app, token)).statusCode).toBe(200)
    const [header, payload] = parts(token)
    const attempts: Record<string, string> = {
      'alg none': `${encode({ alg: 'none', typ: 'JWT' })}.${encode(payload)}.`,
      'wrong key': await new SignJWT(payload).setProtectedHeader(header).sign(new TextEncoder().encode(OTHER_SECRET)),
      'HS512 with the same secret': await new SignJWT(payload).setProtectedHeader({ ...header, alg: 'HS512' }).sign(new TextEncoder().encode(JWT_SECRET)),
      expired: await new SignJWT({ ...payload, exp: Math.floor(Date.now() / 1000) - 60 }).setProtectedHeader(header).sign(new TextEncoder().encode(JWT_SECRET)),
      tampered: `${token.split('.')[0]}.${encode({ ...payload, scope: 'forecast publish backend' })}.${token.split('.')[2]}`,
      'no subject': await new SignJWT({ ...payload, sub: undefined }).setProtectedHeader(header).sign(new TextEncoder().encode(JWT_SECRET)),
      'unknown kid': await new SignJWT(payload).setProtectedHeader({ ...header, kid: 'hs-000000000000' }).sign(new TextEncoder().encode(JWT_SECRET)),
    }
    for (const [what, forged] of Object.entries(attempts)) {
      const response = await forecast(app, forged)
      expect(response.statusCode, what).toBe(401)
      expect(response.json().code, what).toBe('FUSIO_ERR_AUTH_TOKEN_INVALID')
    }
  })

  it('checks the audience when FUSIO_JWT_AUDIENCE is set, and puts it into issued tokens', async () => {
    const app = await service({ FUSIO_JWT_AUDIENCE: 'weather-api' })
    const token = await passwordToken(app)
    expect(parts(token)[1].aud).toBe('weather-api')
    expect((await forecast(app, token)).statusCode).toBe(200)
    const [header, payload] = parts(token)
    const secret = new TextEncoder().encode(JWT_SECRET)
    const foreign = await new SignJWT({ ...payload, aud: 'billing-api' }).setProtectedHeader(header).sign(secret)
    const none = await new SignJWT({ ...payload, aud: undefined }).setProtectedHeader(header).sign(secret)
    expect((await forecast(app, foreign)).statusCode).toBe(401)
    expect((await forecast(app, none)).statusCode).toBe(401)
  })

  it('rotates HS256 secrets: tokens of the previous secret keep working where it is listed, new ones get the new kid', async () => {
    const before = await service()
    const old = await passwordToken(before)
    const rotated = await service({ FUSIO_JWT_SECRET: OTHER_SECRET, FUSIO_JWT_PREVIOUS_SECRETS: JWT_SECRET })
    expect((await forecast(rotated, old)).statusCode).toBe(200)
    const fresh = await passwordToken(rotated)
    expect(parts(fresh)[0].kid).not.toBe(parts(old)[0].kid)
    const after = await service({ FUSIO_JWT_SECRET: OTHER_SECRET })
    expect((await forecast(after, old)).statusCode).toBe(401)
    expect((await forecast(after, fresh)).statusCode).toBe(200)
  })

  it('signs with an RS256 key set, publishes only public keys, and refuses HMAC tokens keyed with the public key', async () => {
    const first = await generateKeyPair('RS256', { extractable: true })
    const second = await generateKeyPair('ES256', { extractable: true })
    const jwks = {
      keys: [
        { ...(await exportJWK(first.privateKey)), kid: 'rsa-2026', alg: 'RS256' },
        { ...(await exportJWK(second.privateKey)), kid: 'ec-2027' },
      ],
    }
    const app = await service({ FUSIO_JWT_SECRET: '', FUSIO_JWKS: JSON.stringify(jwks) })
    const token = await passwordToken(app)
    expect(parts(token)[0]).toMatchObject({ alg: 'RS256', kid: 'rsa-2026' })
    const published = (await app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json()
    expect(published.keys.map((k: { kid: string }) => k.kid)).toEqual(['rsa-2026', 'ec-2027'])
    expect(JSON.stringify(published)).not.toMatch(/"(d|p|q|dp|dq|qi)":/)
    // Anyone can verify our tokens with the published keys.
    const verified = await jwtVerify(token, createLocalJWKSet(published), { issuer: 'http://api.test' })
    expect(verified.payload.scope).toBe('forecast')
    expect((await app.inject({ method: 'GET', url: '/.well-known/openid-configuration' })).json().jwks_uri).toBe('http://api.test/.well-known/jwks.json')
    expect((await forecast(app, token)).statusCode).toBe(200)
    const confused = await new SignJWT(parts(token)[1]).setProtectedHeader({ alg: 'HS256', kid: 'rsa-2026' }).sign(new TextEncoder().encode(published.keys[0].n))
    expect((await forecast(app, confused)).statusCode).toBe(401)
    // The second key signs once it is chosen; both keep verifying.
    const next = await service({ FUSIO_JWT_SECRET: '', FUSIO_JWKS: JSON.stringify(jwks), FUSIO_JWT_SIGNING_KID: 'ec-2027' })
    const ecToken = await passwordToken(next)
    expect(parts(ecToken)[0]).toMatchObject({ alg: 'ES256', kid: 'ec-2027' })
    expect((await forecast(app, ecToken)).statusCode).toBe(200)
    expect((await forecast(next, token)).statusCode).toBe(200)
  })

  it('a revocation on one instance reaches another through the database', async () => {
    const one = await service()
    const two = await service()
    const token = await passwordToken(one)
    expect((await forecast(two, token)).statusCode).toBe(200)
    expect((await one.inject({ method: 'POST', url: '/authorization/revoke', payload: { token } })).statusCode).toBe(200)
    expect((await forecast(one, token)).statusCode).toBe(401)
    let refused = false
    for (let i = 0; i < 40 && !refused; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50))
      refused = (await forecast(two, token)).statusCode === 401
    }
    expect(refused).toBe(true)
  })
})
