// {{banner}}
// The service's entry point: `node dist/server.mjs` serves, `node dist/server.mjs migrate` migrates.
import { createService, runFromCommandLine, type ServiceOptions } from 'fusio-ts/runtime'
import { service } from './service.js'

/** Builds the Fastify app without listening; tests call it and use `inject`. */
export function createApp(options: ServiceOptions = {}) {
  return createService(service, { entryUrl: import.meta.url, ...options })
}

await runFromCommandLine(import.meta.url, service)
