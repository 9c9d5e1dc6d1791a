/** The `fusio` binary as a user runs it. */
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { REPO } from '../helpers/projects.js'

const run = promisify(execFile)
const fusio = (args: string[], cwd = REPO, env: NodeJS.ProcessEnv = {}) =>
  run(process.execPath, [join(REPO, 'bin/fusio'), ...args], { cwd, env: { ...process.env, CI: '1', FORCE_COLOR: undefined, ...env } }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  )

describe('fusio CLI', () => {
  it('lists every command with a description', async () => {
    const { stdout, code } = await fusio(['--help'])
    expect(code).toBe(0)
    for (const command of ['build', 'generate', 'init', 'migrate', 'openapi', 'serve', 'validate']) expect(stdout).toMatch(new RegExp(`\\n  ${command} +\\S`))
  })

  it('validate prints every diagnostic with file:line:col and exits 1', async () => {
    const { code, stderr } = await fusio(['validate', '--manifest', 'test/fixtures/bad/invalid-path/.fusio.yml'])
    expect(code).toBe(1)
    expect(stderr).toContain('.fusio.yml:10:43: error FUSIO_RESOLVE_INVALID_PATH')
    expect(stderr).toContain('.fusio.yml:14:42: error FUSIO_RESOLVE_RESERVED_PATH')
    expect(stderr).toMatch(/6 errors, 0 warnings/)
  })

  it('validate shows the manifest lines under each diagnostic, the caret under its column, without colour in CI', async () => {
    const { stderr } = await fusio(['validate', '--manifest', 'test/fixtures/bad/invalid-path/.fusio.yml'])
    const blocks = stderr.split('\n\n')
    const block = blocks.find((b) => b.startsWith('.fusio.yml:10:43: error FUSIO_RESOLVE_INVALID_PATH'))!.split('\n')
    expect(block[1]).toBe('     9 | operation:')
    expect(block[2]).toBe('  > 10 |   a.noSlash: { httpMethod: GET, httpPath: todo, public: true, action: Todo_List }')
    expect(block[3]!.indexOf('^') - block[3]!.indexOf('|')).toBe(2 + 42)
    expect(block[2]!.slice(block[3]!.indexOf('^'), block[3]!.indexOf('^') + 4)).toBe('todo')
    expect(blocks).toHaveLength(6 + 1)
    expect(stderr).not.toContain('\u001b[')
  })

  it('validate colours its output with FORCE_COLOR, even in CI', async () => {
    const { stderr } = await fusio(['validate', '--manifest', 'test/fixtures/bad/unknown-key/.fusio.yml'], REPO, { FORCE_COLOR: '1' })
    expect(stderr).toContain('\u001b[31;1merror\u001b[0m')
    expect(stderr).toContain('\u001b[31;1m^\u001b[0m')
  })

  it('validate --json gives machine-readable diagnostics', async () => {
    const { code, stdout } = await fusio(['validate', '--json', '--manifest', 'test/fixtures/bad/unknown-key/.fusio.yml'])
    expect(code).toBe(1)
    const report = JSON.parse(stdout)
    expect(report.ok).toBe(false)
    expect(report.diagnostics[0]).toMatchObject({ code: 'FUSIO_RESOLVE_UNKNOWN_KEY', location: { file: '.fusio.yml', line: 10, column: 18 }, hint: 'did you mean "httpMethod"?' })
  })

  it('openapi prints an OpenAPI 3.1 document', async () => {
    const { code, stdout } = await fusio(['openapi', '--manifest', 'examples/todo/.fusio.yml'])
    expect(code).toBe(0)
    const document = JSON.parse(stdout)
    expect(document.openapi).toBe('3.1.0')
    expect(document.paths['/todo/{id}'].put.security).toEqual([{ bearer: ['todo'] }])
  })

  it('init --json lists the files it created', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'fusio-init-')), 'my-api')
    const { code, stdout } = await fusio(['init', dir, '--json'])
    expect(code).toBe(0)
    const created = JSON.parse(stdout)
    expect(created).toEqual({ ok: true, dir, created: expect.arrayContaining(['.fusio.yml', '.gitignore', 'actions/hello.ts', 'migrations/001_note.sql']) })
    for (const file of created.created) expect(existsSync(join(dir, file)), file).toBe(true)
  })

  it('init creates a project that builds and whose bundle answers', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'fusio-init-')), 'my-api')
    expect((await fusio(['init', dir])).code).toBe(0)
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toContain('dist/')
    const built = await fusio(['build'], dir)
    // In CI, stderr holds only the progress lines: no diagnostic.
    expect(built.stderr).toMatch(/^(fusio: \w+ done in \d+ ms\n)+$/)
    expect(built.stdout).toMatch(/GET +\/hello\/:name +hello/)
    expect(built.stdout).toMatch(/dist\/server\.mjs +\d/)
    const module = await import(join(dir, 'dist/server.mjs'))
    const app = await module.createApp({ logger: false, env: { FUSIO_DIR_SRC: dir } })
    expect((await app.inject({ url: '/hello/ada' })).json()).toEqual({ message: 'Hello, ada!' })
    expect((await app.inject({ method: 'POST', url: '/note', payload: { text: 'first' } })).statusCode).toBe(201)
    expect((await app.inject({ url: '/note' })).json().entry).toEqual([{ id: 1, text: 'first' }])
    await app.close()
    // `fusio migrate` applies the migrations through the bundle, once.
    const migrated = await run(process.execPath, [join(REPO, 'bin/fusio'), 'migrate'], { cwd: dir, env: { ...process.env, FUSIO_DIR_SRC: dir, FUSIO_LOG_LEVEL: 'info' } })
    expect(migrated.stdout).not.toContain('migration applied')
    const fresh = join(mkdtempSync(join(tmpdir(), 'fusio-migrate-')))
    const first = await run(process.execPath, [join(REPO, 'bin/fusio'), 'migrate'], { cwd: dir, env: { ...process.env, FUSIO_DIR_SRC: fresh } })
    expect(first.stdout).toContain('"migration":"migrations/001_note.sql","msg":"migration applied"')
    // --json lists what this run applied, even when the log level would hide it.
    const other = mkdtempSync(join(tmpdir(), 'fusio-migrate-'))
    const migrateJson = () => fusio(['migrate', '--json'], dir, { FUSIO_DIR_SRC: other, FUSIO_LOG_LEVEL: 'error' })
    expect(JSON.parse((await migrateJson()).stdout)).toEqual({ ok: true, applied: [{ connection: 'Default', migration: 'migrations/001_note.sql' }] })
    expect(JSON.parse((await migrateJson()).stdout)).toEqual({ ok: true, applied: [] })
  }, 180_000)
})
