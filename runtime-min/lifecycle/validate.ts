/**
 * validation and serialization: Fastify's own phases, handed the functions precompiled at build
 * time. A route schema is a `Precompiled` wrapper; Fastify passes non-plain objects through untouched,
 * so no schema is processed or compiled when the service starts.
 */
import type { FastifyInstance } from 'fastify'
import type { SerializeFunction, ValidateFunction } from '../types.js'

export class Precompiled<Fn> {
  constructor(readonly fn: Fn) {}
}

export function usePrecompiled(app: FastifyInstance): void {
  app.setValidatorCompiler(({ schema }) => (schema as unknown as Precompiled<ValidateFunction>).fn as never)
  app.setSerializerCompiler(({ schema }) => (schema as unknown as Precompiled<SerializeFunction>).fn)
}
