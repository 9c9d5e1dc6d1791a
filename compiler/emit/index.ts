/**
 * emit(model, options) → the generated source tree as files (never written here): types.ts,
 * validators.js/.d.ts, serializers.js/.d.ts, routes.ts, actions.ts, service.ts, server.ts and
 * openapi.json. Every file starts with the banner and is formatted; the same model gives the same bytes,
 * whatever the cache holds (it only spares recomputing what an earlier build computed).
 */
import type { Cache } from '../cache/index.js'
import { hasErrors, type Diagnostic, type StageResult } from '../diagnostics/index.js'
import type { Model } from '../model/types.js'
import { readPackageFile } from '../package-root.js'
import { emitOpenApi } from './openapi/index.js'
import { emitRoutes } from './routes/index.js'
import { emitSerializers } from './serializers/index.js'
import { banner, type EmittedFile } from './shared.js'
import { emitTypes } from './types/index.js'
import { emitValidators } from './validators/index.js'

export type { EmittedFile } from './shared.js'
export { buildOpenApi } from './openapi/index.js'

export interface EmitOptions {
  /** The output folder relative to the project folder (default `generated`). */
  readonly outDir: string
  readonly cache: Cache
}

export async function emit(model: Model, options: EmitOptions): Promise<StageResult<readonly EmittedFile[]>> {
  const diagnostics: Diagnostic[] = []
  const [types, validators, serializers, routes] = await Promise.all([
    emitTypes(model, options.cache),
    emitValidators(model, options.cache),
    emitSerializers(model, options.cache),
    emitRoutes(model, options, options.cache),
  ])
  diagnostics.push(...types.diagnostics, ...validators.diagnostics, ...serializers.diagnostics)
  const server = readPackageFile('templates/server.ts').replace('// {{banner}}', banner(model))
  const files = [...types.files, ...validators.files, ...serializers.files, ...routes, { path: 'server.ts', contents: server }, ...emitOpenApi(model)]
  files.sort((a, b) => (a.path < b.path ? -1 : 1))
  return hasErrors(diagnostics) ? { diagnostics } : { value: files, diagnostics }
}
