/**
 * Every folder in test/fixtures/bad holds a broken manifest and expected.txt, the exact diagnostics
 * `fusio validate` prints for it. UPDATE_SNAPSHOTS=1 rewrites expected.txt; the diff is the review.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { renderDiagnostics } from '../../../compiler/diagnostics/render.js'
import { validate } from '../../../compiler/index.js'
import { REPO } from '../../helpers/projects.js'

const BAD = join(REPO, 'test/fixtures/bad')
const cases = readdirSync(BAD).sort()

describe('bad manifests', () => {
  it('has cases', () => expect(cases.length).toBeGreaterThan(10))

  it.each(cases)('%s', async (name) => {
    const result = await validate({ manifest: join(BAD, name, '.fusio.yml') })
    const rendered = `${renderDiagnostics(result.diagnostics)}\n`
    const expectedFile = join(BAD, name, 'expected.txt')
    if (process.env.UPDATE_SNAPSHOTS === '1' || !existsSync(expectedFile)) writeFileSync(expectedFile, rendered)
    expect(rendered).toBe(readFileSync(expectedFile, 'utf8'))
    expect(result.diagnostics.length).toBeGreaterThan(0)
    // Only the warnings case may pass validation: every other fixture must fail it.
    expect(result.ok).toBe(name === 'warnings')
  })
})
