/**
 * Builds each example once per test run, into temporary copies, and hands their folders to the tests
 * (`inject('builtExamples')`). End-to-end tests run against these bundles, never against the sources.
 */
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'
import { build, renderDiagnostics } from '../compiler/index.js'
import { copyProject, removeProject, REPO } from './helpers/projects.js'

declare module 'vitest' {
  export interface ProvidedContext {
    builtExamples: Record<string, string>
  }
}

const EXAMPLES = ['todo', 'legacy-routes']

export default async function setup(project: TestProject) {
  const built: Record<string, string> = {}
  for (const example of EXAMPLES) {
    const dir = copyProject(join(REPO, 'examples', example), example)
    const result = await build({ manifest: join(dir, '.fusio.yml') })
    if (!result.ok) throw new Error(`examples/${example} does not build:\n${renderDiagnostics(result.diagnostics)}`)
    built[example] = dir
  }
  project.provide('builtExamples', built)
  return () => {
    for (const dir of Object.values(built)) removeProject(dir)
  }
}
