/** `fusio build` progress: plain lines when stderr is not a terminal, a redrawn line on one, nothing with --json. */
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { stageProgress } from '../../compiler/cli/progress.js'
import { copyProject, removeProject, REPO } from '../helpers/projects.js'

const run = promisify(execFile)
const STAGES = ['load', 'resolve', 'model', 'emit', 'write', 'check', 'bundle']

/** A stand-in for process.stderr that keeps what is written. */
function stream(isTTY: boolean, columns = 0) {
  const written: string[] = []
  return { out: { isTTY, columns, write: (text: string) => written.push(text) } as unknown as NodeJS.WriteStream, written }
}

describe('fusio build progress', () => {
  const dir = copyProject(join(REPO, 'templates/init'))
  afterAll(() => removeProject(dir))
  // Vitest's child processes have no terminal; CI is left unset so that alone picks the plain lines.
  const build = (args: string[]) => run(process.execPath, [join(REPO, 'bin/fusio'), 'build', ...args], { cwd: dir, env: { ...process.env, CI: undefined } })

  it('prints one line per finished stage on stderr when it is not a terminal', async () => {
    const { stdout, stderr } = await build([])
    const lines = stderr.trimEnd().split('\n')
    expect(lines.map((line) => /^fusio: (\w+) done in \d+ ms$/.exec(line)?.[1])).toEqual(STAGES)
    expect(stdout).toMatch(/^built 3 routes in \d+ ms/m)
  })

  it('prints no progress with --json, and JSON alone on stdout', async () => {
    const { stdout, stderr } = await build(['--json'])
    expect(stderr).toBe('')
    expect(JSON.parse(stdout)).toMatchObject({ ok: true, diagnostics: [] })
  })

  it('stops at the stage that failed', async () => {
    const failed = await run(process.execPath, [join(REPO, 'bin/fusio'), 'build', '--manifest', 'test/fixtures/bad/unknown-key/.fusio.yml'], { cwd: REPO, env: { ...process.env, CI: '1' } }).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => error,
    )
    expect(failed.code).toBe(1)
    expect(failed.stderr).toMatch(/^fusio: load done in \d+ ms\nfusio: resolve done in \d+ ms\n\.fusio\.yml:10:18: error FUSIO_RESOLVE_UNKNOWN_KEY/)
  })
})

describe('stageProgress', () => {
  it('redraws one line with the running stage and the finished ones on a terminal, then clears it', () => {
    const { out, written } = stream(true, 200)
    const progress = stageProgress(out, {})
    progress.onStage('load', 'start')
    progress.onStage('load', 'end', 12.4)
    progress.onStage('emit', 'start')
    progress.done()
    expect(written).toEqual(['\r\u001b[2Kfusio: load…', '\r\u001b[2Kfusio: emit…  (load 12 ms)', '\r\u001b[2K'])
  })

  it('keeps the line shorter than the terminal, so a carriage return can clear it', () => {
    const { out, written } = stream(true, 20)
    const progress = stageProgress(out, {})
    progress.onStage('resolve', 'end', 1234)
    progress.onStage('emit', 'start')
    expect(written[0]).toBe('\r\u001b[2Kfusio: emit…  (reso')
  })

  it('writes plain lines on a terminal in CI, or a dumb one', () => {
    for (const env of [{ CI: 'true' }, { TERM: 'dumb' }]) {
      const { out, written } = stream(true, 200)
      const progress = stageProgress(out, env)
      progress.onStage('check', 'start')
      progress.onStage('check', 'end', 411.6)
      progress.done()
      expect(written).toEqual(['fusio: check done in 412 ms\n'])
    }
  })
})
