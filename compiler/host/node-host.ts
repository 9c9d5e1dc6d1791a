import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import type { Host } from './host.js'

/** The real file system. */
export function createNodeHost(): Host {
  return {
    readFile(path) {
      try {
        return readFileSync(path, 'utf8')
      } catch {
        return undefined
      }
    },
    fileExists(path) {
      return existsSync(path) && statSync(path).isFile()
    },
    writeFile(path, contents) {
      mkdirSync(dirname(path), { recursive: true })
      // Unchanged files keep their mtime, so watchers and incremental tools see only real changes.
      if (existsSync(path) && readFileSync(path, 'utf8') === contents) return
      writeFileSync(path, contents)
    },
    removeDir(path) {
      rmSync(path, { recursive: true, force: true })
    },
  }
}
