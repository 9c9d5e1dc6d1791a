/**
 * createBuilder(options) → the pipeline kept warm for fusio dev: one emit cache in memory, the files
 * generated/ holds (only changed ones are rewritten), one incremental esbuild context, one type-check
 * program. build(changed) runs load → … → bundle with the check deferred; check() then type-checks
 * handlers when something they read changed since the last check. watches(path) says whether a
 * changed file is an input of the build.
 */
import { dirname, isAbsolute, join, relative, sep } from 'node:path'
import { createChecker, type CheckResult } from '../check/index.js'
import type { Diagnostic } from '../diagnostics/index.js'
import type { EmittedFile } from '../emit/index.js'
import { createNodeHost } from '../host/index.js'
import type { Model } from '../model/types.js'
import { projectCache, runPipeline, type Stage } from '../pipeline.js'
import { createIncrementalBundler } from './bundler.js'

export interface BuilderOptions {
  /** Absolute path of the manifest. */
  readonly manifest: string
  /** Generated source and bundle folders, relative to the manifest's folder. */
  readonly outDir: string
  readonly distDir: string
}

export interface BuildOutcome {
  readonly ok: boolean
  readonly diagnostics: readonly Diagnostic[]
  readonly timings: Readonly<Partial<Record<Stage, number>>>
}

export interface Builder {
  readonly projectDir: string
  /** `changed`: the files (absolute) that changed since the last build. */
  build(changed: readonly string[]): Promise<BuildOutcome>
  /** Type-checks the handlers of the last successful build, unless nothing the check reads changed since it last ran. */
  check(): Promise<CheckResult | undefined>
  /** Whether a change to this file (absolute) can change the build. */
  watches(path: string): boolean
  /** Inputs outside the project folder (an include of ../shared.yml), which a watcher of the folder misses. */
  outsideInputs(): readonly string[]
  /** What dist/ holds: changes when a build rewrote part of the bundle. */
  fingerprint(): string
  /** Keeps the emit cache in .fusio/emit-cache/ for the next session. */
  flush(): void
  dispose(): Promise<void>
}

export function createBuilder(options: BuilderOptions): Builder {
  const host = createNodeHost()
  const projectDir = dirname(options.manifest)
  const generatedDir = join(projectDir, options.outDir)
  const cache = projectCache(host, projectDir)
  const bundler = createIncrementalBundler()
  const checker = createChecker()
  let files: readonly EmittedFile[] | undefined
  let loaded: ReadonlySet<string> | undefined
  let bundled: ReadonlySet<string> = new Set()
  let model: Model | undefined
  let checked = false
  /** Files changed since the last check, among them generated ones: the checker reads these again. */
  const unchecked = new Set<string>()
  // The project's own sources: not what fusio generates, not installed packages.
  const ownSource = (path: string) => within(projectDir, path) && !within(generatedDir, path) && !path.split(sep).includes('node_modules')
  return {
    projectDir,
    async build(changed) {
      const result = await runPipeline({ host, manifest: options.manifest, outDir: options.outDir, distDir: options.distDir, until: 'bundle', cache, bundler, deferCheck: true, ...(files ? { previousFiles: files } : {}) })
      const before = new Map(files?.map((file) => [file.path, file.contents]))
      const regenerated = (result.files ?? []).filter((file) => before.get(file.path) !== file.contents).map((file) => join(generatedDir, file.path))
      files = result.files ?? files
      for (const path of [...changed, ...regenerated]) unchecked.add(path)
      // What load read, and what esbuild read of the project's sources: handlers and the modules they import.
      if (result.inputs) loaded = new Set(result.inputs.map((path) => join(projectDir, path)))
      if (result.bundle) bundled = new Set(bundler.inputs().filter(ownSource))
      if (result.ok) model = result.model
      return { ok: result.ok, diagnostics: result.diagnostics, timings: result.timings }
    },
    async check() {
      if (!model) return undefined
      const changed = [...unchecked]
      unchecked.clear()
      // A file the check never read is read fresh when it first imports it.
      if (checked && !changed.some((path) => checker.reads(path))) return undefined
      checked = true
      return checker.check({ projectDir, generatedDir, model }, changed)
    },
    watches: (path) => loaded === undefined || loaded.has(path) || bundled.has(path) || (ownSource(path) && checker.reads(path)),
    outsideInputs: () => [...(loaded ?? [])].filter((path) => !within(projectDir, path)),
    fingerprint: () => bundler.fingerprint(),
    flush: () => cache.flush(),
    dispose: () => bundler.dispose(),
  }
}

function within(dir: string, path: string): boolean {
  const rest = relative(dir, path)
  return rest !== '' && !rest.startsWith('..') && !isAbsolute(rest)
}
