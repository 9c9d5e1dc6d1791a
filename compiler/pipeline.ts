/**
 * Runs the stages in order (load → resolve → model → emit → check → bundle), times each one, and
 * stops after the first stage that reported an error, keeping every diagnostic found so far.
 * A run that writes keeps what emit computed in the project's .fusio/emit-cache/ for the next run.
 */
import { posix } from 'node:path'
import { Cache } from './cache/index.js'
import { compilerVersion } from './cache/version.js'
import { hasErrors, sortDiagnostics, type Diagnostic } from './diagnostics/index.js'
import { bundle, type Bundler, type BundleResult } from './bundle/index.js'
import { check } from './check/index.js'
import { emit, type EmittedFile } from './emit/index.js'
import type { Host } from './host/index.js'
import { load } from './load/index.js'
import { buildModel, type Model } from './model/index.js'
import { resolve } from './resolve/index.js'

const RECOVERABLE = new Set<string>(['FUSIO_LOAD_REFERENCED_FILE', 'FUSIO_LOAD_PLACEHOLDER_SYNTAX', 'FUSIO_LOAD_PLACEHOLDER_CATEGORY', 'FUSIO_LOAD_PLACEHOLDER_DIR'])

/** The emit cache, relative to the project folder; .fusio/cache is the service's own `${dir.cache}`. */
const CACHE_DIR = '.fusio/emit-cache'

export type Stage = 'load' | 'resolve' | 'model' | 'emit' | 'write' | 'check' | 'bundle'

export interface PipelineOptions {
  readonly host: Host
  /** Path of the manifest (absolute, or relative to the working directory). */
  readonly manifest: string
  /** Generated source folder, relative to the project folder. */
  readonly outDir: string
  /** Bundle folder, relative to the project folder. */
  readonly distDir: string
  /** Last stage to run. */
  readonly until: 'model' | 'emit' | 'write' | 'bundle'
  readonly minify?: boolean
  /** Kept by a caller that builds again and again (fusio dev): the emit cache in memory, flushed by that caller. */
  readonly cache?: Cache
  /** generated/ as the previous run left it: only files whose bytes changed are written again. */
  readonly previousFiles?: readonly EmittedFile[]
  /** Runs esbuild; by default a fresh build into an emptied dist/. */
  readonly bundler?: Bundler
  /** Leaves type-checking handlers to the caller, after the bundle (fusio dev restarts first). */
  readonly deferCheck?: boolean
  /** Told when each stage starts and ends (with its time in ms), for progress output. */
  readonly onStage?: (stage: Stage, event: 'start' | 'end', ms?: number) => void
}

export interface PipelineResult {
  readonly ok: boolean
  readonly diagnostics: readonly Diagnostic[]
  readonly timings: Readonly<Partial<Record<Stage, number>>>
  readonly projectDir?: string
  readonly model?: Model
  readonly files?: readonly EmittedFile[]
  readonly bundle?: BundleResult
  /** Files the manifest depends on, relative to the project folder. */
  readonly inputs?: readonly string[]
}

export async function runPipeline(options: PipelineOptions): Promise<PipelineResult> {
  const diagnostics: Diagnostic[] = []
  const timings: Partial<Record<Stage, number>> = {}
  const timed = async <T>(stage: Stage, work: () => T | Promise<T>): Promise<T> => {
    options.onStage?.(stage, 'start')
    const start = performance.now()
    try {
      return await work()
    } finally {
      timings[stage] = Math.round((performance.now() - start) * 10) / 10
      options.onStage?.(stage, 'end', timings[stage])
    }
  }
  const done = (extra: Partial<PipelineResult> = {}): PipelineResult => ({
    ok: !hasErrors(diagnostics),
    diagnostics: sortDiagnostics(diagnostics),
    timings,
    ...extra,
  })

  const loaded = await timed('load', () => load(options.host, options.manifest))
  diagnostics.push(...loaded.diagnostics)
  // A missing referenced file or a bad placeholder leaves the tree whole: resolve still reports the rest.
  const fatal = loaded.diagnostics.some((d) => d.severity === 'error' && !RECOVERABLE.has(d.code))
  if (!loaded.value || fatal) return done()
  const projectDir = loaded.value.projectDir
  const inputs = loaded.value.files
  const resolved = await timed('resolve', () => resolve(loaded.value!))
  diagnostics.push(...resolved.diagnostics)
  if (!resolved.value || hasErrors(diagnostics)) return done({ projectDir, inputs })
  const model = (await timed('model', () => buildModel(resolved.value!))).value!
  if (options.until === 'model') return done({ projectDir, inputs, model })

  const cache = options.cache ?? projectCache(options.host, projectDir)
  const emitted = await timed('emit', () => emit(model, { outDir: options.outDir, cache }))
  diagnostics.push(...emitted.diagnostics)
  if (!emitted.value || hasErrors(diagnostics)) return done({ projectDir, inputs, model })
  const files = emitted.value
  if (options.until === 'emit') return done({ projectDir, inputs, model, files })

  const generatedDir = posix.join(projectDir, options.outDir)
  await timed('write', () => {
    writeGenerated(options.host, generatedDir, files, options.previousFiles)
    if (!options.cache) cache.flush()
  })
  if (options.until === 'write') return done({ projectDir, inputs, model, files })

  if (!options.deferCheck) {
    const checked = await timed('check', () => check({ projectDir, generatedDir, model }))
    diagnostics.push(...checked.diagnostics)
    if (hasErrors(diagnostics)) return done({ projectDir, inputs, model, files })
  }
  const openapi = files.find((f) => f.path === 'openapi.json')!.contents
  const bundled = await timed('bundle', () =>
    bundle({
      projectDir,
      generatedDir,
      distDir: posix.join(projectDir, options.distDir),
      serviceName: model.service.title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'fusio-service',
      openapi,
      ...(model.service.docs !== false ? { docs: true } : {}),
      ...(model.product?.portal ? { portal: true } : {}),
      ...(options.minify ? { minify: true } : {}),
      ...(options.bundler ? { bundler: options.bundler } : {}),
    }),
  )
  diagnostics.push(...bundled.diagnostics)
  return done({ projectDir, inputs, model, files, ...(bundled.value ? { bundle: bundled.value } : {}) })
}

/** The project's emit cache (.fusio/emit-cache/), keyed by this compiler's version. */
export function projectCache(host: Host, projectDir: string): Cache {
  return new Cache(compilerVersion(), { host, dir: posix.join(projectDir, CACHE_DIR) })
}

/**
 * generated/ afresh; or, against what the previous run wrote, only the files whose bytes changed, so
 * their mtimes (and esbuild's and tsc's reuse) stay; a file that vanished means writing afresh.
 */
function writeGenerated(host: Host, dir: string, files: readonly EmittedFile[], previous: readonly EmittedFile[] | undefined): void {
  const before = new Map(previous?.map((file) => [file.path, file.contents]))
  const paths = new Set(files.map((file) => file.path))
  const fresh = !previous || previous.some((file) => !paths.has(file.path))
  if (fresh) host.removeDir(dir)
  for (const file of files) if (fresh || before.get(file.path) !== file.contents) host.writeFile(posix.join(dir, file.path), file.contents)
}
