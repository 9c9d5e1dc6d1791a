/**
 * `connection:`, `action:` and `migration:` → resolved entries. Classes map to built-ins by any of
 * their names; configs are checked against the built-in's config schema at the config's own lines.
 */
import { posix } from 'node:path'
import type { ActionDefinition, ConfigValue, ConnectionDefinition } from '../../runtime-min/types.js'
import { diagnostic, didYouMean, type Diagnostic, type SourceLocation } from '../diagnostics/index.js'
import { entry, toPlain, type LMap, type LNode } from '../load/index.js'
import type { ActionModel, ConnectionModel, MigrationModel } from '../model/types.js'
import { ACTION_NAMES, CONNECTION_NAMES, findAction, findConnection, isNotYetSupported } from './classes.js'
import { checkLocated } from './located.js'
import { findTemplate, stringValue, toConfigValue } from './values.js'

export interface ResolvedAction extends Omit<ActionModel, 'typeName' | 'operations'> {
  readonly definition: ActionDefinition
  /** The config as plain data (placeholders as their text), for compile-time checks. */
  readonly plainConfig: any
}

export type ResolvedConnection = ConnectionModel & { readonly definition: ConnectionDefinition }

const SECRET_KEYS = /^(password|secret|token|api_?key|client_?secret)$/i

export function resolveConnections(root: LMap, env: Set<string>): { connections: Map<string, ResolvedConnection>; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = []
  const connections = new Map<string, ResolvedConnection>()
  const section = entry(root, 'connection')?.value
  if (section?.kind !== 'map') return { connections, diagnostics }
  for (const c of section.entries) {
    if (c.value.kind !== 'map') continue
    const classNode = entry(c.value, 'class')?.value
    const className = stringValue(classNode)
    if (!className || !classNode) continue
    const definition = findConnection(className)
    if (!definition) {
      const code = isNotYetSupported(className) ? 'FUSIO_RESOLVE_UNSUPPORTED_ACTION' : 'FUSIO_RESOLVE_UNKNOWN_CONNECTION_CLASS'
      const hint = code === 'FUSIO_RESOLVE_UNKNOWN_CONNECTION_CLASS' ? (didYouMean(className, CONNECTION_NAMES) ?? `known classes: ${CONNECTION_NAMES.join(', ')}`) : undefined
      diagnostics.push(diagnostic(code, { name: className }, classNode.loc, hint))
      continue
    }
    const configNode: LNode = entry(c.value, 'config')?.value ?? { kind: 'map', loc: c.keyLoc, entries: [] }
    diagnostics.push(
      ...checkLocated({
        node: configNode,
        schema: definition.configSchema,
        describe: (steps) => ['config', ...steps].join('.'),
        code: 'FUSIO_RESOLVE_CONNECTION_CONFIG',
        args: { connection: c.key },
      }).map((d) => (d.code === 'FUSIO_RESOLVE_CONNECTION_CONFIG' ? d : { ...d, message: `connection "${c.key}": ${d.message}` })),
    )
    if (configNode.kind === 'map') {
      for (const e of configNode.entries) {
        if (SECRET_KEYS.test(e.key) && e.value.kind === 'scalar' && typeof e.value.value === 'string' && e.value.value !== '' && !e.value.template) {
          diagnostics.push(diagnostic('FUSIO_RESOLVE_LITERAL_SECRET', { where: `connection "${c.key}" config.${e.key}` }, e.value.loc))
        }
      }
    }
    connections.set(c.key, { name: c.key, class: definition.name, config: toConfigValue(configNode, env), location: c.keyLoc, definition })
  }
  return { connections, diagnostics }
}

