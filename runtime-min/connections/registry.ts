/** Creates every connection of the service (each opens lazily) and the connector handed to actions. */
import { FusioError } from '../errors.js'
import type { Connection, Connector, ServiceDefinition } from '../types.js'
import { resolveConfig, type RuntimeEnvironment } from '../config.js'
import { CONNECTIONS } from './index.js'

export interface ConnectionSet {
  readonly connector: Connector
  get(name: string): Connection
  entries(): [string, Connection][]
  closeAll(): Promise<void>
}

/** Variables the configs need but the environment lacks are added to `missing`, not thrown. */
export async function createConnections(
  service: ServiceDefinition,
  environment: RuntimeEnvironment,
  missing: Set<string>,
): Promise<ConnectionSet> {
  const connections = new Map<string, Connection>()
  for (const [name, entry] of Object.entries(service.connections)) {
    const definition = CONNECTIONS.find((c) => c.name === entry.class)
    if (!definition) throw new FusioError('FUSIO_ERR_CONFIG_INVALID', `connection "${name}" has an unknown class "${entry.class}"`)
    const before = missing.size
    const config = resolveConfig(entry.config, environment, missing)
    // Incomplete config is not opened; the caller reports every missing variable at once.
    if (missing.size === before) connections.set(name, await definition.create(config))
  }
  const get = (name: string): Connection => {
    const connection = connections.get(name)
    if (!connection) throw new FusioError('FUSIO_ERR_CONFIG_INVALID', `connection "${name}" is not declared in the manifest`)
    return connection
  }
  return {
    connector: { get: <Client>(name: string) => get(name).client as Client },
    get,
    entries: () => [...connections],
    async closeAll() {
      await Promise.allSettled([...connections.values()].map((c) => c.close()))
    },
  }
}
