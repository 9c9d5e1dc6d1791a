/**
 * docs/getting-started.md, run as written: its `sh` blocks in bash (one folder and the variables they
 * set carried from block to block), its `file=` blocks written, its `sh background` service started on a
 * free port, and each `text output` block compared with what its command printed.
 *
 * The guide works inside a clone of fusio-ts, where `npx --no-install fusio` runs the clone's own bin.
 * The test stands in for the clone with a scratch folder holding this checkout's package name and bin
 * (bin/ linked to the checkout), so the same npx lookup happens and nothing is written into the repository.
 * The guide's port 8080 becomes the free port, in commands (`localhost:8080`) and in outputs.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { REPO } from '../helpers/projects.js'
import { freePort } from '../helpers/service.js'
import { matchesShown, parseSteps, type Step } from './runnable-markdown.js'

const GUIDE = 'docs/getting-started.md'
const steps = parseSteps(readFileSync(join(REPO, GUIDE), 'utf8'))
const STEP_TIMEOUT = 240_000

// Variables the guide's commands assign, carried into the blocks after them.
const variables = [...new Set(steps.flatMap((s) => (s.kind === 'run' ? [...s.text.matchAll(/^\s*([A-Za-z_]\w*)=/gm)].map((m) => m[1]) : [])))]

// The shell of someone following the guide: no npm script context, no FUSIO_* settings of the test run.
const shellEnv: Record<string, string> = {
  ...Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined && !/^(npm_|FUSIO_)/.test(e[0]) && !['PORT', 'HOST', 'NODE_ENV'].includes(e[0]))),
  PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`,
}

let clone: string
let state: string
let port: number
let cwd: string
let service: { child: ChildProcess; output: () => string } | undefined

const atPort = (text: string) => text.replace(/(localhost|127\.0\.0\.1):8080/g, `$1:${port}`)
const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`

beforeAll(async () => {
  clone = mkdtempSync(join(tmpdir(), 'fusio-guide-'))
  state = mkdtempSync(join(tmpdir(), 'fusio-guide-state-'))
  const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { name: string; version: string; bin: Record<string, string> }
  writeFileSync(join(clone, 'package.json'), JSON.stringify({ name: pkg.name, version: pkg.version, bin: pkg.bin }))
  symlinkSync(join(REPO, 'bin'), join(clone, 'bin'))
  port = await freePort()
  cwd = clone
})

afterAll(async () => {
  await stopService()
  rmSync(clone, { recursive: true, force: true })
  rmSync(state, { recursive: true, force: true })
})

/** Runs one block in bash from the current folder with the variables so far; keeps its folder and variables. */
function runBlock(text: string): Promise<{ stdout: string; stderr: string }> {
  const vars = join(state, 'vars.sh')
  const script = [
    'set -eo pipefail',
    `cd ${quote(cwd)}`,
    `if [ -f ${quote(vars)} ]; then source ${quote(vars)}; fi`,
    atPort(text),
    `pwd > ${quote(join(state, 'cwd'))}`,
    variables.length > 0 ? `declare -p ${variables.join(' ')} > ${quote(vars)} 2>/dev/null || true` : '',
  ].join('\n')
  return new Promise((resolve, reject) => {
    execFile('bash', ['-c', script], { env: shellEnv, timeout: STEP_TIMEOUT, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`exit ${error.code}\n--- stdout\n${stdout}\n--- stderr\n${stderr}`))
      else {
        cwd = readFileSync(join(state, 'cwd'), 'utf8').trim()
        resolve({ stdout, stderr })
      }
    })
  })
}

/** Starts the block's one command (`node dist/server.mjs`) and waits for the line with its URL. */
function startService(text: string): Promise<string> {
  const command = text.trim()
  if (command.includes('\n')) throw new Error('a background block holds one command')
  const child = spawn('bash', ['-c', `cd ${quote(cwd)} && exec ${atPort(command)}`], { env: { ...shellEnv, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  service = { child, output: () => stdout }
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL within 60 s:\n${stdout}\n${stderr}`)), 60_000)
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
      if (new RegExp(`"msg":"[^"]*: http://127\\.0\\.0\\.1:${port}"`).test(stdout)) {
        clearTimeout(timer)
        resolve(stdout)
      }
    })
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.on('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`the service exited with ${code}:\n${stdout}\n${stderr}`))
    })
  })
}

/** Ctrl+C: SIGINT, as the guide says, and wait until the port is free again. */
async function stopService(): Promise<void> {
  const running = service
  service = undefined
  if (!running || running.child.exitCode !== null) return
  const exited = new Promise((resolve) => running.child.once('exit', resolve))
  running.child.kill('SIGINT')
  const timer = setTimeout(() => running.child.kill('SIGKILL'), 15_000)
  await exited
  clearTimeout(timer)
}

/** Fails with a diff of what the guide shows against what was printed. */
function expectShown(actual: string, shown: string | undefined): void {
  if (shown === undefined) return
  const expected = atPort(shown)
  if (!matchesShown(actual, expected)) expect(actual.replace(/\r\n/g, '\n').trim()).toBe(expected)
}

function title(step: Step, index: number): string {
  const first = step.kind === 'file' ? `write ${step.path}` : step.text.split('\n')[0]
  return `${index + 1}. ${step.heading} › ${step.kind === 'background' ? 'start ' : ''}${first} (line ${step.line})`
}

describe('matchesShown, which the guide test relies on', () => {
  it('takes a line of … for any lines and … within a line for any text on it', () => {
    expect(matchesShown('HTTP/1.1 401 Unauthorized\r\na: 1\r\n\r\n{"x":1,"y":2}', 'HTTP/1.1 401 Unauthorized\n…\n{"x":…}')).toBe(true)
    expect(matchesShown('A\nB', 'A\n…\nB')).toBe(true)
    expect(matchesShown('A\nlater', 'A\n…')).toBe(true)
  })

  it('refuses other text, and … reaching across lines', () => {
    expect(matchesShown('HTTP/1.1 200 OK\n\n{"x":1}', 'HTTP/1.1 401 Unauthorized\n…\n{"x":…}')).toBe(false)
    expect(matchesShown('{"a":1}\n{"b":2}', '{"a":…}')).toBe(false)
    expect(matchesShown('A\nmigration\nB', 'A…B')).toBe(false)
  })
})

describe(`${GUIDE}, step by step`, () => {
  it('marks its one-time setup, then runs commands, writes files and starts the service', () => {
    expect(steps.filter((s) => s.kind === 'setup')).toHaveLength(1)
    expect(steps.findIndex((s) => s.kind === 'setup')).toBe(0)
    for (const kind of ['run', 'file', 'background'] as const) expect(steps.some((s) => s.kind === kind), kind).toBe(true)
    expect(steps.filter((s) => s.kind !== 'file' && s.kind !== 'setup' && s.output !== undefined).length).toBeGreaterThan(10)
  })

  steps.forEach((step, index) => {
    if (step.kind === 'setup') return
    it(
      title(step, index),
      async () => {
        if (step.kind === 'file') {
          mkdirSync(dirname(join(cwd, step.path)), { recursive: true })
          writeFileSync(join(cwd, step.path), step.text)
          expect(existsSync(join(cwd, step.path))).toBe(true)
        } else if (step.kind === 'background') {
          await stopService()
          expectShown(await startService(step.text), step.output)
        } else {
          const { stdout } = await runBlock(step.text)
          expectShown(stdout, step.output)
        }
      },
      STEP_TIMEOUT,
    )
  })
})
