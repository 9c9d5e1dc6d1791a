/**
 * snapshots/<example>/ is exactly what `fusio generate` writes for examples/<example>. The test
 * regenerates in memory and fails on any difference; UPDATE_SNAPSHOTS=1 rewrites the snapshots.
 * A rebuild in another folder must give byte-identical generated/ and dist/.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { afterAll, describe, expect, inject, it } from 'vitest'
import { build, emitOnly } from '../compiler/index.js'
import { copyProject, removeProject, REPO } from './helpers/projects.js'

const EXAMPLES = ['todo', 'legacy-routes', 'legacy-bridge', 'api-product']
const update = process.env.UPDATE_SNAPSHOTS === '1'

function filesUnder(dir: string): string[] {
  return readdirSync(dir)
    .flatMap((name) => {
      const path = join(dir, name)
      return statSync(path).isDirectory() ? filesUnder(path) : [path]
    })
    .sort()
}

describe.each(EXAMPLES)('snapshots/%s', (example) => {
  it('matches what fusio generate writes', async () => {
    const result = await emitOnly({ manifest: join(REPO, 'examples', example, '.fusio.yml') })
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([])
    const dir = join(REPO, 'snapshots', example)
    if (update) {
      rmSync(dir, { recursive: true, force: true })
      for (const file of result.files!) {
        mkdirSync(join(dir, file.path, '..'), { recursive: true })
        writeFileSync(join(dir, file.path), file.contents)
      }
    }
    const expected = existsSync(dir) ? filesUnder(dir).map((f) => relative(dir, f)) : []
    expect(result.files!.map((f) => f.path)).toEqual(expected)
    for (const file of result.files!) expect(file.contents, file.path).toBe(readFileSync(join(dir, file.path), 'utf8'))
  })
})

describe('determinism', () => {
  const projects: string[] = []
  afterAll(() => projects.forEach(removeProject))

  it('rebuilding todo in another folder gives byte-identical generated/ and dist/', async () => {
    const first = inject('builtExamples').todo
    const second = copyProject(join(REPO, 'examples/todo'), 'todo')
    projects.push(second)
    expect((await build({ manifest: join(second, '.fusio.yml') })).ok).toBe(true)
    for (const part of ['generated', 'dist']) {
      const a = filesUnder(join(first, part)).map((f) => relative(first, f))
      const b = filesUnder(join(second, part)).map((f) => relative(second, f))
      expect(b).toEqual(a)
      for (const file of a) expect(readFileSync(join(second, file)).equals(readFileSync(join(first, file))), file).toBe(true)
    }
  })
})
