/**
 * service.docs → where the API reference is served: `{ path }` below the base path, or false.
 * The docs take one GET URL (their files live under /system/, which operations cannot use), so the
 * only clash is an operation on GET at that URL: an error when the path was chosen, and when it is
 * the default `/`, the operation keeps it and the docs step aside with a warning.
 */
import { diagnostic, type Diagnostic } from '../diagnostics/index.js'
import { entry, type LMap } from '../load/index.js'
import type { DocsDefinition } from '../model/types.js'
import type { ResolvedOperation } from './operations.js'
import { isReservedPath } from './paths.js'
import { scalarOf, stringValue } from './values.js'

const DEFAULT_PATH = '/'
const ELSEWHERE = 'set service.docs: { path: /docs } to serve the API reference elsewhere, or service.docs: false'
const ANOTHER = 'give service.docs another path, set service.docs: false, or move the operation'

export function resolveDocs(root: LMap, basePath: string, operations: readonly ResolvedOperation[]): { docs: DocsDefinition | false; diagnostics: Diagnostic[] } {
  const service = entry(root, 'service')?.value
  const setting = service?.kind === 'map' ? entry(service, 'docs')?.value : undefined
  if (scalarOf(setting) === false) return { docs: false, diagnostics: [] }
  const pathNode = setting?.kind === 'map' ? entry(setting, 'path')?.value : undefined
  // The manifest's JSON Schema has already reported a docs value of the wrong shape.
  const path = stringValue(pathNode) ?? DEFAULT_PATH
  if (pathNode && isReservedPath(path)) return { docs: false, diagnostics: [diagnostic('FUSIO_RESOLVE_RESERVED_PATH', { path }, pathNode.loc)] }
  const url = `${basePath}${path}`
  const taken = operations.find((op) => op.method === 'GET' && op.urls.includes(url))
  if (!taken) return { docs: { path }, diagnostics: [] }
  if (setting) return { docs: false, diagnostics: [diagnostic('FUSIO_RESOLVE_DOCS_PATH_TAKEN', { path, operation: taken.id }, (pathNode ?? setting).loc, ANOTHER)] }
  return { docs: false, diagnostics: [diagnostic('FUSIO_RESOLVE_DOCS_YIELD', { path, operation: taken.id }, taken.location, ELSEWHERE)] }
}
