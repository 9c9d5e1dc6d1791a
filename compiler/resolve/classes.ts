/** Built-in action and connection classes by every name a manifest may use for them. */
import { ACTIONS } from '../../runtime-min/actions/index.js'
import { CONNECTIONS } from '../../runtime-min/connections/index.js'
import type { ActionDefinition, ConnectionDefinition } from '../../runtime-min/types.js'

const normalize = (name: string): string => name.replace(/^\\/, '').toLowerCase()

function index<T extends { name: string; aliases: readonly string[] }>(definitions: readonly T[]): Map<string, T> {
  const map = new Map<string, T>()
  for (const definition of definitions) {
    for (const name of [definition.name, ...definition.aliases]) map.set(normalize(name), definition)
  }
  return map
}

const actionIndex = index(ACTIONS)
const connectionIndex = index(CONNECTIONS)

/** Fusio classes that are recognised but not built by this version: a clear error, not "unknown". */
const NOT_YET = [
  'Util-A/B-Test', 'Util-Dispatch-Event', 'SQL-Builder', 'PHP-Processor', 'PHP-Sandbox', 'CLI-Processor', 'MongoDB-Find-All',
  'SMTP-Send', 'GraphQL-Query', 'Elasticsearch-GetAll', 'File-Directory-GetAll',
  'Fusio\\Adapter\\Mongodb\\Connection\\MongoDB', 'Fusio\\Adapter\\Smtp\\Connection\\Smtp',
  'Fusio\\Adapter\\Elasticsearch\\Connection\\Elasticsearch', 'Fusio\\Adapter\\File\\Connection\\Filesystem',
].map(normalize)

export function findAction(name: string): ActionDefinition | undefined {
  return actionIndex.get(normalize(name))
}

export function findConnection(name: string): ConnectionDefinition | undefined {
  return connectionIndex.get(normalize(name))
}

export function isNotYetSupported(name: string): boolean {
  return NOT_YET.includes(normalize(name))
}

/** Names offered in "did you mean" hints and in the "known classes" list. */
export const ACTION_NAMES: readonly string[] = ACTIONS.flatMap((a) => [a.name, ...a.aliases.filter((x) => !x.includes('\\'))])
export const CONNECTION_NAMES: readonly string[] = CONNECTIONS.flatMap((c) => [c.name, ...c.aliases.filter((x) => !x.includes('\\'))])
