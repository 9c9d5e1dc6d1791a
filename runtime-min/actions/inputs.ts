/** What actions read from a request and their deps: Fusio's arguments, and connections of one kind. */
import { FusioError } from '../errors.js'
import type { ActionDeps, ActionRequest, Connection } from '../types.js'

/** Fusio's arguments: path parameters win over query parameters. */
export function argument(request: ActionRequest, name: string): unknown {
  const params = request.params as Record<string, unknown>
  if (params[name] !== undefined) return params[name]
  return (request.query as Record<string, unknown>)[name]
}

/** All arguments at once (templates and expressions read them by name). */
export function argumentsOf(request: ActionRequest): Record<string, unknown> {
  return { ...(request.query as Record<string, unknown>), ...request.params }
}

/** The named connection, which must be of the kind `is` checks (`what` names it in the error). */
export function connectionOf<Kind extends Connection>(deps: ActionDeps, name: string, is: (connection: Connection) => connection is Kind, what: string): Kind {
  const connection = deps.connections.get(name)
  if (!is(connection)) throw new FusioError('FUSIO_ERR_CONFIG_INVALID', `connection "${name}" is not ${what} connection`)
  return connection
}
