// Stands in for Fastify's schema compilers in the bundle: every schema is compiled at build time
// (validate.ts hands Fastify the precompiled functions), so ajv and fast-json-stringify stay out.
module.exports = function schemaCompilerAbsent() {
  throw new Error('schemas are compiled by `fusio build`; this service has no schema compiler')
}
