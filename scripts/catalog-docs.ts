/**
 * docs/diagnostics.md, docs/errors.md and docs/product-api.md are rendered from the code catalogs and
 * the product API's catalog; a test fails when they are stale. Regenerate with: npm run docs
 */
import { writeFileSync } from 'node:fs'
import { CODES } from '../compiler/diagnostics/codes.js'
import { ERRORS, problemType, type ErrorCode } from '../runtime-min/errors.js'
import { PRODUCT_OPERATIONS } from '../runtime-min/product/api.js'

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

export function productApiDoc(): string {
  const access = (a: string) => (a === 'public' ? 'anyone' : a === 'token' ? 'any valid token' : `scope \`${a}\``)
  const rows = PRODUCT_OPERATIONS.map((op) => `| \`${op.method} ${op.path}\` | \`${op.id}\` | ${access(op.access)} | ${op.body ? `\`${op.body}\`` : ''} | ${op.summary.replace(/\|/g, '\\|')} |`)
  return [
    '# Product API',
    '',
    'Generated from `runtime-min/product/api.ts` by `scripts/catalog-docs.ts`. Services with `service.product: true`',
    "serve these operations (under `service.basePath`); `openapi.json` describes them with their schemas (`Fusio_<Name>`).",
    'Besides them: `GET /authorization/authorize` (hands the code flow to the portal), `/.well-known/oauth-authorization-server`,',
    '`/.well-known/openid-configuration`, `/.well-known/oauth-protected-resource`, `/.well-known/jwks.json`, and the portal under `/developer/`.',
    '',
    '| route | operation | who | body | what |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n')
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(new URL('../docs/diagnostics.md', import.meta.url), diagnosticsDoc())
  writeFileSync(new URL('../docs/errors.md', import.meta.url), errorsDoc())
  writeFileSync(new URL('../docs/product-api.md', import.meta.url), productApiDoc())
}
