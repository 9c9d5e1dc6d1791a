/** ANSI styling shared by the diagnostic head and its code frame; `on: false` gives plain text for CI logs. */
import type { Severity } from './diagnostic.js'

export const SEVERITY_STYLE: Readonly<Record<Severity, string>> = { error: '31;1', warning: '33;1' }

export function paint(on: boolean, style: string, text: string): string {
  return on && text.trim() !== '' ? `\u001b[${style}m${text}\u001b[0m` : text
}
