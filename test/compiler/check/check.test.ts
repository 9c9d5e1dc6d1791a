/** The check stage: a handler that does not fit its generated types fails the build at its own line. */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { renderDiagnostics } from '../../../compiler/diagnostics/render.js'
import { build } from '../../../compiler/index.js'
import { copyProject, removeProject, REPO } from '../../helpers/projects.js'

const projects: string[] = []
afterAll(() => projects.forEach(removeProject))

async function buildWithHandler(source: string) {
  const project = copyProject(join(REPO, 'test/fixtures/projects/service'))
  projects.push(project)
  writeFileSync(join(project, 'actions/slow.ts'), source)
  return build({ manifest: join(project, '.fusio.yml') })
}

describe('check', () => {
  it('reports a wrong response type at the handler file and line', async () => {
    const result = await buildWithHandler(
      "import type { SlowHandler } from '../generated/types.js'\n\nexport const handler: SlowHandler = async (request) => {\n  return { slept: 'long' }\n}\n",
    )
    expect(result.ok).toBe(false)
    expect(result.bundle).toBeUndefined()
    expect(renderDiagnostics(result.diagnostics)).toMatch(/^actions\/slow\.ts:3:14: error FUSIO_CHECK_TYPE_ERROR: [^]*Types of property 'slept' are incompatible/m)
  })

  it('holds an unannotated handler to the generated type as well', async () => {
    const result = await buildWithHandler('export const handler = async () => ({ nap: 1 })\n')
    expect(result.ok).toBe(false)
    expect(renderDiagnostics(result.diagnostics)).toMatch(/^actions\/slow\.ts:1:14: error FUSIO_CHECK_TYPE_ERROR: handler does not match SlowHandler/m)
  })

  it('names a module without a handler export', async () => {
    const result = await buildWithHandler('export const handle = async () => ({ slept: 1 })\n')
    expect(renderDiagnostics(result.diagnostics)).toContain('actions/slow.ts:1:1: error FUSIO_CHECK_HANDLER_EXPORT: handler module "actions/slow.ts" has no `handler` export')
  })
})
