/** Copies a project folder into a fresh temporary folder, so builds never write into the repository. */
import { cpSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const REPO = join(import.meta.dirname, '../..')

export function copyProject(source: string, name = 'project'): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'fusio-test-')), name)
  cpSync(source, dir, {
    recursive: true,
    filter: (path) => !/\/(generated|dist|node_modules)(\/|$)|\.db(-shm|-wal)?$/.test(path),
  })
  return dir
}

export function removeProject(dir: string): void {
  rmSync(join(dir, '..'), { recursive: true, force: true })
}
