/**
 * resolve(loaded) → ResolvedManifest: both eras as one list of operations, schemas in one namespace,
 * actions and connections bound to built-ins, every name checked across sections.
 * In: the located tree from load(). Out: plain data for buildModel(); never touches the disk.
 * All diagnostics of the run are returned together; the value is absent when any is an error.
 */
import manifestSchema from '../manifest.schema.json' with { type: 'json' }
import { diagnostic, hasErrors, type Diagnostic, type StageResult } from '../diagnostics/index.js'
import { entry, type LMap, type LNode, type LoadedManifest } from '../load/index.js'
import type { MigrationModel, ScopeModel, ServiceModel } from '../model/types.js'
import { resolveAction, resolveActions, resolveConnections, resolveMigrations, type ResolvedAction, type ResolvedConnection } from './actions.js'
import { findAction } from './classes.js'
import { resolveDocs } from './docs.js'
import { checkLocated, describeIn } from './located.js'
import { resolveOperations, type ResolvedOperation } from './operations.js'
import { resolveProduct, type ResolvedProduct } from './product.js'
import { normalizeSchemas, type SchemaDraft } from './schemas.js'
import { scalarOf, stringValue } from './values.js'

export type { ResolvedAction, ResolvedConnection, ResolvedOperation, ResolvedProduct, SchemaDraft }

export interface ResolvedManifest {
  readonly manifestFile: string
  readonly service: ServiceModel
  readonly operations: readonly ResolvedOperation[]
  readonly schemas: readonly SchemaDraft[]
  readonly actions: readonly ResolvedAction[]
  readonly connections: readonly ResolvedConnection[]
  readonly migrations: readonly MigrationModel[]
  readonly scopes: readonly ScopeModel[]
  readonly product: ResolvedProduct
  readonly env: readonly string[]
}

const IGNORED_SECTIONS = ['cronjob', 'event']

export function resolve(loaded: LoadedManifest): StageResult<ResolvedManifest> {
  const root = loaded.root
  const diagnostics: Diagnostic[] = checkLocated({
    node: root,
    schema: manifestSchema,
    describe: (steps) => (steps.length === 0 ? 'the manifest' : describeIn(steps[0], steps.slice(1))),
    code: 'FUSIO_RESOLVE_INVALID_VALUE',
  })
  for (const section of IGNORED_SECTIONS) {
    const found = root.entries.find((e) => e.key === section)
    if (found) diagnostics.push(diagnostic('FUSIO_RESOLVE_SECTION_IGNORED', { section }, found.keyLoc))
  }
  const env = new Set<string>()
  const { connections, diagnostics: connectionDiagnostics } = resolveConnections(root, env)
  const { actions, diagnostics: actionDiagnostics } = resolveActions(root, connections, env)
  const { migrations, diagnostics: migrationDiagnostics } = resolveMigrations(root, connections)
  diagnostics.push(...connectionDiagnostics, ...actionDiagnostics, ...migrationDiagnostics)

  const schemaSection = entry(root, 'schema')?.value
  const schemaInputs = schemaSection?.kind === 'map' ? schemaSection.entries.map((e) => ({ name: e.key, node: e.value })) : []
  const { drafts, diagnostics: schemaDiagnostics } = normalizeSchemas(schemaInputs, loaded.manifestFile)
  diagnostics.push(...schemaDiagnostics)

  const referenced = new Map<string, ResolvedAction>()
  const service = serviceOf(root)
  const { operations, diagnostics: operationDiagnostics } = resolveOperations({
    root,
    basePath: service.basePath,
    schemaKeys: new Set(schemaInputs.map((s) => s.name).concat('Message')),
    actions,
    referencedAction(node: LNode) {
      const reference = stringValue(node) ?? ''
      const existing = referenced.get(reference)
      if (existing) return existing
      // `file://x.ts` is a file action on that module; `https://…` an HTTP-Processor to that URL, as in Fusio.
      const isFile = reference.startsWith('file://')
      const value = isFile ? (node.kind === 'scalar' && node.file ? node.file.path : undefined) : reference
      if (value === undefined) return undefined
      const key = isFile ? 'path' : 'url'
      const configNode: LMap = { kind: 'map', loc: node.loc, entries: [{ key, keyLoc: node.loc, value: { ...node, value } as LNode }] }
      const action = resolveAction(reference, node.loc, findAction(isFile ? 'file' : 'http-processor')!, configNode, connections, env, diagnostics)
      if (action) referenced.set(reference, action)
      return action
    },
  })
  diagnostics.push(...operationDiagnostics)
  const { docs, diagnostics: docsDiagnostics } = resolveDocs(root, service.basePath, operations)
  diagnostics.push(...docsDiagnostics)
  const scopes = scopesOf(root, operations)
  const { value: product, diagnostics: productDiagnostics } = resolveProduct(root, operations, scopes, env)
  diagnostics.push(...productDiagnostics)
  if (operations.length === 0 && !diagnostics.some((d) => d.code === 'FUSIO_RESOLVE_NO_OPERATIONS') && !hasErrors(diagnostics)) {
    diagnostics.push(diagnostic('FUSIO_RESOLVE_NO_OPERATIONS', {}, root.loc))
  }
  if (hasErrors(diagnostics)) return { diagnostics }
  return {
    value: {
      manifestFile: loaded.manifestFile,
      service: { ...service, docs },
      operations,
      schemas: drafts,
      actions: [...actions.values(), ...referenced.values()],
      connections: [...connections.values()],
      migrations,
      scopes: [...scopes, ...product.scopes],
      product,
      env: [...env].sort(),
    },
    diagnostics,
  }
}

function serviceOf(root: LMap): Omit<ServiceModel, 'docs'> {
  const service = entry(root, 'service')?.value
  const config = entry(root, 'config')?.value
  const from = (node: LNode | undefined, key: string) => (node?.kind === 'map' ? stringValue(entry(node, key)?.value) : undefined)
  const description = from(service, 'description') ?? from(config, 'info_description')
  return {
    title: from(service, 'title') ?? from(config, 'info_title') ?? 'Fusio API',
    version: from(service, 'version') ?? from(config, 'info_version') ?? '1.0.0',
    ...(description ? { description } : {}),
    basePath: from(service, 'basePath') ?? '',
  }
}

/** Declared scopes plus every scope an operation names (Fusio creates missing ones). */
function scopesOf(root: LMap, operations: readonly ResolvedOperation[]): ScopeModel[] {
  const scopes = new Map<string, ScopeModel>()
  const section = entry(root, 'scope')?.value
  if (section?.kind === 'map') {
    for (const s of section.entries) {
      const description = s.value.kind === 'map' ? scalarOf(entry(s.value, 'description')?.value) : undefined
      scopes.set(s.key, typeof description === 'string' ? { name: s.key, description } : { name: s.key })
    }
  }
  for (const op of operations) for (const scope of op.scopes) if (!scopes.has(scope)) scopes.set(scope, { name: scope })
  return [...scopes.values()]
}
