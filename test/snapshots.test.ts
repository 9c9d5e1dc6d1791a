/**
 * snapshots/<example>/ is exactly what `fusio generate` writes for examples/<example>, for every folder
 * of examples/ (a new example without snapshots fails). The test regenerates in memory and reports each
 * file that differs, by path; UPDATE_SNAPSHOTS=1 rewrites the snapshots (leaving what other tests own).
 * A rebuild in another folder must give byte-identical generated/ and dist/.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { afterAll, describe, expect, inject, it } from 'vitest'
import { build, emitOnly } from '../compiler/index.js'
import { copyProject, removeProject, REPO } from './helpers/projects.js'

const EXAMPLES = readdirSync(join(REPO, 'examples')).filter((name) => existsSync(join(REPO, 'examples', name, '.fusio.yml'))).sort()
/** Folders of a snapshot that other tests write and check (the generated client SDK). */
const OWNED_ELSEWHERE = ['client/']
const update = process.env.UPDATE_SNAPSHOTS === '1'

function filesUnder(dir: string): string[] {
  return readdirSync(dir)
    .flatMap((name) => {
      const path = join(dir, name)
      return statSync(path).isDirectory() ? filesUnder(path) : [path]
    })
    .sort()
}

/** The snapshot's files this test compares, relative to its folder. */
function snapshotFiles(dir: string): string[] {
  if (!existsSync(dir)) return []
  return filesUnder(dir)
    .map((f) => relative(dir, f))
    .filter((path) => !OWNED_ELSEWHERE.some((folder) => path.startsWith(folder)))
}

it('snapshots exist for every example, and nothing else', () => {
  expect(EXAMPLES.length).toBeGreaterThan(0)
  const snapshots = readdirSync(join(REPO, 'snapshots')).filter((name) => statSync(join(REPO, 'snapshots', name)).isDirectory())
  expect(snapshots.sort()).toEqual(EXAMPLES)
})

describe.each(EXAMPLES)('snapshots/%s', (example) => {
  it('matches what fusio generate writes', async () => {
    const result = await emitOnly({ manifest: join(REPO, 'examples', example, '.fusio.yml') })
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([])
    const dir = join(REPO, 'snapshots', example)
    const files = result.files!
    if (update) {
      for (const path of snapshotFiles(dir)) rmSync(join(dir, path))
      for (const file of files) {
        mkdirSync(join(dir, file.path, '..'), { recursive: true })
        writeFileSync(join(dir, file.path), file.contents)
      }
    }
    expect(files.map((f) => f.path), `files of snapshots/${example}/ (UPDATE_SNAPSHOTS=1 rewrites them)`).toEqual(snapshotFiles(dir))
    // Every differing file is reported, each under its own path.
    for (const file of files) expect.soft(file.contents, `snapshots/${example}/${file.path}`).toBe(readFileSync(join(dir, file.path), 'utf8'))
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
