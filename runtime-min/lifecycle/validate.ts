/**
 * validation and serialization: Fastify's own phases, handed the functions precompiled at build
 * time. A route schema is a `Precompiled` wrapper; Fastify passes non-plain objects through untouched,
 * so no schema is processed or compiled when the service starts. Giving Fastify these compiler
 * factories also keeps it from loading ajv and fast-json-stringify, which the bundle leaves out.
 */
import type { FastifyServerOptions } from 'fastify'
import type { SerializeFunction, ValidateFunction } from '../types.js'

export class Precompiled<Fn> {
  constructor(readonly fn: Fn) {}
}

const validatorCompiler = ({ schema }: { schema: unknown }) => (schema as Precompiled<ValidateFunction>).fn
const serializerCompiler = ({ schema }: { schema: unknown }) => (schema as Precompiled<SerializeFunction>).fn

export const precompiledSchemas = {
  compilersFactory: { buildValidator: () => validatorCompiler, buildSerializer: () => serializerCompiler },
} as unknown as NonNullable<FastifyServerOptions['schemaController']>
