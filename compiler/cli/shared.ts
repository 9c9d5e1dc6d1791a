/** Flags and output shared by the commands: diagnostics coloured on a TTY, plain in CI, or JSON. */
import { Flags, type Command } from '@oclif/core'
import { renderDiagnostics, summarize } from '../diagnostics/render.js'
import type { PipelineResult } from '../pipeline.js'

export const manifestFlag = Flags.string({ char: 'm', description: 'path of the manifest', default: '.fusio.yml' })
export const outFlag = Flags.string({ char: 'o', description: 'generated source folder, relative to the manifest', default: 'generated' })
export const distFlag = Flags.string({ description: 'bundle folder, relative to the manifest', default: 'dist' })
export const jsonFlag = Flags.boolean({ description: 'print machine-readable JSON', default: false })

export function useColor(): boolean {
  return Boolean(process.stderr.isTTY) && !process.env.CI && !process.env.NO_COLOR
}

/** Prints the diagnostics and exits 1 if any is an error. */
export function report(command: Command, result: PipelineResult, json: boolean, extra: Record<string, unknown> = {}): void {
  if (json) {
    command.log(JSON.stringify({ ok: result.ok, diagnostics: result.diagnostics, timings: result.timings, ...extra }, null, 2))
  } else if (result.diagnostics.length > 0) {
    process.stderr.write(`${renderDiagnostics(result.diagnostics, { color: useColor() })}\n${summarize(result.diagnostics)}\n`)
  }
  if (!result.ok) command.exit(1)
}

export function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(2)} MB` : `${(bytes / 1024).toFixed(1)} kB`
}
