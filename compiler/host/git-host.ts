/**
 * A read-only Host over one git revision: `/repo/api/.fusio.yml` reads `api/.fusio.yml` as it was
 * in that commit, so a manifest and everything it includes load exactly as they were at a ref.
 * The tree is listed once; each file is read from git when first asked for and then kept.
 */
import { execFileSync } from 'node:child_process'
import { posix } from 'node:path'
import type { Host } from './host.js'

export interface GitRevision {
  readonly host: Host
  /** The full commit id the ref named when it was opened. */
  readonly commit: string
  /** Absolute top folder of the working tree. */
  readonly root: string
}

/** Thrown when `ref` names no commit of the repository that holds `cwd` (or `cwd` is in none). */
export class GitRevisionError extends Error {}

export function openGitRevision(ref: string, cwd: string): GitRevision {
  const git = (args: readonly string[], dir = cwd, failure = `git ${args[0]} failed`): string => {
    try {
      return execFileSync('git', args, { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'pipe'] })
    } catch (error) {
      const stderr = String((error as { stderr?: unknown }).stderr ?? '').trim().split('\n')[0]
      throw new GitRevisionError(stderr || failure)
    }
  }
  const root = git(['rev-parse', '--show-toplevel']).trim()
  // --end-of-options keeps a ref that starts with "-" from being read as an option.
  const commit = git(['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`], cwd, `unknown revision "${ref}"`).trim()
  const blobs = listBlobs(git(['ls-tree', '-r', '-z', '--full-tree', commit], root))
  const texts = new Map<string, string>()
  const inTree = (path: string): string | undefined => {
    const relative = posix.relative(root, path)
    return relative.startsWith('..') ? undefined : blobs.get(relative)
  }
  const readOnly = (): never => {
    throw new Error(`git revision ${ref} is read-only`)
  }
  const host: Host = {
    readFile(path) {
      const blob = inTree(path)
      if (blob === undefined) return undefined
      let text = texts.get(blob)
      if (text === undefined) {
        text = git(['cat-file', 'blob', blob], root)
        texts.set(blob, text)
      }
      return text
    },
    fileExists: (path) => inTree(path) !== undefined,
    writeFile: readOnly,
    removeDir: readOnly,
  }
  return { host, commit, root }
}

/** `ls-tree -r -z` lines are `<mode> blob <id>\t<path>`; submodules (commit entries) hold no files. */
function listBlobs(listing: string): Map<string, string> {
  const blobs = new Map<string, string>()
  for (const entry of listing.split('\0')) {
    const tab = entry.indexOf('\t')
    const [, type, id] = entry.slice(0, tab).split(' ')
    if (type === 'blob') blobs.set(entry.slice(tab + 1), id)
  }
  return blobs
}
