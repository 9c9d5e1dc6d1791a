/**
 * Reads the environment once, at start-up. Config values from the manifest keep `${env.X}` and
 * `${dir.X}` as lookups until here; every missing variable is named together in one error.
 */
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { FusioError } from './errors.js'
import type { ConfigValue, Json } from './types.js'

export interface RuntimeEnvironment {
  readonly env: Readonly<Record<string, string | undefined>>
  /** The project folder `${dir.src}` stands for: FUSIO_DIR_SRC, or the folder above dist/. */
  readonly srcDir: string
  /** The bundle's folder (dist/): openapi.json and the developer portal's files are there. */
  readonly distDir: string
}

export function createEnvironment(env: Readonly<Record<string, string | undefined>>, entryUrl?: string): RuntimeEnvironment {
  const distDir = entryUrl ? dirname(fileURLToPath(entryUrl)) : join(process.cwd(), 'dist')
  return { env, srcDir: env.FUSIO_DIR_SRC ?? (entryUrl ? dirname(distDir) : process.cwd()), distDir }
}

/** Env names are matched exactly first, then case-insensitively, as Fusio's replacer does. */
export function lookupEnv(environment: RuntimeEnvironment, name: string): string | undefined {
  const exact = environment.env[name]
  if (exact !== undefined) return exact
  const lower = name.toLowerCase()
  for (const [key, value] of Object.entries(environment.env)) if (key.toLowerCase() === lower) return value
  return undefined
}

export function resolveConfig(value: ConfigValue, environment: RuntimeEnvironment, missing: Set<string>): Json {
  if (value === null || typeof value !== 'object') return value
  if (Array.isArray(value)) return value.map((v) => resolveConfig(v, environment, missing))
  const record = value as Record<string, ConfigValue>
  if ('$env' in record && typeof record.$env === 'string') {
    const found = lookupEnv(environment, record.$env)
    if (found === undefined) missing.add(record.$env)
    return found ?? ''
  }
  if ('$dir' in record && typeof record.$dir === 'string') {
    if (record.$dir === 'src') return environment.srcDir
    if (record.$dir === 'cache') return join(environment.srcDir, '.fusio', 'cache')
    return tmpdir()
  }
  if ('$template' in record && Array.isArray(record.$template)) {
    return record.$template.map((part) => String(resolveConfig(part, environment, missing))).join('')
  }
  const out: Record<string, Json> = {}
  for (const [k, v] of Object.entries(record)) out[k] = resolveConfig(v, environment, missing)
  return out
}

export function assertNoneMissing(missing: ReadonlySet<string>): void {
  if (missing.size === 0) return
  const names = [...missing].sort()
  throw new FusioError(
    'FUSIO_ERR_CONFIG_MISSING_ENV',
    `missing environment variable${names.length === 1 ? '' : 's'} ${names.join(', ')} (used by the manifest as \${env.NAME})`,
  )
}
