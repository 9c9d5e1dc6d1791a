/**
 * Shell completion through @oclif/plugin-autocomplete: `fusio autocomplete <shell>` prints the setup and
 * writes the completion functions into the cache folder; the bash one, sourced as a shell would,
 * completes our commands and flags. The cache goes to a temporary FUSIO_CACHE_DIR.
 */
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { COMMANDS } from '../../compiler/cli/index.js'
import { REPO } from '../helpers/projects.js'

const run = promisify(execFile)
const cacheDir = mkdtempSync(join(tmpdir(), 'fusio-completion-'))
const env = { ...process.env, CI: '1', FUSIO_CACHE_DIR: cacheDir }
const fusio = (...args: string[]) => run(process.execPath, [join(REPO, 'bin/fusio'), ...args], { cwd: REPO, env })
// The bash function uses bash-completion's word helpers when the system has them, as an interactive shell does.
const BASH_COMPLETION = '/usr/share/bash-completion/bash_completion'

/** What bash offers for the words typed so far (the last one being completed), as COMP_WORDS splits them. */
async function complete(setup: string, words: readonly string[]): Promise<string[]> {
  const script = [
    existsSync(BASH_COMPLETION) ? `source ${BASH_COMPLETION}` : '',
    setup,
    `COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')})`,
    `COMP_CWORD=${words.length - 1}`,
    `_fusio_autocomplete 2>/dev/null`,
    `printf '%s\\n' "\${COMPREPLY[@]}"`,
  ].join('\n')
  const { stdout } = await run('bash', ['-c', script], { env })
  return stdout.split('\n').filter(Boolean)
}

describe('fusio autocomplete', () => {
  let instructions: string
  beforeAll(async () => {
    instructions = (await fusio('autocomplete', 'bash')).stdout
  })
  afterAll(() => rmSync(cacheDir, { recursive: true, force: true }))

  it('prints the bash setup and writes the completion function', () => {
    expect(instructions).toContain('fusio autocomplete:script bash')
    expect(existsSync(join(cacheDir, 'autocomplete/functions/bash/fusio.bash'))).toBe(true)
  })

  it('lists every command with its flags in the bash function', () => {
    const bash = readFileSync(join(cacheDir, 'autocomplete/functions/bash/fusio.bash'), 'utf8')
    for (const [id, command] of Object.entries(COMMANDS)) {
      const line = bash.split('\n').find((l) => l.split(' ')[0] === id)
      expect(line, id).toBeDefined()
      for (const flag of Object.keys(command.flags ?? {})) expect(line!.split(' '), `${id} --${flag}`).toContain(`--${flag}`)
    }
  })

  it('completes commands and flags in bash', async () => {
    const { stdout: setup } = await fusio('autocomplete:script', 'bash')
    expect(setup).toContain(join(cacheDir, 'autocomplete/bash_setup'))
    expect(await complete(setup, ['fusio', 'bu'])).toEqual(['build'])
    expect(await complete(setup, ['fusio', 'va'])).toEqual(['validate'])
    expect(await complete(setup, ['fusio', 'build', '--ma'])).toEqual(['--manifest'])
    expect(await complete(setup, ['fusio', 'build', '--m'])).toEqual(['--manifest', '--minify'])
    // Bash splits user:add at the colon.
    expect(await complete(setup, ['fusio', 'user', ':', 'add', '--na'])).toEqual(['--name'])
  })

  it('writes a zsh function with every command and its flags', async () => {
    expect((await fusio('autocomplete', 'zsh')).stdout).toContain('fusio autocomplete:script zsh')
    expect((await fusio('autocomplete:script', 'zsh')).stdout).toContain(join(cacheDir, 'autocomplete/zsh_setup'))
    const zsh = readFileSync(join(cacheDir, 'autocomplete/functions/zsh/_fusio'), 'utf8')
    expect(zsh.startsWith('#compdef fusio')).toBe(true)
    for (const [id, command] of Object.entries(COMMANDS)) {
      expect(zsh, id).toContain(`"${id.replace(':', '\\:')}:`)
      for (const flag of Object.keys(command.flags ?? {})) expect(zsh, `${id} --${flag}`).toMatch(new RegExp(`--${flag}[=\\[]`))
    }
  })
})
