/**
 * emitSerializers(model) → serializers.js (+ .d.ts): fast-json-stringify standalone code for each
 * response schema, compiled now so the service never compiles one at start-up. Passthru and boolean
 * schemas get no serializer: the runtime falls back to JSON.stringify for them. One function per
 * distinct schema: a schema equal to one serialized before is exported as another name for it.
 */
import type { Cache } from '../../cache/index.js'
import { diagnostic, type Diagnostic } from '../../diagnostics/index.js'
import type { Model } from '../../model/types.js'
import { schemaOf, selfContained, sourceOf, StandaloneModule, type EmittedFile } from '../shared.js'

/** One serializer per response schema, named after the schema's type. */
export function serializerName(model: Model, key: string): string | undefined {
  const schema = schemaOf(model, key)
  if (typeof schema.document === 'boolean') return undefined
  return `serialize${schema.typeName}`
}

export async function emitSerializers(model: Model, cache: Cache): Promise<{ files: EmittedFile[]; diagnostics: Diagnostic[] }> {
  const diagnostics: Diagnostic[] = []
  const keys = new Set<string>()
  for (const op of model.operations) for (const r of op.responses) if (r.schema.kind === 'schema') keys.add(r.schema.key)
  const module = new StandaloneModule('serializers', 'SerializeFunction')
  // The first serializer of each self-contained schema, by its JSON: an equal schema gets its name as an alias.
  const first = new Map<string, string>()
  for (const key of [...keys].sort()) {
    const name = serializerName(model, key)
    if (!name) continue
    const comment = `schema ${key} (${sourceOf(schemaOf(model, key).location)})`
    const schema = JSON.stringify(selfContained(model, key))
    const target = first.get(schema)
    if (target) {
      module.alias(name, `${comment}, the same schema as ${target}`, target)
      continue
    }
    try {
      // A serializer depends on its schema alone (with the definitions it reaches): cached per schema.
      const code = await cache.memo('fast-json-stringify', schema, () => compile(JSON.parse(schema) as object))
      module.add(name, comment, code.replace(/^\s*'use strict'/, '').replace('module.exports =', 'return'))
      first.set(schema, name)
    } catch (error) {
      diagnostics.push(diagnostic('FUSIO_EMIT_SCHEMA', { what: 'a serializer', name: key, problem: (error as Error).message }))
    }
  }
  return { files: await module.render(model, cache), diagnostics }
}

async function compile(schema: object): Promise<string> {
  // Loaded on a miss only: a build whose serializers are cached never imports fast-json-stringify.
  const { default: fastJsonStringify } = await import('fast-json-stringify')
  return fastJsonStringify(schema, { mode: 'standalone' }) as unknown as string
}
