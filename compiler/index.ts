/**
 * The compiler's public API. `build()` turns a manifest into generated/ and dist/; `generate()` stops
 * after writing generated/; `validate()` after the model. Each returns every diagnostic of the run.
 *
 * @example
 * const result = await build({ manifest: 'my-api/.fusio.yml' })
 * if (!result.ok) console.error(renderDiagnostics(result.diagnostics))
 */
import { createNodeHost, type Host } from './host/index.js'
import { runPipeline, type PipelineOptions, type PipelineResult } from './pipeline.js'

export type { PipelineResult, Stage } from './pipeline.js'
export type { Diagnostic } from './diagnostics/index.js'
export { renderDiagnostics, summarize } from './diagnostics/render.js'
/** `fusio diff`: the API changes between two versions of a manifest (files, git revisions, the working tree). */
export { compareManifests, diffModels, type ApiChange, type CompareOptions, type ManifestComparison } from './diff/index.js'

export interface CompileOptions {
  /** The manifest (default ./.fusio.yml). */
  readonly manifest?: string
  /** Generated source folder relative to the manifest's folder (default generated). */
  readonly outDir?: string
  /** Bundle folder relative to the manifest's folder (default dist). */
  readonly distDir?: string
  readonly minify?: boolean
  readonly host?: Host
  /** Told when each stage starts and ends, e.g. for a progress line. */
  readonly onStage?: PipelineOptions['onStage']
}

function pipelineOptions(options: CompileOptions, until: 'model' | 'emit' | 'write' | 'bundle') {
  return {
    host: options.host ?? createNodeHost(),
    manifest: options.manifest ?? '.fusio.yml',
    outDir: normalizeDir(options.outDir ?? 'generated'),
    distDir: normalizeDir(options.distDir ?? 'dist'),
    until,
    ...(options.minify ? { minify: true } : {}),
    ...(options.onStage ? { onStage: options.onStage } : {}),
  }
}

function normalizeDir(dir: string): string {
  return dir.replace(/\\/g, '/').replace(/^\.\//, '').replace(/\/$/, '') || '.'
}

export function validate(options: CompileOptions = {}): Promise<PipelineResult> {
  return runPipeline(pipelineOptions(options, 'model'))
}

/** Emits without writing (for snapshot tests and `fusio openapi`). */
export function emitOnly(options: CompileOptions = {}): Promise<PipelineResult> {
  return runPipeline(pipelineOptions(options, 'emit'))
}

export function generate(options: CompileOptions = {}): Promise<PipelineResult> {
  return runPipeline(pipelineOptions(options, 'write'))
}

export function build(options: CompileOptions = {}): Promise<PipelineResult> {
  return runPipeline(pipelineOptions(options, 'bundle'))
}
