import type { Host } from './host.js'

/** A map of files for tests: `createMemoryHost({'/p/.fusio.yml': '…'})`. */
export interface MemoryHost extends Host {
  readonly files: Map<string, string>
}

export function createMemoryHost(initial: Readonly<Record<string, string>> = {}): MemoryHost {
  const files = new Map(Object.entries(initial))
  return {
    files,
    readFile: (path) => files.get(path),
    fileExists: (path) => files.has(path),
    writeFile: (path, contents) => void files.set(path, contents),
    removeDir(path) {
      const prefix = path.endsWith('/') ? path : `${path}/`
      for (const key of [...files.keys()]) if (key.startsWith(prefix)) files.delete(key)
    },
  }
}
