/**
 * docs/diagnostics.md and docs/errors.md are rendered from the two code catalogs; a test fails when
 * they are stale. Regenerate with: npx tsx scripts/catalog-docs.ts
 */
import { writeFileSync } from 'node:fs'
import { CODES } from '../compiler/diagnostics/codes.js'
import { ERRORS, problemType, type ErrorCode } from '../runtime-min/errors.js'

export function diagnosticsDoc(): string {
  const rows = Object.entries(CODES).map(([code, e]) => `| \`${code}\` | ${e.severity} | ${e.template.replace(/\|/g, '\\|')} | ${e.doc.replace(/\|/g, '\\|')} |`)
  return [
    '# Compile-time diagnostics',
    '',
    'Generated from `compiler/diagnostics/codes.ts` by `scripts/catalog-docs.ts`. Every diagnostic is printed as',
    '`file:line:column: severity CODE: message`, with a `hint:` line when there is one; `--json` gives the same as data.',
    '',
    '| code | severity | message | meaning |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n')
}

export function errorsDoc(): string {
  const rows = Object.entries(ERRORS).map(([code, e]) => `| \`${code}\` | ${e.status} | ${e.title} | \`${problemType(code as ErrorCode)}\` |`)
  return [
    '# Runtime errors',
    '',
    'Generated from `runtime-min/errors.ts` by `scripts/catalog-docs.ts`. Every error is an RFC 9457',
    '`application/problem+json` body: `type`, `title`, `status`, `detail`, `instance`, plus `code`, `requestId`,',
    "Fusio's `success: false` and `message`, and for validation errors `errors: [{in, field, pointer, message}]`.",
    '',
    '| code | status | title | type |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n')
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(new URL('../docs/diagnostics.md', import.meta.url), diagnosticsDoc())
  writeFileSync(new URL('../docs/errors.md', import.meta.url), errorsDoc())
}
