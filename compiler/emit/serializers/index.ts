/**
 * emitSerializers(model) → serializers.js (+ .d.ts): fast-json-stringify standalone code for each
 * response schema, compiled now so the service never compiles one at start-up. Passthru and boolean
 * schemas get no serializer: the runtime falls back to JSON.stringify for them.
 */
import fastJsonStringify from 'fast-json-stringify'
import { diagnostic, type Diagnostic } from '../../diagnostics/index.js'
import type { Model } from '../../model/types.js'
import { banner, formatCode, ImportHoister, RUNTIME_MODULE, selfContained, type EmittedFile } from '../shared.js'

/** One serializer per response schema, named after the schema's type. */
export function serializerName(model: Model, key: string): string | undefined {
  const schema = model.schemas.find((s) => s.key === key)
  if (!schema || typeof schema.document === 'boolean') return undefined
  return `serialize${schema.typeName}`
}

export async function emitSerializers(model: Model): Promise<{ files: EmittedFile[]; diagnostics: Diagnostic[] }> {
  const diagnostics: Diagnostic[] = []
  const keys = new Set<string>()
  for (const op of model.operations) for (const r of op.responses) if (r.schema.kind === 'schema') keys.add(r.schema.key)
  const hoister = new ImportHoister()
  const chunks: string[] = []
  const names: string[] = []
  for (const key of [...keys].sort()) {
    const name = serializerName(model, key)
    if (!name) continue
    try {
      const code = fastJsonStringify(selfContained(model, key) as object, { mode: 'standalone' }) as unknown as string
      const body = hoister.rewrite(code).replace(/^\s*'use strict'/, '').replace('module.exports =', 'return')
      chunks.push(`// ${name}: schema ${key}\nexport const ${name} = (() => {\n${body}\n})()`)
      names.push(name)
    } catch (error) {
      diagnostics.push(diagnostic('FUSIO_EMIT_SCHEMA', { what: 'a serializer', name: key, problem: (error as Error).message }))
    }
  }
  const js = await formatCode(`${banner(model)}\n${hoister.declarations()}\n\n${chunks.join('\n\n')}\n`, 'babel')
  const dts = await formatCode(
    `${banner(model)}\nimport type { SerializeFunction } from '${RUNTIME_MODULE}'\n\n${names.map((n) => `export declare const ${n}: SerializeFunction`).join('\n')}\n`,
    'typescript',
  )
  return { files: [{ path: 'serializers.js', contents: js }, { path: 'serializers.d.ts', contents: dts }], diagnostics }
}