export function resolveActions(
  root: LMap,
  connections: ReadonlyMap<string, ResolvedConnection>,
  env: Set<string>,
): { actions: Map<string, ResolvedAction>; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = []
  const actions = new Map<string, ResolvedAction>()
  const references = new Map<string, LNode[]>()
  const section = entry(root, 'action')?.value
  if (section?.kind !== 'map') return { actions, diagnostics }
  for (const a of section.entries) {
    if (a.value.kind !== 'map') continue
    const classNode = entry(a.value, 'class')?.value
    const className = stringValue(classNode)
    if (!className || !classNode) continue
    const definition = findAction(className)
    if (!definition) {
      if (isNotYetSupported(className)) diagnostics.push(diagnostic('FUSIO_RESOLVE_UNSUPPORTED_ACTION', { name: className }, classNode.loc))
      else diagnostics.push(diagnostic('FUSIO_RESOLVE_UNKNOWN_ACTION_CLASS', { name: className }, classNode.loc, didYouMean(className, ACTION_NAMES) ?? `known classes: ${ACTION_NAMES.join(', ')}`))
      continue
    }
    const asyncNode = entry(a.value, 'async')?.value
    const configNode: LNode = entry(a.value, 'config')?.value ?? { kind: 'map', loc: a.keyLoc, entries: [] }
    const resolved = resolveAction(a.key, a.keyLoc, definition, configNode, connections, env, diagnostics)
    if (resolved) actions.set(a.key, asyncNode?.kind === 'scalar' && asyncNode.value === true ? { ...resolved, async: true } : resolved)
    if (definition.actionKeys && configNode.kind === 'map') references.set(a.key, actionReferences(configNode, definition.actionKeys))
  }
  diagnostics.push(...checkReferences(references, new Set(section.entries.map((e) => e.key))))
  return { actions, diagnostics }
}

/** The action names a composing action's config holds, each with where it is written. */
function actionReferences(config: LMap, keys: readonly string[]): LNode[] {
  return keys.flatMap((key) => {
    const node = entry(config, key)?.value
    if (node?.kind === 'scalar' && typeof node.value === 'string') return [node]
    return node?.kind === 'seq' ? node.items.filter((item) => item.kind === 'scalar' && typeof item.value === 'string') : []
  })
}

/** Every referenced action is declared, and no action reaches itself (it would never answer). */
function checkReferences(references: ReadonlyMap<string, LNode[]>, declared: ReadonlySet<string>): Diagnostic[] {
  const diagnostics: Diagnostic[] = []
  for (const nodes of references.values()) {
    for (const node of nodes) {
      const name = stringValue(node)!
      if (!declared.has(name)) diagnostics.push(diagnostic('FUSIO_RESOLVE_UNKNOWN_ACTION', { name }, node.loc, didYouMean(name, declared)))
    }
  }
  const state = new Map<string, 'visiting' | 'done'>()
  const visit = (name: string, path: string[]): void => {
    if (state.get(name) === 'done') return
    state.set(name, 'visiting')
    for (const node of references.get(name) ?? []) {
      const next = stringValue(node)!
      if (state.get(next) === 'visiting') {
        const cycle = next === name ? [name, name] : [...path.slice(path.indexOf(next)), name, next]
        diagnostics.push(diagnostic('FUSIO_RESOLVE_ACTION_CYCLE', { cycle: cycle.join(' → ') }, node.loc))
      } else visit(next, [...path, name])
    }
    state.set(name, 'done')
  }
  for (const name of [...references.keys()].sort()) visit(name, [])
  return diagnostics
}

