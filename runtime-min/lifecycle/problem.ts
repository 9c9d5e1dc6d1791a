/**
 * setErrorHandler / setNotFoundHandler: every error becomes RFC 9457 application/problem+json with
 * Fusio's `success: false` and `message`. Validation errors name each failing field; errors of the
 * service itself are logged and answered without their internals. A URL no route has is a 404, or,
 * when an operation has it with other methods, a 405 with `Allow` (204 to OPTIONS).
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { ERRORS, FusioError, problemType, type ErrorCode, type FieldError } from '../errors.js'
import type { ValidationIssue } from '../types.js'
import type { AllowTable } from './allow.js'

const PART: Record<string, { code: ErrorCode; in: FieldError['in'] }> = {
  body: { code: 'FUSIO_ERR_VALIDATION_BODY', in: 'body' },
  querystring: { code: 'FUSIO_ERR_VALIDATION_QUERY', in: 'query' },
  params: { code: 'FUSIO_ERR_VALIDATION_PARAMS', in: 'path' },
}

/** One ajv issue → the field it is about, as a dotted path, and a message a client can show. */
export function fieldError(issue: ValidationIssue, where: FieldError['in']): FieldError {
  let pointer = issue.instancePath
  let message = issue.message ?? 'is invalid'
  if (issue.keyword === 'required') {
    pointer = `${pointer}/${String(issue.params.missingProperty)}`
    message = 'is required'
  } else if (issue.keyword === 'additionalProperties') {
    pointer = `${pointer}/${String(issue.params.additionalProperty)}`
    message = 'is not allowed'
  } else if (issue.keyword === 'enum') {
    message = `must be one of ${(issue.params.allowedValues as unknown[]).map(String).join(', ')}`
  }
  const field = pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.')
  return { in: where, field, pointer, message }
}

export function toProblem(error: FastifyError | FusioError | Error): FusioError {
  if (error instanceof FusioError) return error
  const fastifyError = error as FastifyError
  if (fastifyError.validation && fastifyError.validationContext) {
    const part = PART[fastifyError.validationContext] ?? PART.body
    const errors = fastifyError.validation.map((issue) => fieldError(issue as ValidationIssue, part.in))
    const detail = errors.map((e) => `${e.in}${e.field ? `.${e.field}` : ''} ${e.message}`).join('; ')
    return new FusioError(part.code, detail, { errors })
  }
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new FusioError('FUSIO_ERR_MEDIA_TYPE', 'send the body as application/json', { cause: error })
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new FusioError('FUSIO_ERR_BODY_TOO_LARGE', 'the body is larger than the service accepts', { cause: error })
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new FusioError('FUSIO_ERR_BODY_MALFORMED', 'the body is not valid JSON', { cause: error })
  }
  // Only the body parser's own errors (status 400): a JSON.parse failing inside an action is the service's fault.
  if (fastifyError.statusCode === 400 && (error instanceof SyntaxError || /JSON/i.test(error.message))) {
    return new FusioError('FUSIO_ERR_BODY_MALFORMED', 'the body is not valid JSON', { cause: error })
  }
  return new FusioError('FUSIO_ERR_INTERNAL', 'the service could not answer this request', { cause: error })
}

export function sendProblem(request: FastifyRequest, reply: FastifyReply, problem: FusioError): FastifyReply {
  if (problem.headers) reply.headers(problem.headers)
  const body = {
    type: problemType(problem.code),
    title: ERRORS[problem.code].title,
    status: problem.status,
    detail: problem.message,
    instance: request.url,
    code: problem.code,
    requestId: request.id,
    success: false,
    message: problem.message,
    ...(problem.errors ? { errors: problem.errors } : {}),
  }
  // A string payload skips the route's response serializers, which describe success bodies.
  return reply.code(problem.status).type('application/problem+json; charset=utf-8').send(JSON.stringify(body))
}

export const problemPlugin = fp(
  async (app: FastifyInstance, options: { allow?: AllowTable }) => {
    app.setErrorHandler((error: FastifyError, request, reply) => {
      const problem = toProblem(error)
      if (problem.status >= 500) request.log.error({ err: error, code: problem.code }, 'request failed')
      else request.log.debug({ code: problem.code, detail: problem.message }, 'request rejected')
      return sendProblem(request, reply, problem)
    })
    app.setNotFoundHandler((request, reply) => {
      const allow = options.allow?.allow(request.url)
      if (allow === undefined) return sendProblem(request, reply, new FusioError('FUSIO_ERR_ROUTE_NOT_FOUND', `no operation answers ${request.method} ${request.url.split('?')[0]}`))
      reply.header('allow', allow)
      if (request.method === 'OPTIONS') return reply.code(204).send()
      return sendProblem(request, reply, new FusioError('FUSIO_ERR_ROUTE_METHOD_NOT_ALLOWED', `${request.method} is not allowed here; use ${allow}`))
    })
  },
  { name: 'fusio-problem' },
)
