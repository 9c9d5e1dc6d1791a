/**
 * startDev(options) → fusio dev's loop: build, start the service, then watch the project; after each
 * burst of changes rebuild in the same process (everything kept warm, see builder.ts) and, when the
 * bundle changed, stop the service (SIGTERM, it drains) and start the new one. A failed build leaves
 * the running service alone; a crashed service starts again on the next change. Every outcome is an
 * event for `report`; nothing here throws once started. stop() ends watcher, esbuild and service.
 */
import { join, relative } from 'node:path'
import type { Writable } from 'node:stream'
import { hasErrors } from '../diagnostics/index.js'
import { createBuilder } from './builder.js'
import type { DevEvent, ServiceOutcome } from './report.js'
import { createScheduler } from './scheduler.js'
import { startService, type RunningService } from './service.js'
import { watchProject } from './watch.js'

export type { DevEvent } from './report.js'
export { renderJson, renderText } from './report.js'

export interface DevOptions {
  /** Absolute path of the manifest. */
  readonly manifest: string
  /** Generated source and bundle folders, relative to the manifest's folder. */
  readonly outDir: string
  readonly distDir: string
  /** Where the service listens. */
  readonly host: string
  readonly port: number
  /** The service's environment (PORT and HOST are set from the two above). */
  readonly env: NodeJS.ProcessEnv
  readonly report: (event: DevEvent) => void
  /** Where the service's own output goes. */
  readonly serviceOutput: Writable
}

export interface DevSession {
  stop(): Promise<void>
}

/** An editor's save arrives as a few events within milliseconds: a build starts once this much time passed without one. */
const QUIET_MS = 25

export function startDev(options: DevOptions): DevSession {
  const builder = createBuilder(options)
  const projectDir = builder.projectDir
  let service: RunningService | undefined
  /** The fingerprint of the bundle the running service was started from. */
  let serving: string | undefined
  let lastBuildOk = false
  let checkFailing = false
  let stopping = false

  const restart = async (fingerprint: string): Promise<ServiceOutcome> => {
    const began = performance.now()
    await service?.stop()
    service = undefined
    const started = await startService({
      entry: join(projectDir, options.distDir, 'server.mjs'),
      env: options.env,
      host: options.host,
      port: options.port,
      output: options.serviceOutput,
      onExit: (exit) => {
        service = undefined
        // Ctrl-C reaches the service too: its exit then is no crash.
        if (!stopping) options.report({ kind: 'crashed', exit })
      },
    })
    if (!started.ok) return { failed: started }
    service = started.service
    serving = fingerprint
    return { restarted: { ms: performance.now() - began, url: service.url, pid: service.pid } }
  }

  const cycle = async (paths: readonly string[]) => {
    try {
      const changed = paths.map((path) => relative(projectDir, path))
      const began = performance.now()
      const build = await builder.build(paths)
      const ms = performance.now() - began
      lastBuildOk = build.ok
      watcher.add(builder.outsideInputs())
      if (!build.ok) {
        options.report({ kind: 'build-failed', changed, ms, timings: build.timings, diagnostics: build.diagnostics, serving: service !== undefined })
        return
      }
      if (stopping) return
      const fingerprint = builder.fingerprint()
      const outcome: ServiceOutcome = service && serving === fingerprint ? { kept: true } : await restart(fingerprint)
      options.report({ kind: 'built', changed, ms, timings: build.timings, diagnostics: build.diagnostics, service: outcome })
      // Off the path to a served answer: the cache on disk, then the type check.
      builder.flush()
      const checkBegan = performance.now()
      const checked = await builder.check()
      if (!checked) return
      options.report({ kind: 'checked', ms: performance.now() - checkBegan, checked: checked.value?.checked ?? 0, diagnostics: checked.diagnostics, wasFailing: checkFailing })
      checkFailing = hasErrors(checked.diagnostics)
    } catch (error) {
      options.report({ kind: 'failure', message: error instanceof Error ? (error.stack ?? error.message) : String(error) })
    }
  }

  const scheduler = createScheduler(cycle, QUIET_MS)
  const watcher = watchProject({
    projectDir,
    skippedDirs: [options.outDir, options.distDir],
    onChange: (path) => {
      // After a failed build any change may be the fix (a file created that the manifest names).
      if (!lastBuildOk || builder.watches(path)) scheduler.notify(path)
    },
    onError: (error) => options.report({ kind: 'failure', message: `watching ${projectDir}: ${error instanceof Error ? error.message : String(error)}` }),
  })
  scheduler.kick()

  return {
    async stop() {
      stopping = true
      await watcher.close()
      await scheduler.close()
      await service?.stop()
      service = undefined
      await builder.dispose()
    },
  }
}