/** Shared by declared actions and by `file://path` references in operations. */
export function resolveAction(
  name: string,
  location: SourceLocation,
  definition: ActionDefinition,
  configNode: LNode,
  connections: ReadonlyMap<string, ResolvedConnection>,
  env: Set<string>,
  diagnostics: Diagnostic[],
): ResolvedAction | undefined {
  const before = diagnostics.length
  // Identifiers and SQL text are compiled into the service: they may not come from the environment.
  const templated = configNode.kind === 'map' ? ['connection', 'table', 'sql', 'path'].map((k) => entry(configNode, k)?.value).find((n) => n && findTemplate(n)) : undefined
  if (templated) {
    diagnostics.push(diagnostic('FUSIO_RESOLVE_ACTION_CONFIG', { action: name, kind: definition.name, where: 'config', problem: 'cannot use ${…} placeholders in connection, table, sql or path' }, templated.loc))
  }
  diagnostics.push(
    ...checkLocated({
      node: configNode,
      schema: definition.configSchema,
      describe: (steps) => ['config', ...steps].join('.'),
      code: 'FUSIO_RESOLVE_ACTION_CONFIG',
      args: { action: name, kind: definition.name },
    })
      .filter((d) => !templated || d.location?.line !== templated.loc.line || d.location?.column !== templated.loc.column)
      .map((d) => (d.code === 'FUSIO_RESOLVE_ACTION_CONFIG' ? d : { ...d, message: `action "${name}": ${d.message}` })),
  )
  const plainConfig = toPlain(configNode) as Record<string, unknown>
  if (definition.connection && configNode.kind === 'map') {
    const connNode = entry(configNode, 'connection')?.value
    const connName = stringValue(connNode)
    if (connNode && connName !== undefined) {
      const connection = connections.get(connName)
      if (!connection) {
        diagnostics.push(diagnostic('FUSIO_RESOLVE_UNKNOWN_CONNECTION', { name: connName }, connNode.loc, didYouMean(connName, connections.keys())))
      } else {
        const kinds: readonly string[] = typeof definition.connection === 'string' ? [definition.connection] : definition.connection
        if (!kinds.includes(connection.class)) {
          diagnostics.push(diagnostic('FUSIO_RESOLVE_CONNECTION_KIND', { action: name, expected: kinds.join(' or '), connection: connName, actual: connection.class }, connNode.loc))
        }
      }
    }
  }
  if (!diagnostics.slice(before).some((d) => d.severity === 'error')) {
    for (const problem of definition.checkConfig?.(plainConfig) ?? []) {
      const at = entry(configNode as LMap, problem.key)?.value ?? configNode
      diagnostics.push(diagnostic('FUSIO_RESOLVE_ACTION_CONFIG', { action: name, kind: definition.name, where: `config.${problem.key}`, problem: problem.message }, at.loc))
    }
  }
  if (diagnostics.slice(before).some((d) => d.severity === 'error')) return undefined
  let config: ConfigValue = toConfigValue(configNode, env)
  let handlerFile: string | undefined
  if (definition.name === 'file' && configNode.kind === 'map') {
    const pathNode = entry(configNode, 'path')?.value
    handlerFile = pathNode?.kind === 'scalar' ? pathNode.file?.path : undefined
    if (!handlerFile) return undefined
    config = { path: handlerFile }
  }
  return { name, class: definition.name, config, plainConfig, ...(handlerFile ? { handlerFile } : {}), location, definition }
}

export function resolveMigrations(
  root: LMap,
  connections: ReadonlyMap<string, ResolvedConnection>,
): { migrations: MigrationModel[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = []
  const migrations: MigrationModel[] = []
  const section = entry(root, 'migration')?.value
  if (section?.kind !== 'map') return { migrations, diagnostics }
  for (const m of section.entries) {
    const connection = connections.get(m.key)
    if (!connection) {
      diagnostics.push(diagnostic('FUSIO_RESOLVE_UNKNOWN_CONNECTION', { name: m.key }, m.keyLoc, didYouMean(m.key, connections.keys())))
      continue
    }
    if (connection.class !== 'sql') {
      diagnostics.push(diagnostic('FUSIO_RESOLVE_CONNECTION_KIND', { action: `migration "${m.key}"`, expected: 'sql', connection: m.key, actual: connection.class }, m.keyLoc))
      continue
    }
    if (m.value.kind !== 'seq') continue
    const files = m.value.items.flatMap((item) =>
      item.kind === 'scalar' && item.file?.content !== undefined ? [{ name: posix.normalize(item.file.path), sql: item.file.content }] : [],
    )
    migrations.push({ connection: m.key, files })
  }
  return { migrations, diagnostics }
}
