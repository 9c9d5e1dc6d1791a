/**
 * compareManifests(options) → the API changes and the generated-code changes between two versions
 * of a manifest. Each side is a manifest file, a git revision (the manifest read as it was in that
 * commit, includes and all), or the working tree. Both run through the pipeline up to the model and
 * are emitted in memory with one shared cache that never touches the disk.
 */
import { realpathSync } from 'node:fs'
import { posix } from 'node:path'
import { Cache } from '../cache/index.js'
import { compilerVersion } from '../cache/version.js'
import type { ReadSource } from '../diagnostics/code-frame.js'
import { diagnostic, hasErrors, type Diagnostic } from '../diagnostics/index.js'
import { emit, type EmittedFile } from '../emit/index.js'
import { createMemoryHost, createNodeHost, GitRevisionError, openGitRevision, type Host } from '../host/index.js'
import type { Model } from '../model/types.js'
import { runPipeline } from '../pipeline.js'
import type { ApiChange } from './changes.js'
import { diffGenerated, type GeneratedChange } from './generated.js'
import { diffModels } from './models.js'

export interface CompareOptions {
  /** A manifest path or a git revision. */
  readonly base: string
  /** A manifest path or a git revision; the manifest in the working tree when absent. */
  readonly head?: string
  /** The manifest a revision is read at, relative to `cwd` (default .fusio.yml). */
  readonly manifest?: string
  /** Where relative paths start and git is asked (default the process's working directory). */
  readonly cwd?: string
  /** Also emit both sides and compare the generated code (default true). */
  readonly generated?: boolean
}

export interface SideReport {
  /** `.fusio.yml at HEAD~1`, `old/.fusio.yml`, `.fusio.yml (working tree)`. */
  readonly label: string
  readonly diagnostics: readonly Diagnostic[]
  /** Reads the files the diagnostics name, as this side has them (for code frames). */
  readonly readSource?: ReadSource
}

export interface ManifestComparison {
  /** False when either side failed to load: then there are no changes to report. */
  readonly ok: boolean
  readonly base: SideReport
  readonly head: SideReport
  readonly changes: readonly ApiChange[]
  readonly generated: readonly GeneratedChange[]
  /** Milliseconds spent reading and modelling both sides, emitting them, and comparing. */
  readonly timings: { readonly model: number; readonly emit: number; readonly diff: number }
}

interface OpenedSide {
  readonly label: string
  readonly host?: Host
  readonly manifest: string
  readonly diagnostics: readonly Diagnostic[]
}

interface LoadedSide extends SideReport {
  readonly model?: Model
  readonly files?: readonly EmittedFile[]
}

export async function compareManifests(options: CompareOptions): Promise<ManifestComparison> {
  // git names files by real paths; a cwd reached through a symlink must agree with them.
  const cwd = realpathSync(options.cwd ?? process.cwd())
  const manifest = options.manifest ?? '.fusio.yml'
  const clock = stopwatch()
  let base = await loadSide(openSide(options.base, manifest, cwd))
  let head = await loadSide(openSide(options.head, manifest, cwd))
  const modelTime = clock()
  const failed = (): ManifestComparison => ({ ok: false, base: report(base), head: report(head), changes: [], generated: [], timings: { model: modelTime, emit: clock(), diff: 0 } })
  const baseModel = base.model
  const headModel = head.model
  if (!baseModel || !headModel) return failed()
  // Emit is a function of the model: equal models generate equal code, so there is nothing to emit.
  if (options.generated !== false && JSON.stringify(baseModel) !== JSON.stringify(headModel)) {
    // One cache for both sides: what did not change between them is computed once.
    const cache = new Cache(compilerVersion(), { host: createMemoryHost(), dir: '/emit-cache' })
    base = await emitSide(base, baseModel, cache)
    head = await emitSide(head, headModel, cache)
    if (!base.files || !head.files) return failed()
  }
  const emitTime = clock()
  const changes = diffModels(baseModel, headModel)
  const generated = base.files && head.files ? diffGenerated({ model: baseModel, files: base.files }, { model: headModel, files: head.files }) : []
  return { ok: true, base: report(base), head: report(head), changes, generated, timings: { model: modelTime, emit: emitTime, diff: clock() } }
}

function stopwatch(): () => number {
  let last = performance.now()
  return () => {
    const now = performance.now()
    const elapsed = Math.round(now - last)
    last = now
    return elapsed
  }
}

function report(side: LoadedSide): SideReport {
  return { label: side.label, diagnostics: side.diagnostics, ...(side.readSource ? { readSource: side.readSource } : {}) }
}

/** A path to an existing file is a manifest; anything else a git revision. */
function openSide(spec: string | undefined, manifest: string, cwd: string): OpenedSide {
  const files = createNodeHost()
  if (spec === undefined) return { label: `${manifest} (working tree)`, host: files, manifest: posix.resolve(cwd, manifest), diagnostics: [] }
  const path = posix.resolve(cwd, spec)
  if (files.fileExists(path)) return { label: spec, host: files, manifest: path, diagnostics: [] }
  const label = `${manifest} at ${spec}`
  try {
    return { label, host: openGitRevision(spec, cwd).host, manifest: posix.resolve(cwd, manifest), diagnostics: [] }
  } catch (error) {
    if (!(error instanceof GitRevisionError)) throw error
    return { label, manifest, diagnostics: [diagnostic('FUSIO_DIFF_UNKNOWN_REVISION', { ref: spec }, undefined, error.message)] }
  }
}

async function loadSide(side: OpenedSide): Promise<LoadedSide> {
  const host = side.host
  if (!host) return { label: side.label, diagnostics: side.diagnostics }
  const result = await runPipeline({ host, manifest: side.manifest, outDir: 'generated', distDir: 'dist', until: 'model' })
  const projectDir = posix.dirname(side.manifest)
  const readSource: ReadSource = (file) => host.readFile(posix.resolve(projectDir, file))
  return { label: side.label, diagnostics: result.diagnostics, readSource, ...(result.model ? { model: result.model } : {}) }
}

/** The side with its generated files, or with emit's errors and no files. */
async function emitSide(side: LoadedSide, model: Model, cache: Cache): Promise<LoadedSide> {
  const emitted = await emit(model, { outDir: 'generated', cache })
  const diagnostics = [...side.diagnostics, ...emitted.diagnostics]
  return hasErrors(diagnostics) || !emitted.value ? { ...side, diagnostics } : { ...side, diagnostics, files: emitted.value }
}
