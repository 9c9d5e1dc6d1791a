/**
 * diffModels(base, head) → every API change from base to head, service-wide changes first, then by
 * operation id; within an operation, in the order its parts are compared. Pure: models in, data out.
 */
import type { Model } from '../model/types.js'
import { apiChange, type ApiChange } from './changes.js'
import { diffOperations } from './operations.js'

export function diffModels(base: Model, head: Model): ApiChange[] {
  const service: ApiChange[] = []
  if (base.service.basePath !== head.service.basePath) {
    service.push(apiChange('base-path-changed', { message: `service.basePath ${base.service.basePath} → ${head.service.basePath}` }))
  }
  const operations = diffOperations(base, head)
  // A stable sort keeps each operation's changes in the order they were found.
  return [...service, ...operations.sort((a, b) => (a.operation! < b.operation! ? -1 : a.operation! > b.operation! ? 1 : 0))]
}
