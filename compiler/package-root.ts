/** The fusio-ts package folder, found from this file whether it runs from source or from lib/cli.js. */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

let cached: string | undefined

export function packageRoot(): string {
  if (cached) return cached
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    const manifest = join(dir, 'package.json')
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === 'fusio-ts') return (cached = dir)
    const parent = dirname(dir)
    if (parent === dir) throw new Error('cannot find the fusio-ts package folder')
    dir = parent
  }
}

export function readPackageFile(relative: string): string {
  return readFileSync(join(packageRoot(), relative), 'utf8')
}
