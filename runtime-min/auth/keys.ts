/**
 * The service's token keys, from the environment: FUSIO_JWT_SECRET (HS256; FUSIO_JWT_PREVIOUS_SECRETS
 * keep verifying tokens signed before a rotation) or FUSIO_JWKS (a JSON key set: RSA, EC, OKP or oct
 * keys; those with private parts can sign, FUSIO_JWT_SIGNING_KID picks which). Every key has one
 * algorithm, fixed here and never taken from a token; a token names its key by `kid`.
 */
import { createHash, randomBytes } from 'node:crypto'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { importJWK, type JWK, type JWTHeaderParameters } from 'jose'
import { FusioError } from '../errors.js'

type KeyLike = Awaited<ReturnType<typeof importJWK>>

export interface TokenKey {
  readonly kid: string
  readonly alg: string
  /** Verifies (the public half, or the shared secret). */
  readonly verifyKey: KeyLike
  /** Signs, when the environment holds the private half or the secret. */
  readonly signKey?: KeyLike
  /** What /.well-known/jwks.json may publish: public keys only. */
  readonly publicJwk?: JWK
}

export interface KeySet {
  readonly keys: readonly TokenKey[]
  /** The key new tokens are signed with; undefined when only public keys are configured. */
  readonly signing?: TokenKey
  readonly algorithms: readonly string[]
  /** jose's key lookup: the key the header's `kid` names, if its algorithm is that key's own. */
  lookup(header: JWTHeaderParameters): KeyLike
}

const PUBLIC_MEMBERS: Readonly<Record<string, readonly string[]>> = { RSA: ['kty', 'n', 'e'], EC: ['kty', 'crv', 'x', 'y'], OKP: ['kty', 'crv', 'x'] }

function defaultAlgorithm(jwk: JWK): string | undefined {
  if (jwk.alg) return jwk.alg
  if (jwk.kty === 'oct') return 'HS256'
  if (jwk.kty === 'RSA') return 'RS256'
  if (jwk.kty === 'EC') return { 'P-256': 'ES256', 'P-384': 'ES384', 'P-521': 'ES512' }[jwk.crv ?? '']
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return 'EdDSA'
  return undefined
}

const secretKid = (secret: string) => `hs-${createHash('sha256').update(secret).digest('hex').slice(0, 12)}`

async function keyOf(jwk: JWK, index: number): Promise<TokenKey> {
  const alg = defaultAlgorithm(jwk)
  if (!alg) throw new FusioError('FUSIO_ERR_CONFIG_INVALID', `FUSIO_JWKS key ${index + 1} has no alg and none follows from its type`)
  const kid = jwk.kid ?? (jwk.kty === 'oct' ? secretKid(jwk.k ?? '') : `key-${index + 1}`)
  if (jwk.kty === 'oct') {
    const secret = await importJWK({ ...jwk, alg }, alg)
    return { kid, alg, verifyKey: secret, signKey: secret }
  }
  const publicMembers = PUBLIC_MEMBERS[jwk.kty ?? '']
  if (!publicMembers) throw new FusioError('FUSIO_ERR_CONFIG_INVALID', `FUSIO_JWKS key ${kid} has an unsupported type "${jwk.kty}"`)
  const publicJwk = Object.fromEntries(publicMembers.map((m) => [m, jwk[m as keyof JWK]])) as JWK
  Object.assign(publicJwk, { kid, alg, use: 'sig' })
  return {
    kid,
    alg,
    verifyKey: await importJWK(publicJwk, alg),
    ...(jwk.d ? { signKey: await importJWK({ ...jwk, alg }, alg) } : {}),
    publicJwk,
  }
}

/** Undefined when no key is configured: private operations then refuse every call. */
export async function loadKeySet(env: Readonly<Record<string, string | undefined>>, warn: (message: string) => void): Promise<KeySet | undefined> {
  const keys: TokenKey[] = []
  if (env.FUSIO_JWT_SECRET) {
    const secrets = [env.FUSIO_JWT_SECRET, ...(env.FUSIO_JWT_PREVIOUS_SECRETS ?? '').split(',').map((s) => s.trim()).filter(Boolean)]
    if (Buffer.byteLength(env.FUSIO_JWT_SECRET) < 32) warn('FUSIO_JWT_SECRET is shorter than 32 bytes; use a longer random secret')
    const alg = env.FUSIO_JWT_ALGORITHMS?.split(',')[0]?.trim() || 'HS256'
    for (const secret of secrets) {
      // Imported once: jose would import raw bytes again on every sign and verify.
      const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: `SHA-${alg.slice(2)}` }, false, ['sign', 'verify'])
      keys.push({ kid: secretKid(secret), alg, verifyKey: key, signKey: key })
    }
  } else if (env.FUSIO_JWKS) {
    let parsed: { keys?: JWK[] }
    try {
      parsed = JSON.parse(env.FUSIO_JWKS)
    } catch {
      throw new FusioError('FUSIO_ERR_CONFIG_INVALID', 'FUSIO_JWKS is not valid JSON (expected {"keys": [...]})')
    }
    const list = parsed.keys ?? []
    for (const [index, jwk] of list.entries()) keys.push(await keyOf(jwk, index))
    if (keys.length === 0) throw new FusioError('FUSIO_ERR_CONFIG_INVALID', 'FUSIO_JWKS holds no keys')
  } else {
    return undefined
  }
  const allowed = env.FUSIO_JWT_ALGORITHMS?.split(',').map((a) => a.trim()).filter(Boolean)
  const usable = allowed ? keys.filter((k) => allowed.includes(k.alg)) : keys
  const wantedKid = env.FUSIO_JWT_SIGNING_KID
  const signing = usable.find((k) => k.signKey && (!wantedKid || k.kid === wantedKid))
  if (wantedKid && !signing) throw new FusioError('FUSIO_ERR_CONFIG_INVALID', `FUSIO_JWT_SIGNING_KID "${wantedKid}" names no key that can sign`)
  const byKid = new Map(usable.map((k) => [k.kid, k]))
  return {
    keys: usable,
    ...(signing ? { signing } : {}),
    algorithms: [...new Set(usable.map((k) => k.alg))],
    lookup(header) {
      // Tokens from an issuer with a single key may carry no kid.
      const key = header.kid === undefined ? (usable.length === 1 ? usable[0] : undefined) : byKid.get(header.kid)
      if (!key) throw new Error(`no key "${header.kid ?? ''}" is configured`)
      if (header.alg !== key.alg) throw new Error(`key "${key.kid}" is for ${key.alg}, not ${header.alg}`)
      return key.verifyKey
    },
  }
}

/**
 * Outside production, a service that issues tokens but has no key gets one of its own, kept in
 * `.fusio/dev-jwt-secret` (mode 0600) so tokens survive restarts. Production must set a key.
 */
export function developmentSecret(srcDir: string, env: Readonly<Record<string, string | undefined>>): string | undefined {
  if (env.NODE_ENV === 'production') return undefined
  const file = join(srcDir, '.fusio', 'dev-jwt-secret')
  try {
    return readFileSync(file, 'utf8').trim()
  } catch {
    const secret = randomBytes(32).toString('base64url')
    mkdirSync(dirname(file), { recursive: true })
    writeFileSync(file, `${secret}\n`, { mode: 0o600 })
    return secret
  }
}
