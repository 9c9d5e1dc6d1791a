/**
 * The API-product sections → the runtime's ProductSettings, rates and CORS: `service.product`,
 * `role`, `plan`, `rate`, `identity`, `config` and `service.cors`. Names are checked across sections
 * (a rate's operation and plan, a role's scopes, config's default role and plan); durations are ISO 8601.
 */
import { PRODUCT_SCOPES } from '../../runtime-min/product/api.js'
import type { CorsDefinition, IdentityDefinition, PlanDefinition, ProductSettings, RateAllocation, RateDefinition } from '../../runtime-min/types.js'
import { diagnostic, didYouMean, type Diagnostic } from '../diagnostics/index.js'
import { entry, toPlain, type LMap, type LNode } from '../load/index.js'
import type { ScopeModel } from '../model/types.js'
import type { ResolvedOperation } from './operations.js'
import { scalarOf, stringValue, toConfigValue } from './values.js'

export interface ResolvedProduct {
  readonly product?: ProductSettings
  readonly rates: readonly RateDefinition[]
  readonly cors?: CorsDefinition
  /** Scopes the product layer adds (backend, consumer, authorization). */
  readonly scopes: readonly ScopeModel[]
}


const IDENTITY_CLASSES: Readonly<Record<string, IdentityDefinition['class']>> = {
  openid: 'openid',
  'openid-connect': 'openid',
  github: 'github',
  google: 'google',
  'fusio\\impl\\provider\\identity\\openidconnect': 'openid',
  'fusio\\impl\\provider\\identity\\github': 'github',
  'fusio\\impl\\provider\\identity\\google': 'google',
}

/** Fusio's defaults since 3.3.2: 3600 calls an hour with a token, 900 without. */
const DEFAULT_RATES: readonly RateDefinition[] = [
  { name: 'Default-Anonymous', priority: 4, limit: 900, windowSeconds: 3600, allocations: [{ authenticated: false }] },
  { name: 'Default', priority: 0, limit: 3600, windowSeconds: 3600, allocations: [] },
]

const PRODUCT_SECTIONS = ['role', 'plan', 'identity'] as const

/** `PT1H`, `P2D`, `PT15M30S` → seconds; undefined when it is not a fixed-length ISO 8601 duration. */
export function durationSeconds(text: string): number | undefined {
  const match = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(text)
  if (!match || text === 'P' || text.endsWith('T')) return undefined
  const [w, d, h, m, s] = match.slice(1).map((part) => Number(part ?? 0))
  const seconds = (((w * 7 + d) * 24 + h) * 60 + m) * 60 + s
  return seconds > 0 ? seconds : undefined
}

