/**
 * classify(finding, root) → the change code of a schema finding, given what the schema describes.
 * The same finding reads opposite ways on the two sides: a widened type is harmless in a request
 * (old requests still fit) and breaking in a response (old clients meet values they do not expect).
 */
import type { ChangeCode } from './changes.js'
import type { FindingKind, SchemaFinding } from './schemas.js'

/** What a compared schema describes: request body, query or path parameters, or a response body. */
export type SchemaRole = 'body' | 'query' | 'path' | 'response'

const REQUEST: Record<FindingKind, ChangeCode> = {
  'required-field-added': 'request-required-added',
  'optional-field-added': 'request-optional-added',
  'field-removed': 'request-property-removed',
  'field-became-required': 'request-required-added',
  'field-became-optional': 'request-required-removed',
  'type-narrowed': 'request-type-narrowed',
  'type-widened': 'request-type-widened',
  'type-changed': 'request-type-narrowed',
  'nullable-added': 'request-type-widened',
  'nullable-removed': 'request-type-narrowed',
  'enum-narrowed': 'request-enum-narrowed',
  'enum-widened': 'request-enum-widened',
  'constraint-tightened': 'request-constraint-tightened',
  'constraint-loosened': 'request-constraint-loosened',
  'constraint-changed': 'request-constraint-tightened',
  'schema-changed': 'request-schema-changed',
}

const RESPONSE: Record<FindingKind, ChangeCode> = {
  'required-field-added': 'response-property-added',
  'optional-field-added': 'response-property-added',
  'field-removed': 'response-property-removed',
  'field-became-required': 'response-required-added',
  'field-became-optional': 'response-required-removed',
  'type-narrowed': 'response-type-narrowed',
  'type-widened': 'response-type-changed',
  'type-changed': 'response-type-changed',
  'nullable-added': 'response-nullable-added',
  'nullable-removed': 'response-type-narrowed',
  'enum-narrowed': 'response-enum-narrowed',
  'enum-widened': 'response-enum-widened',
  'constraint-tightened': 'response-constraint-tightened',
  'constraint-loosened': 'response-constraint-loosened',
  'constraint-changed': 'response-constraint-loosened',
  'schema-changed': 'response-schema-changed',
}

/** Query parameters themselves appearing or going; their values are compared like body fields. */
const QUERY_PARAMETER: Partial<Record<FindingKind, ChangeCode>> = {
  'required-field-added': 'parameter-added-required',
  'optional-field-added': 'parameter-added-optional',
  'field-removed': 'query-parameter-removed',
}

/** Path parameters come and go with the path, which operations.ts reports once as path-changed. */
const PATH_PARAMETER_SET: ReadonlySet<FindingKind> = new Set(['required-field-added', 'optional-field-added', 'field-removed'])

/** The change code, or undefined when the finding is reported another way. */
export function classify(finding: SchemaFinding, role: SchemaRole): ChangeCode | undefined {
  const parameter = isParameter(finding.field, role)
  if (role === 'query' && parameter) return QUERY_PARAMETER[finding.kind] ?? REQUEST[finding.kind]
  if (role === 'path' && parameter && PATH_PARAMETER_SET.has(finding.kind)) return undefined
  return role === 'response' ? RESPONSE[finding.kind] : REQUEST[finding.kind]
}

/** `query.count` is a parameter; `query.filter.op` is a field inside one. */
function isParameter(field: string, role: SchemaRole): boolean {
  return field !== role && !/[.[]/.test(field.slice(role.length + 1))
}
