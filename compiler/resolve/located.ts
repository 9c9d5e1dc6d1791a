/**
 * Validates a located subtree against a JSON Schema and turns ajv's errors into diagnostics at the
 * offending node, with "did you mean" for unknown keys and enum values.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv'
import { closest, diagnostic, didYouMean, type Diagnostic, type DiagnosticCode } from '../diagnostics/index.js'
import { atPointer, entry, toPlain, type LNode } from '../load/index.js'

// verbose: errors carry their parentSchema, whose `properties` feed the did-you-mean hints.
const ajv = new Ajv({ allErrors: true, strict: false, allowUnionTypes: true, verbose: true })
const compiled = new WeakMap<object, ValidateFunction>()

export function compileOnce(schema: object): ValidateFunction {
  let validate = compiled.get(schema)
  if (!validate) {
    validate = ajv.compile(schema)
    compiled.set(schema, validate)
  }
  return validate
}

export interface LocatedCheck {
  readonly node: LNode
  readonly schema: object
  /** How to name a path inside the node for a reader, e.g. `operation "todo.create".httpMethod`. */
  readonly describe: (steps: readonly string[]) => string
  /** Code for type/enum/format problems (unknown and missing keys have their own codes). */
  readonly code: DiagnosticCode
  /** Extra template arguments for `code`, e.g. the action name. */
  readonly args?: Readonly<Record<string, string>>
}

export function checkLocated(check: LocatedCheck): Diagnostic[] {
  const validate = compileOnce(check.schema)
  if (validate(toPlain(check.node))) return []
  const diagnostics: Diagnostic[] = []
  const seen = new Set<string>()
  const errors = prune(validate.errors ?? [])
  // A misspelt key is reported once, as unknown with its correction, not also as a missing key.
  const corrected = new Set<string>()
  for (const error of errors) {
    if (error.keyword !== 'additionalProperties') continue
    const known = Object.keys((error.parentSchema as { properties?: object } | undefined)?.properties ?? {})
    const match = closest(String(error.params.additionalProperty), known)
    if (match) corrected.add(`${error.instancePath}#${match}`)
  }
  for (const error of errors) {
    if (error.keyword === 'required' && corrected.has(`${error.instancePath}#${String(error.params.missingProperty)}`)) continue
    const steps = pointerSteps(error.instancePath)
    const node = atPointer(check.node, steps) ?? check.node
    const where = check.describe(steps)
    let d: Diagnostic
    if (error.keyword === 'additionalProperties') {
      const key = String(error.params.additionalProperty)
      const keyEntry = node.kind === 'map' ? entry(node, key) : undefined
      const known = Object.keys((error.parentSchema as { properties?: object } | undefined)?.properties ?? {})
      const hint = didYouMean(key, known) ?? (known.length > 0 ? `known keys: ${known.join(', ')}` : undefined)
      d = diagnostic('FUSIO_RESOLVE_UNKNOWN_KEY', { key, where }, keyEntry?.keyLoc ?? node.loc, hint)
    } else if (error.keyword === 'required') {
      d = diagnostic('FUSIO_RESOLVE_MISSING_KEY', { key: String(error.params.missingProperty), where }, node.loc)
    } else {
      const allowed = error.keyword === 'enum' ? (error.params.allowedValues as unknown[]).map(String) : undefined
      // Only text gets a did-you-mean: a misspelt word has a neighbour, a wrong number does not.
      const hint = allowed && node.kind === 'scalar' && typeof node.value === 'string' ? didYouMean(node.value, allowed) : undefined
      const problem = allowed ? `must be one of ${allowed.join(', ')}` : (error.message ?? 'is invalid')
      d = diagnostic(check.code, { ...check.args, where, problem }, node.loc, hint)
    }
    const key = `${d.location?.line}:${d.location?.column}:${d.message}`
    if (!seen.has(key)) {
      seen.add(key)
      diagnostics.push(d)
    }
  }
  return diagnostics
}

/** ajv reports each failed branch of a type union separately; keep the most useful error per path. */
function prune(errors: readonly ErrorObject[]): ErrorObject[] {
  const structural = new Set(errors.filter((e) => e.keyword === 'additionalProperties' || e.keyword === 'required').map((e) => e.instancePath))
  return errors.filter((e) => !(e.keyword === 'if' || e.keyword === 'anyOf' || e.keyword === 'oneOf') && !(e.keyword === 'type' && structural.has(e.instancePath)))
}

export function pointerSteps(pointer: string): string[] {
  if (pointer === '') return []
  return pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
}

/** `section "name".rest.of.path` — names are quoted because operation ids contain dots. */
export function describeIn(section: string, steps: readonly string[]): string {
  if (steps.length === 0) return `section "${section}"`
  const [name, ...rest] = steps
  return `${section} "${name}"${rest.map((s) => (/^\d+$/.test(s) ? `[${s}]` : `.${s}`)).join('')}`
}
