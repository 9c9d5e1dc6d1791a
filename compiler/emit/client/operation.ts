/**
 * One operation as the client sees it: the type of its argument (`{ path parameters…, query?, body? }`,
 * each part required when the service requires it), the type of its success body, and the method
 * that sends it, with JSDoc saying what it does, where it goes and which token it needs.
 */
import type { Json } from '../../../runtime-min/types.js'
import { diagnostic, type Diagnostic } from '../../diagnostics/index.js'
import type { Model, OperationModel, PathParameter, ResponseModel } from '../../model/types.js'
import { schemaOf } from '../shared.js'

/** Members of the argument besides the path parameters. */
const ARGUMENT_MEMBERS = ['query', 'body']

/** What an operation of an `async: true` action answers (202) instead of its own success body. */
const QUEUED_TYPE = '{ success: boolean; message: string; id?: string }'

/** A path parameter named like another member of the argument has no place in it. */
export function argumentConflicts(op: OperationModel): Diagnostic[] {
  return op.pathParameters
    .filter((p) => ARGUMENT_MEMBERS.includes(p.name))
    .map((p) => diagnostic('FUSIO_EMIT_CLIENT_NAME', { operation: op.id, problem: `its path parameter "${p.name}" has the name of the argument's ${p.name} member` }, op.location))
}

/** The argument needs passing when a path parameter, a required query parameter or a body is needed. */
function argumentRequired(op: OperationModel): boolean {
  return op.params !== undefined || queryRequired(op) || op.body?.kind === 'schema'
}

/** `<Stem>Request` (the argument) and `<Stem>Response` (the success body) for types.ts. */
export function operationTypes(model: Model, op: OperationModel, queued: boolean): string[] {
  const members = [
    ...(op.query ? [`query${queryRequired(op) ? '' : '?'}: ${op.typeName}Query`] : []),
    ...(op.body ? [op.body.kind === 'schema' ? `body: ${schemaOf(model, op.body.key).typeName}` : 'body?: unknown'] : []),
  ]
  const parts = [...(op.params ? [`${op.typeName}Params`] : []), ...(members.length > 0 ? [`{ ${members.join('; ')} }`] : [])]
  const successes = successResponses(op).map((r) => (r.schema.kind === 'schema' ? schemaOf(model, r.schema.key).typeName : 'unknown'))
  const response = queued ? QUEUED_TYPE : [...new Set(successes)].join(' | ') || 'unknown'
  return [
    `/** The argument of ${op.id}: ${op.method} ${displayPath(op)} */\nexport type ${op.typeName}Request = ${parts.join(' & ') || 'Record<string, never>'}\n`,
    `/** What ${op.id} answers ${queued ? '(202: queued)' : `(${successStatuses(op)})`} */\nexport type ${op.typeName}Response = ${response}\n`,
  ]
}

/** `name: (args, init?) => send(…)` with its JSDoc, a member of the object createClient returns. */
export function methodSource(name: string, op: OperationModel, queued: boolean): string {
  const argument = `args: T.${op.typeName}Request${argumentRequired(op) ? '' : ' = {}'}`
  const operation = `{ id: ${quote(op.id)}, method: ${quote(op.method)}, path: ${quote(clientPath(op))}${op.body ? ', body: true' : ''} }`
  return `${methodDoc(op, queued)}\n${propertyName(name)}: (${argument}, init?: RequestOptions) => send<T.${op.typeName}Response>(${operation}, args, init)`
}

/** An object literal key: bare when it is an identifier, quoted otherwise. */
export function propertyName(name: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(name) ? name : quote(name)
}

function quote(text: string): string {
  return JSON.stringify(text)
}

function queryRequired(op: OperationModel): boolean {
  const required = typeof op.query === 'object' ? (op.query.required as Json[] | undefined) : undefined
  return (required?.length ?? 0) > 0
}

/** The responses the manifest declares for 2xx: an action may answer another status than the httpCode (SQL inserts: 201). */
function successResponses(op: OperationModel): readonly ResponseModel[] {
  return op.responses.filter((r) => r.status >= 200 && r.status < 300)
}

function successStatuses(op: OperationModel): string {
  const statuses = successResponses(op).map((r) => r.status)
  return (statuses.length > 0 ? statuses : [op.httpCode]).join(' or ')
}

/**
 * The segments of the first URL the operation answers on (the versioned one of a legacy route), each
 * as `{ text, parameter }`: `:id(^[0-9]+$)` is the parameter id with the pattern `[0-9]+`, `*` the rest.
 */
function urlSegments(op: OperationModel): { readonly text: string; readonly parameter?: PathParameter }[] {
  return op.urls[0].split('/').map((text) => {
    const name = text === '*' ? op.pathParameters.find((p) => p.rest)?.name : /^:([A-Za-z_][A-Za-z0-9_]*)/.exec(text)?.[1]
    const parameter = op.pathParameters.find((p) => p.name === name)
    return parameter ? { text, parameter } : { text }
  })
}

/** The path the client sends to: `/todo/:id`, `/files/*rest`. */
function clientPath(op: OperationModel): string {
  return urlSegments(op)
    .map(({ text, parameter: p }) => (p ? `${p.rest ? '*' : ':'}${p.name}` : text))
    .join('/')
}

/** The same path in Fusio's syntax, patterns included: `/todo/$id<[0-9]+>`. */
function displayPath(op: OperationModel): string {
  return urlSegments(op)
    .map(({ text, parameter: p }) => (!p ? text : p.rest ? `*${p.name}` : p.pattern ? `$${p.name}<${p.pattern}>` : `:${p.name}`))
    .join('/')
}

function methodDoc(op: OperationModel, queued: boolean): string {
  const access = op.public ? 'public' : op.scopes.length > 0 ? `needs a token with the scope ${op.scopes.map((s) => `\`${s}\``).join(' and ')}` : 'needs a token'
  // A legacy status becomes a Warning header value, `199 fusio "Resource is deprecated"`: its text is what matters here.
  const warning = op.warning ? (/"(.*)"/.exec(op.warning)?.[1] ?? op.warning) : undefined
  const lines = [
    ...(op.description ? [...op.description.trim().split('\n'), ''] : []),
    `\`${op.method} ${displayPath(op)}\` (${op.id}), ${access}.`,
    queued ? 'Queued: the service answers 202 with the job id and runs the action later.' : `Answers ${successStatuses(op)}.`,
    ...(op.stability === 'experimental' ? ['Experimental: it may still change.'] : []),
    ...(warning ? [`The service warns: ${warning}.`] : []),
    ...(!op.active
      ? ['@deprecated The operation is closed: the service answers 410 Gone.']
      : op.stability === 'deprecated' || warning?.includes('deprecated')
        ? ['@deprecated']
        : []),
    '@throws {FusioApiError} for any answer outside 2xx, with the problem the service sent',
  ]
  return `/**\n${lines.map((line) => ` *${line === '' ? '' : ` ${line.replace(/\*\//g, '*\\/')}`}`).join('\n')}\n */`
}
