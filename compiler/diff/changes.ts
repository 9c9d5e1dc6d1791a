/**
 * THE catalog of API change codes `fusio diff` reports, each with whether it breaks existing clients.
 * A request-side change breaks when a request that was valid before is refused or means something
 * else now; a response-side change breaks when a client that read the old response correctly can
 * misread the new one. Codes are stable: CI scripts match on them, so they are never renamed.
 */
import type { SourceLocation } from '../diagnostics/index.js'

export interface ChangeEntry {
  readonly breaking: boolean
  /** What the code means, for `fusio diff --help` readers and the docs. */
  readonly doc: string
}

export const CHANGES = {
  // operations: matched by id, or by method and path when the id changed
  'operation-added': { breaking: false, doc: 'A new operation.' },
  'operation-removed': { breaking: true, doc: 'An operation is gone: its calls now answer 404.' },
  'operation-renamed': {
    breaking: true,
    doc: 'Same method and path under a new id: generated client SDKs name their methods after the id, and X-Operation-Id changes.',
  },
  'operation-deactivated': { breaking: true, doc: 'The operation is no longer active: its calls answer 410.' },
  'operation-activated': { breaking: false, doc: 'An inactive operation answers again.' },
  'path-changed': { breaking: true, doc: 'The operation answers on other URLs (a new path, or a path parameter pattern that matches differently).' },
  'path-parameter-renamed': { breaking: false, doc: 'Only the name of a path parameter changed: the same URLs match.' },
  'method-changed': { breaking: true, doc: 'The operation answers another HTTP method.' },
  'success-status-changed': { breaking: true, doc: 'The success status (httpCode) changed; clients that check it see an unexpected status.' },
  'base-path-changed': { breaking: true, doc: 'service.basePath changed: every URL of the service moved.' },

  // access
  'public-to-private': { breaking: true, doc: 'A public operation now needs an access token.' },
  'private-to-public': { breaking: false, doc: 'A private operation is now public.' },
  'scope-added': { breaking: false, doc: 'A private operation accepts one more scope (any one of its scopes is enough).' },
  'scope-removed': { breaking: true, doc: 'A private operation no longer accepts tokens that only carry this scope.' },

  // lifecycle
  deprecated: { breaking: false, doc: 'The operation became deprecated (X-Stability: deprecated): plan its removal.' },
  'stability-changed': { breaking: false, doc: 'The stability changed between experimental, stable and legacy.' },

  // request: parameters
  'parameter-added-required': { breaking: true, doc: 'A new required query parameter: requests without it are refused.' },
  'parameter-added-optional': { breaking: false, doc: 'A new optional query parameter.' },
  'query-parameter-removed': { breaking: true, doc: 'A query parameter is gone: clients that send it are ignored or refused.' },

  // request: body, and the values of parameters
  'request-required-added': { breaking: true, doc: 'A request property is now required (new, or optional before).' },
  'request-optional-added': { breaking: false, doc: 'A new optional request property.' },
  'request-property-removed': { breaking: true, doc: 'A request property is gone: clients that send it are ignored or refused.' },
  'request-required-removed': { breaking: false, doc: 'A required request property became optional.' },
  'request-type-narrowed': { breaking: true, doc: 'A request value accepts fewer types (or other types) than before.' },
  'request-type-widened': { breaking: false, doc: 'A request value accepts more types than before.' },
  'request-enum-narrowed': { breaking: true, doc: 'A request value accepts fewer enum values (or is newly restricted to a list).' },
  'request-enum-widened': { breaking: false, doc: 'A request value accepts more enum values.' },
  'request-constraint-tightened': { breaking: true, doc: 'A request constraint (length, range, pattern, format, extra properties…) became stricter or changed.' },
  'request-constraint-loosened': { breaking: false, doc: 'A request constraint became looser.' },
  'request-schema-changed': { breaking: true, doc: 'A part of the request schema that fusio diff does not analyse (allOf, oneOf…) changed.' },

  // response
  'response-property-added': { breaking: false, doc: 'A new response property (clients ignore what they do not know).' },
  'response-property-removed': { breaking: true, doc: 'A response property is gone.' },
  'response-required-added': { breaking: false, doc: 'A response property is now always present.' },
  'response-required-removed': { breaking: true, doc: 'A response property that was always present may now be missing.' },
  'response-type-changed': { breaking: true, doc: 'A response value has other or more types than before.' },
  'response-type-narrowed': { breaking: false, doc: 'A response value has fewer types than before.' },
  'response-nullable-added': { breaking: true, doc: 'A response value may now be null.' },
  'response-enum-widened': { breaking: true, doc: 'A response value has enum values clients do not know.' },
  'response-enum-narrowed': { breaking: false, doc: 'A response value has fewer enum values.' },
  'response-constraint-loosened': { breaking: true, doc: 'A response constraint became looser or changed: values clients relied on may differ.' },
  'response-constraint-tightened': { breaking: false, doc: 'A response constraint became stricter.' },
  'response-schema-changed': { breaking: true, doc: 'A part of the response schema that fusio diff does not analyse (allOf, oneOf…) changed.' },
  'response-status-added': { breaking: false, doc: 'The operation declares a new error status (throws).' },
  'response-status-removed': { breaking: false, doc: 'The operation no longer declares an error status.' },
} as const satisfies Record<string, ChangeEntry>

export type ChangeCode = keyof typeof CHANGES

/** One difference between the two APIs. */
export interface ApiChange {
  readonly code: ChangeCode
  readonly breaking: boolean
  /** Operation id in head (in base for a removed operation); absent for service-wide changes. */
  readonly operation?: string
  /** Where in the operation: `body.title`, `query.count`, `path.id`, `response[200].entry[].id`. */
  readonly field?: string
  /** One line for people. */
  readonly message: string
  /** Where to look: in head, or in base for what was removed. */
  readonly location?: SourceLocation
}

export function apiChange(code: ChangeCode, details: Omit<ApiChange, 'code' | 'breaking'>): ApiChange {
  return { code, breaking: CHANGES[code].breaking, ...details }
}
