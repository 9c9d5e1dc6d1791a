/**
 * compilerVersion() → a hash of the code that turns a model into generated files: the compiler (the
 * bundled lib/cli.js it runs from, or its sources and the runtime's when it runs from them) and the
 * packages whose output it emits. Cache keys start with it: new code never reads what old code made.
 */
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { packageRoot } from '../package-root.js'

const GENERATORS = ['prettier', 'ajv', 'ajv-formats', 'fast-json-stringify', 'json-schema-to-typescript']

let cached: string | undefined

export function compilerVersion(): string {
  if (cached) return cached
  const hash = createHash('sha256')
  const root = packageRoot()
  for (const file of compilerFiles(root)) hash.update(relative(root, file)).update('\0').update(readFileSync(file))
  const require = createRequire(join(root, 'package.json'))
  for (const name of GENERATORS) hash.update(`${name}@${(require(`${name}/package.json`) as { version: string }).version}\0`)
  return (cached = hash.digest('base64url'))
}

/** The bundle holds the whole compiler; run from sources (tests, tsx), so do compiler/ and runtime-min/. */
function compilerFiles(root: string): string[] {
  const self = fileURLToPath(import.meta.url)
  if (self.endsWith('.js')) return [self]
  return ['compiler', 'runtime-min'].flatMap((dir) => filesUnder(join(root, dir))).sort()
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)],
  )
}
