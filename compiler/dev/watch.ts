/**
 * watchProject(options) → a watcher of the project folder that calls onChange with the absolute path
 * of each file added, changed or removed, leaving out build output, packages and the service's own
 * state. chokidar drops a change that comes within 50 ms of the one before on the same file (an edit
 * saved right after a build started would be lost): a second look at the file after that window
 * reports it.
 */
import { statSync } from 'node:fs'
import { join, sep } from 'node:path'
import { watch } from 'chokidar'

export interface WatchOptions {
  readonly projectDir: string
  /** Folders under the project folder whose files never change a build (generated/, dist/…). */
  readonly skippedDirs: readonly string[]
  readonly onChange: (path: string) => void
  readonly onError: (error: unknown) => void
}

export interface ProjectWatcher {
  /** Files outside the project folder to watch as well. */
  add(paths: readonly string[]): void
  close(): Promise<void>
}

/** Longer than chokidar's 50 ms window for changes to one file. */
const SECOND_LOOK_MS = 60

export function watchProject(options: WatchOptions): ProjectWatcher {
  const skipped = [...options.skippedDirs, 'node_modules', '.git', '.fusio'].map((dir) => join(options.projectDir, dir))
  const watcher = watch(options.projectDir, {
    ignoreInitial: true,
    // The service's own state and SQLite files change while it runs, never a build.
    ignored: (path) => skipped.some((dir) => path === dir || path.startsWith(`${dir}${sep}`)) || /\.db(-wal|-shm|-journal)?$/.test(path),
  })
  const looks = new Set<NodeJS.Timeout>()
  const changed = (path: string) => {
    const seen = stamp(path)
    options.onChange(path)
    const look = setTimeout(() => {
      looks.delete(look)
      if (stamp(path) !== seen) changed(path)
    }, SECOND_LOOK_MS)
    looks.add(look)
  }
  watcher.on('all', (event, path) => {
    if (event === 'add' || event === 'change' || event === 'unlink') changed(path)
  })
  watcher.on('error', options.onError)
  return {
    add: (paths) => void watcher.add([...paths]),
    async close() {
      for (const look of looks) clearTimeout(look)
      await watcher.close()
    },
  }
}

/** What tells two versions of a file apart: its size and mtime, or that it is gone. */
export function stamp(path: string): string {
  const stat = statSync(path, { throwIfNoEntry: false })
  return stat ? `${stat.size}:${stat.mtimeMs}` : 'missing'
}