export function resolveProduct(root: LMap, operations: readonly ResolvedOperation[], manifestScopes: readonly ScopeModel[], env: Set<string>): {
  value: ResolvedProduct
  diagnostics: Diagnostic[]
} {
  const diagnostics: Diagnostic[] = []
  const service = entry(root, 'service')?.value
  const flag = (key: string) => (service?.kind === 'map' ? scalarOf(entry(service, key)?.value) : undefined)
  const enabled = flag('product') === true
  const config = entry(root, 'config')?.value
  const setting = (key: string) => (config?.kind === 'map' ? entry(config, key) : undefined)

  if (!enabled) {
    for (const section of PRODUCT_SECTIONS) {
      const found = entry(root, section)
      if (found) diagnostics.push(diagnostic('FUSIO_RESOLVE_PRODUCT_OFF', { section }, found.keyLoc))
    }
  }

  const plans = mapEntries(root, 'plan').map(({ key, value }): PlanDefinition => {
    const plain = value.kind === 'map' ? (toPlain(value) as Omit<PlanDefinition, 'name'>) : {}
    return { name: key, ...plain }
  })
  const planNames = new Set(plans.map((p) => p.name))
  const scopeNames = new Set([...manifestScopes, ...(enabled ? PRODUCT_SCOPES : [])].map((s) => s.name))
  const operationIds = new Set(operations.map((op) => op.id))

  const unknown = (section: string, owner: string, kind: string, name: string, known: Iterable<string>, node: LNode) =>
    diagnostics.push(diagnostic('FUSIO_RESOLVE_UNKNOWN_NAME', { section, owner, kind, name }, node.loc, didYouMean(name, known)))

  const rates: RateDefinition[] = []
  for (const { key, value } of mapEntries(root, 'rate')) {
    if (value.kind !== 'map') continue
    const timespanNode = entry(value, 'timespan')?.value
    const windowSeconds = duration(timespanNode, diagnostics)
    const allocations: RateAllocation[] = []
    const list = entry(value, 'allocation')?.value
    for (const item of list?.kind === 'seq' ? list.items : []) {
      if (item.kind !== 'map') continue
      const allocation = toPlain(item) as RateAllocation
      const operationNode = entry(item, 'operation')?.value
      if (allocation.operation !== undefined && !operationIds.has(allocation.operation) && operationNode) {
        unknown('rate', key, 'operation', allocation.operation, operationIds, operationNode)
      }
      const planNode = entry(item, 'plan')?.value
      if (allocation.plan !== undefined && !planNames.has(allocation.plan) && planNode) unknown('rate', key, 'plan', allocation.plan, planNames, planNode)
      allocations.push(allocation)
    }
    const limit = scalarOf(entry(value, 'rateLimit')?.value)
    const priority = scalarOf(entry(value, 'priority')?.value)
    if (windowSeconds !== undefined && typeof limit === 'number') {
      rates.push({ name: key, priority: typeof priority === 'number' ? priority : 0, limit, windowSeconds, allocations })
    }
  }
  // Highest priority first; equal priorities keep a stable order by name.
  const byPriority = (a: RateDefinition, b: RateDefinition) => b.priority - a.priority || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
  const declaredRates = entry(root, 'rate') !== undefined
  const finalRates = (declaredRates ? rates : enabled ? [...DEFAULT_RATES] : []).sort(byPriority)

  const cors = corsOf(service, diagnostics)
  if (!enabled) return { value: { rates: finalRates, ...(cors ? { cors } : {}), scopes: [] }, diagnostics }

  const operationScopes = [...scopeNames].filter((s) => !PRODUCT_SCOPES.some((p) => p.name === s))
  const declaredRoles = mapEntries(root, 'role')
  const roles: Record<string, readonly string[]> = {}
  for (const { key, value } of declaredRoles) {
    const list = value.kind === 'map' ? entry(value, 'scopes')?.value : undefined
    const scopes: string[] = []
    for (const item of list?.kind === 'seq' ? list.items : []) {
      const name = stringValue(item)
      if (name === undefined) continue
      if (!scopeNames.has(name)) unknown('role', key, 'scope', name, scopeNames, item)
      scopes.push(name)
    }
    roles[key] = scopes
  }
  // Without a role section: administrators get everything, consumers the API's own scopes.
  if (declaredRoles.length === 0) {
    roles.Administrator = [...PRODUCT_SCOPES.map((s) => s.name), ...operationScopes].sort()
    roles.Consumer = ['authorization', 'consumer', ...operationScopes].sort()
  }
  const defaultRole = checkedName(setting('role_default'), 'Consumer', 'role', Object.keys(roles), diagnostics)
  const defaultPlanEntry = setting('plan_default')
  const defaultPlan = defaultPlanEntry ? checkedName(defaultPlanEntry, '', 'plan', planNames, diagnostics) : undefined

  const identities: IdentityDefinition[] = []
  for (const { key, value, keyLoc } of mapEntries(root, 'identity')) {
    if (value.kind !== 'map') continue
    const classNode = entry(value, 'class')?.value
    const className = stringValue(classNode) ?? ''
    const kind = IDENTITY_CLASSES[className.toLowerCase()]
    if (!kind) {
      diagnostics.push(diagnostic('FUSIO_RESOLVE_UNKNOWN_IDENTITY_CLASS', { name: key, class: className }, classNode?.loc ?? keyLoc, 'use openid, github or google'))
      continue
    }
    const configNode = entry(value, 'config')?.value
    const allowCreate = scalarOf(entry(value, 'allowCreate')?.value)
    identities.push({ name: key, class: kind, config: configNode ? toConfigValue(configNode, env) : {}, allowCreate: allowCreate !== false })
  }

  const bool = (key: string, fallback: boolean) => {
    const value = scalarOf(setting(key)?.value)
    return typeof value === 'boolean' ? value : fallback
  }
  const int = (key: string, fallback: number) => {
    const value = scalarOf(setting(key)?.value)
    return typeof value === 'number' ? value : fallback
  }
  const text = (key: string, fallback: string) => stringValue(setting(key)?.value) ?? fallback
  const lifetime = (key: string, fallback: number) => {
    const found = setting(key)
    return found ? (duration(found.value, diagnostics) ?? fallback) : fallback
  }
  const portal = flag('developerPortal')
  const mailSender = setting('mail_sender')
  const product: ProductSettings = {
    portal: portal !== false,
    roles,
    defaultRole,
    ...(defaultPlan ? { defaultPlan } : {}),
    plans,
    scopes: [...manifestScopes, ...PRODUCT_SCOPES].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    identities,
    appApproval: bool('app_approval', false),
    userApproval: bool('user_approval', true),
    maxApps: int('consumer_max_apps', 16),
    maxTokens: int('consumer_max_tokens', 16),
    tokenSeconds: lifetime('authorization_token_expire', 3600),
    refreshSeconds: lifetime('authorization_refresh_token_expire', 3 * 86400),
    passwordLength: int('user_pw_length', 8),
    ...(mailSender ? { mailSender: toConfigValue(mailSender.value, env) } : {}),
    registerSubject: text('mail_register_subject', 'Activate your account'),
    resetSubject: text('mail_pw_reset_subject', 'Reset your password'),
  }
  return { value: { product, rates: finalRates, ...(cors ? { cors } : {}), scopes: PRODUCT_SCOPES }, diagnostics }
}

function mapEntries(root: LMap, section: string) {
  const value = entry(root, section)?.value
  return value?.kind === 'map' ? value.entries : []
}

function duration(node: LNode | undefined, diagnostics: Diagnostic[]): number | undefined {
  const text = stringValue(node)
  if (text === undefined || !node) return undefined
  const seconds = durationSeconds(text)
  if (seconds === undefined) diagnostics.push(diagnostic('FUSIO_RESOLVE_DURATION', { text }, node.loc))
  return seconds
}

function checkedName(found: ReturnType<typeof entry>, fallback: string, kind: string, known: Iterable<string>, diagnostics: Diagnostic[]): string {
  const name = stringValue(found?.value)
  if (name === undefined || !found) return fallback
  const names = [...known]
  if (!names.includes(name)) {
    diagnostics.push(diagnostic('FUSIO_RESOLVE_UNKNOWN_NAME', { section: 'config', owner: found.key, kind, name }, found.value.loc, didYouMean(name, names)))
  }
  return name
}

function corsOf(service: LNode | undefined, diagnostics: Diagnostic[]): CorsDefinition | undefined {
  const found = service?.kind === 'map' ? entry(service, 'cors') : undefined
  if (!found || found.value.kind !== 'map') return undefined
  const cors = toPlain(found.value) as unknown as CorsDefinition
  if (cors.origins === '*' && cors.credentials) diagnostics.push(diagnostic('FUSIO_RESOLVE_CORS_CREDENTIALS', {}, found.keyLoc))
  return cors
}
