/** Both code catalogs: every code is raised somewhere, and the generated docs are up to date. */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { CODES } from '../../../compiler/diagnostics/codes.js'
import { ERRORS } from '../../../runtime-min/errors.js'
import { diagnosticsDoc, errorsDoc, productApiDoc } from '../../../scripts/catalog-docs.js'
import { REPO } from '../../helpers/projects.js'

function sources(dir: string, skip: string): string {
  return readdirSync(dir)
    .map((name) => join(dir, name))
    .filter((path) => path !== skip)
    .map((path) => (statSync(path).isDirectory() ? sources(path, skip) : path.endsWith('.ts') ? readFileSync(path, 'utf8') : ''))
    .join('\n')
}

describe('code catalogs', () => {
  const compiler = sources(join(REPO, 'compiler'), join(REPO, 'compiler/diagnostics/codes.ts'))
  const runtime = sources(join(REPO, 'runtime-min'), join(REPO, 'runtime-min/errors.ts'))

  it.each(Object.keys(CODES))('%s is raised by the compiler', (code) => {
    expect(compiler).toContain(`'${code}'`)
  })

  it.each(Object.keys(ERRORS))('%s is raised by the runtime', (code) => {
    expect(runtime).toContain(`'${code}'`)
  })

  it('docs/diagnostics.md, docs/errors.md and docs/product-api.md are generated from the catalogs', () => {
    expect(readFileSync(join(REPO, 'docs/diagnostics.md'), 'utf8')).toBe(diagnosticsDoc())
    expect(readFileSync(join(REPO, 'docs/errors.md'), 'utf8')).toBe(errorsDoc())
    expect(readFileSync(join(REPO, 'docs/product-api.md'), 'utf8')).toBe(productApiDoc())
  })
})
