/** The git Host: files as they were in a commit, whatever the working tree holds now. */
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { GitRevisionError, openGitRevision } from '../../../compiler/host/index.js'

describe('openGitRevision', () => {
  let repo: string
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: repo, encoding: 'utf8' })

  beforeAll(() => {
    // git reports the real path of the repository; compare with the same.
    repo = realpathSync(mkdtempSync(join(tmpdir(), 'fusio-git-')))
    git('init', '-q')
    mkdirSync(join(repo, 'api/schemas'), { recursive: true })
    writeFileSync(join(repo, 'api/.fusio.yml'), 'first\n')
    writeFileSync(join(repo, 'api/schemas/a.json'), '{"v":1}\n')
    git('add', '-A')
    git('commit', '-q', '-m', 'one')
    writeFileSync(join(repo, 'api/.fusio.yml'), 'second\n')
    git('commit', '-q', '-am', 'two')
    writeFileSync(join(repo, 'api/.fusio.yml'), 'working tree\n')
    writeFileSync(join(repo, 'api/untracked.json'), '{}')
  })

  afterAll(() => rmSync(repo, { recursive: true, force: true }))

  it('reads files as they were at the revision, from any folder of the repository', () => {
    const head = openGitRevision('HEAD', join(repo, 'api'))
    expect(head.root).toBe(repo)
    expect(head.commit).toMatch(/^[0-9a-f]{40}$/)
    expect(head.host.readFile(join(repo, 'api/.fusio.yml'))).toBe('second\n')
    expect(openGitRevision('HEAD~1', repo).host.readFile(join(repo, 'api/.fusio.yml'))).toBe('first\n')
    expect(head.host.readFile(join(repo, 'api/schemas/a.json'))).toBe('{"v":1}\n')
  })

  it('knows only the files of the revision, and none outside the repository', () => {
    const { host } = openGitRevision('HEAD', repo)
    expect(host.fileExists(join(repo, 'api/schemas/a.json'))).toBe(true)
    expect(host.fileExists(join(repo, 'api/schemas'))).toBe(false)
    expect(host.fileExists(join(repo, 'api/untracked.json'))).toBe(false)
    expect(host.readFile(join(repo, 'api/untracked.json'))).toBeUndefined()
    expect(host.readFile(join(repo, '../elsewhere/.fusio.yml'))).toBeUndefined()
  })

  it('is read-only', () => {
    const { host } = openGitRevision('HEAD', repo)
    expect(() => host.writeFile(join(repo, 'x'), '')).toThrow(/read-only/)
  })

  it('refuses a ref that names no commit, and a folder outside any repository', () => {
    expect(() => openGitRevision('no-such-branch', repo)).toThrow(new GitRevisionError('unknown revision "no-such-branch"'))
    expect(() => openGitRevision('--output=x', repo)).toThrow(GitRevisionError)
    const outside = mkdtempSync(join(tmpdir(), 'fusio-nogit-'))
    try {
      expect(() => openGitRevision('HEAD', outside)).toThrow(/not a git repository/)
    } finally {
      rmSync(outside, { recursive: true, force: true })
    }
  })
})
