/**
 * What fusio dev tells: one event per build, restart, type check or failure, rendered as one line
 * for a person (a failed build's diagnostics above it) or as JSON lines for tools (renderJson). Pure:
 * the caller writes the text.
 */
import { hasErrors, type Diagnostic } from '../diagnostics/index.js'
import { paint } from '../diagnostics/paint.js'
import { renderDiagnostics, summarize, type RenderOptions } from '../diagnostics/render.js'
import type { Stage } from '../pipeline.js'
import type { ServiceExit } from './service.js'

export type Timings = Readonly<Partial<Record<Stage, number>>>

/** What happened to the service after a successful build. */
export type ServiceOutcome =
  | { readonly restarted: { readonly ms: number; readonly url: string; readonly pid: number } }
  /** The bundle came out byte for byte the same: the running service already serves it. */
  | { readonly kept: true }
  | { readonly failed: ServiceExit }

export type DevEvent =
  /** A successful build: its diagnostics are warnings. */
  | { readonly kind: 'built'; readonly changed: readonly string[]; readonly ms: number; readonly timings: Timings; readonly diagnostics: readonly Diagnostic[]; readonly service: ServiceOutcome }
  | { readonly kind: 'build-failed'; readonly changed: readonly string[]; readonly ms: number; readonly timings: Timings; readonly diagnostics: readonly Diagnostic[]; readonly serving: boolean }
  | { readonly kind: 'checked'; readonly ms: number; readonly checked: number; readonly diagnostics: readonly Diagnostic[]; readonly wasFailing: boolean }
  | { readonly kind: 'crashed'; readonly exit: ServiceExit }
  | { readonly kind: 'failure'; readonly message: string }

/** The text for a terminal, or undefined when the event is not worth a line (a check that still passes). */
export function renderText(event: DevEvent, options: RenderOptions): string | undefined {
  const ok = paint(options.color, '32;1', '✓')
  const failed = paint(options.color, '31;1', '✗')
  switch (event.kind) {
    case 'built': {
      const warnings = event.diagnostics.length > 0 ? `${renderDiagnostics(event.diagnostics, options)}\n` : ''
      const head = `${changedText(event.changed)}built in ${Math.round(event.ms)} ms (${timingsText(event.timings)})`
      const service = event.service
      if ('kept' in service) return `${warnings}${ok} ${head}; dist/ unchanged, the service keeps running`
      if ('failed' in service) return `${warnings}${failed} ${head}, but the service ${exitText(service.failed)} before it answered /health; it starts again on the next change`
      const verb = event.changed.length === 0 ? 'started' : 'restarted'
      return `${warnings}${ok} ${head}, ${verb} in ${Math.round(service.restarted.ms)} ms: ${service.restarted.url}`
    }
    case 'build-failed': {
      const still = event.serving ? 'the service keeps running the last good build' : 'no service runs until the build succeeds'
      return `${renderDiagnostics(event.diagnostics, options)}\n${failed} ${changedText(event.changed)}build failed: ${summarize(event.diagnostics)}; ${still}`
    }
    case 'checked': {
      if (event.diagnostics.length === 0) return event.wasFailing ? `${ok} handlers type-check again (${Math.round(event.ms)} ms)` : undefined
      // esbuild strips types, so the service runs regardless; fusio build refuses the same errors.
      return `${renderDiagnostics(event.diagnostics, options)}\n${failed} handlers: ${summarize(event.diagnostics)} from the type check; the service was restarted anyway (fusio build stops on them)`
    }
    case 'crashed':
      return `${failed} the service ${exitText(event.exit)}; it starts again on the next change`
    case 'failure':
      return `${failed} fusio dev: ${event.message}`
  }
}

/** One JSON object a line: `build` (with its diagnostics), `restart`, `check`, `error` (the service stopped, or dev itself failed). */
export function renderJson(event: DevEvent): string[] {
  const line = (value: object) => JSON.stringify(value)
  switch (event.kind) {
    case 'built': {
      const service = event.service
      const build = line({ event: 'build', ok: true, changed: event.changed, ms: Math.round(event.ms), timings: event.timings, diagnostics: event.diagnostics, restart: !('kept' in service) })
      if ('kept' in service) return [build]
      if ('failed' in service) return [build, line({ event: 'error', kind: 'service', ...service.failed })]
      return [build, line({ event: 'restart', ms: Math.round(service.restarted.ms), url: service.restarted.url, pid: service.restarted.pid })]
    }
    case 'build-failed':
      return [line({ event: 'build', ok: false, changed: event.changed, ms: Math.round(event.ms), timings: event.timings, diagnostics: event.diagnostics, serving: event.serving })]
    case 'checked':
      return [line({ event: 'check', ok: !hasErrors(event.diagnostics), ms: Math.round(event.ms), checked: event.checked, diagnostics: event.diagnostics })]
    case 'crashed':
      return [line({ event: 'error', kind: 'service', ...event.exit })]
    case 'failure':
      return [line({ event: 'error', kind: 'dev', message: event.message })]
  }
}

/** `actions/stats.ts, .fusio.yml changed → `; nothing for the first build. */
function changedText(changed: readonly string[]): string {
  if (changed.length === 0) return ''
  const shown = changed.slice(0, 3).join(', ')
  return `${shown}${changed.length > 3 ? ` and ${changed.length - 3} more` : ''} changed → `
}

function timingsText(timings: Timings): string {
  return Object.entries(timings)
    .map(([stage, ms]) => `${stage} ${Math.round(ms ?? 0)}`)
    .join(', ')
}

function exitText(exit: ServiceExit): string {
  return exit.signal ? `was stopped by ${exit.signal}` : `exited with code ${exit.code}`
}
