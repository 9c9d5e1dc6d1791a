/** Flags and output shared by the commands: diagnostics coloured on a TTY, plain in CI, or JSON. */
import { readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { Flags, type Command } from '@oclif/core'
import type { ReadSource } from '../diagnostics/code-frame.js'
import { renderDiagnostics, summarize } from '../diagnostics/render.js'
import type { PipelineResult } from '../pipeline.js'

export const manifestFlag = Flags.string({ char: 'm', description: 'path of the manifest', default: '.fusio.yml' })
export const outFlag = Flags.string({ char: 'o', description: 'generated source folder, relative to the manifest', default: 'generated' })
export const distFlag = Flags.string({ description: 'bundle folder, relative to the manifest', default: 'dist' })
export const jsonFlag = Flags.boolean({ description: 'print machine-readable JSON on stdout instead of text', default: false })

/** Colour on a terminal outside CI; NO_COLOR turns it off, FORCE_COLOR on (FORCE_COLOR=0 off), as Node does. */
export function useColor(stream: { readonly isTTY?: boolean } = process.stderr, env: NodeJS.ProcessEnv = process.env): boolean {
  const force = env.FORCE_COLOR
  if (force !== undefined) return force !== '0' && force !== 'false'
  if (env.NO_COLOR) return false
  return Boolean(stream.isTTY) && !env.CI
}

/**
 * Prints the diagnostics, each with a code frame of its source, and exits 1 if any is an error.
 * `manifest` finds the project folder, which diagnostic locations are relative to, when loading failed.
 */
export function report(command: Command, result: PipelineResult, json: boolean, extra: Record<string, unknown> = {}, manifest?: string): void {
  if (json) {
    command.log(JSON.stringify({ ok: result.ok, diagnostics: result.diagnostics, timings: result.timings, ...extra }, null, 2))
  } else if (result.diagnostics.length > 0) {
    const projectDir = result.projectDir ?? (manifest === undefined ? undefined : dirname(resolve(manifest)))
    const readSource = projectDir === undefined ? undefined : readSourceIn(projectDir)
    const rendered = renderDiagnostics(result.diagnostics, { color: useColor(), ...(readSource ? { readSource } : {}) })
    process.stderr.write(`${rendered}\n${readSource ? '\n' : ''}${summarize(result.diagnostics)}\n`)
  }
  if (!result.ok) command.exit(1)
}

/** Reads the files diagnostics name, relative to the project folder (for code frames); undefined for one that is gone. */
export function readSourceIn(projectDir: string): ReadSource {
  return (file) => {
    try {
      return readFileSync(resolve(projectDir, file), 'utf8')
    } catch {
      return undefined
    }
  }
}

export function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(2)} MB` : `${(bytes / 1024).toFixed(1)} kB`
}
