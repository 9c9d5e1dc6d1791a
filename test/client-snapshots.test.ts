/**
 * snapshots/<example>/client/ is exactly what `fusio client` writes for examples/<example>. The test
 * regenerates in memory and fails on any difference; UPDATE_SNAPSHOTS=1 rewrites the folder.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { Cache } from '../compiler/cache/index.js'
import { emitClient } from '../compiler/emit/client/index.js'
import { createMemoryHost } from '../compiler/host/index.js'
import { validate } from '../compiler/index.js'
import { REPO } from './helpers/projects.js'

const EXAMPLES = ['todo', 'legacy-routes', 'legacy-bridge', 'api-product']
const update = process.env.UPDATE_SNAPSHOTS === '1'

describe.each(EXAMPLES)('snapshots/%s/client', (example) => {
  it('matches what fusio client writes', async () => {
    const result = await validate({ manifest: join(REPO, 'examples', example, '.fusio.yml') })
    const { files, diagnostics } = await emitClient(result.model!, new Cache('test', { host: createMemoryHost(), dir: '/cache' }))
    expect(diagnostics).toEqual([])
    const dir = join(REPO, 'snapshots', example, 'client')
    if (update) {
      rmSync(dir, { recursive: true, force: true })
      mkdirSync(dir, { recursive: true })
      for (const file of files) writeFileSync(join(dir, file.path), file.contents)
    }
    expect(files.map((f) => f.path)).toEqual(existsSync(dir) ? readdirSync(dir).sort() : [])
    for (const file of files) expect(file.contents, file.path).toBe(readFileSync(join(dir, file.path), 'utf8'))
  })
})
