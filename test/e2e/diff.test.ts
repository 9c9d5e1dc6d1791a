/**
 * `fusio diff` as CI runs it: on two manifest files, and on a git repository holding examples/todo
 * at three commits (the base, a non-breaking change, a breaking one), with exit codes and --json.
 */
import { execFile, execFileSync } from 'node:child_process'
import { cpSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { copyProject, removeProject, REPO } from '../helpers/projects.js'

const run = promisify(execFile)
const fusio = (args: string[], cwd: string) =>
  run(process.execPath, [join(REPO, 'bin/fusio'), 'diff', ...args], { cwd, env: { ...process.env, CI: '1' } }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  )

function editJson(file: string, edit: (schema: { properties: Record<string, unknown>; required?: string[] }) => void): void {
  const schema = JSON.parse(readFileSync(file, 'utf8'))
  edit(schema)
  writeFileSync(file, `${JSON.stringify(schema, null, 2)}\n`)
}

function commit(repo: string, message: string): void {
  execFileSync('git', ['add', '-A'], { cwd: repo })
  execFileSync('git', ['-c', 'user.name=fusio', '-c', 'user.email=fusio@example.com', '-c', 'commit.gpgsign=false', 'commit', '-q', '-m', message], { cwd: repo })
}

// Each run loads and emits both sides; on a busy machine a few runs take longer than the default timeout.
describe('fusio diff', { timeout: 180_000 }, () => {
  let repo: string
  let root: string

  beforeAll(() => {
    repo = copyProject(join(REPO, 'examples/todo'), 'repo')
    root = dirname(repo)
    cpSync(repo, join(root, 'old'), { recursive: true })
    execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: repo })
    commit(repo, 'base')
    // Non-breaking: responses gain an optional field, and a description changes (cosmetic).
    editJson(join(repo, 'schemas/todo.json'), (s) => void (s.properties.tags = { type: 'array', items: { type: 'string' } }))
    writeFileSync(join(repo, '.fusio.yml'), readFileSync(join(repo, '.fusio.yml'), 'utf8').replace('Returns one todo item', 'Returns a todo item'))
    commit(repo, 'tags')
    // Breaking: creating an item needs a priority.
    editJson(join(repo, 'schemas/todo-create.json'), (s) => {
      s.properties.priority = { type: 'string', enum: ['low', 'high'] }
      s.required!.push('priority')
    })
    commit(repo, 'priority')
  })

  afterAll(() => removeProject(repo))

  it('compares a git revision with the working tree, includes and all, and exits 1 on a breaking change', async () => {
    const { code, stdout, stderr } = await fusio(['HEAD~2'], repo)
    expect(stderr).toBe('')
    expect(code).toBe(1)
    expect(stdout).toContain('.fusio.yml at HEAD~2 → .fusio.yml (working tree)')
    expect(stdout).toMatch(/\ntodo\.create\n {2}BREAKING +request-required-added +body\.priority: required field "priority" added {2}schemas\/todo-create\.json:\d+:\d+\n/)
    expect(stdout).toMatch(/\ntodo\.get\n {2}non-breaking +response-property-added +response\[200\]\.tags: optional field "tags" added/)
    expect(stdout).toMatch(/Generated code: \d+ files? changed, \+\d+ −\d+/)
    expect(stdout).toMatch(/\n1 breaking change, \d+ non-breaking$/m)
  })

  it('compares two revisions: a non-breaking step exits 0, or 1 with --fail-on any', async () => {
    const nonBreaking = await fusio(['HEAD~2', 'HEAD~1', '--no-generated'], repo)
    expect(nonBreaking.code).toBe(0)
    expect(nonBreaking.stdout).toContain('response-property-added')
    expect(nonBreaking.stdout).not.toContain('BREAKING')
    expect((await fusio(['HEAD~2', 'HEAD~1', '--no-generated', '--fail-on', 'any'], repo)).code).toBe(1)
    expect((await fusio(['HEAD~1', 'HEAD', '--no-generated', '--fail-on', 'none'], repo)).code).toBe(0)
  })

  it('reports a cosmetic change as no API change, but shows the generated code it changes', async () => {
    cpSync(join(root, 'old'), join(root, 'cosmetic'), { recursive: true })
    const manifest = join(root, 'cosmetic/.fusio.yml')
    writeFileSync(manifest, readFileSync(manifest, 'utf8').replace('Returns one todo item', 'Returns a todo item'))
    const { code, stdout } = await fusio(['old/.fusio.yml', 'cosmetic/.fusio.yml'], root)
    expect(code).toBe(0)
    expect(stdout).toContain('No API changes.')
    expect(stdout).toMatch(/openapi\.json +\+1 −1 +todo\.get\n/)
  })

  it('prints JSON for machines: the breaking count, the changes and the generated files', async () => {
    const { code, stdout } = await fusio(['old/.fusio.yml', 'repo/.fusio.yml', '--json'], root)
    expect(code).toBe(1)
    const report = JSON.parse(stdout)
    expect(report.breaking).toBe(1)
    expect(report.changes).toContainEqual({
      code: 'request-required-added',
      breaking: true,
      operation: 'todo.create',
      field: 'body.priority',
      message: 'required field "priority" added',
      location: { file: 'schemas/todo-create.json', line: 1, column: 1 },
    })
    expect(report.changes.filter((c: { breaking: boolean }) => !c.breaking).map((c: { code: string }) => c.code)).toContain('response-property-added')
    expect(report.generated.length).toBeGreaterThan(0)
    for (const file of report.generated) expect(Object.keys(file).sort()).toEqual(['added', 'operations', 'path', 'removed', 'status'])
    expect(report.generated.flatMap((f: { operations: string[] }) => f.operations)).toContain('todo.create')
  })

  it('exits 2 when a side does not load: an unknown revision, a broken manifest', async () => {
    const unknown = await fusio(['no-such-ref', '--no-generated'], repo)
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('error FUSIO_DIFF_UNKNOWN_REVISION: "no-such-ref" is neither a manifest file nor a git revision')
    writeFileSync(join(root, 'broken.yml'), 'operation: [\n')
    const broken = await fusio(['old/.fusio.yml', 'broken.yml'], root)
    expect(broken.code).toBe(2)
    expect(broken.stderr).toContain('broken.yml:')
    expect(broken.stderr).toContain('FUSIO_LOAD_YAML_SYNTAX')
  })
})
