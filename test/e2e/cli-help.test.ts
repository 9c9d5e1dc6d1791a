/**
 * Every command in COMMANDS is documented the way an oclif user expects: a description, a summary
 * that fits the command list, examples that run the command, and `--help` showing them. Walking
 * COMMANDS holds every new command to the same bar.
 */
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { COMMANDS } from '../../compiler/cli/index.js'
import { REPO } from '../helpers/projects.js'

const run = promisify(execFile)
const commands = Object.entries(COMMANDS).sort(([a], [b]) => (a < b ? -1 : 1))

describe('command help', () => {
  it.each(commands)('%s has a description, a short summary and examples of itself', (id, command) => {
    expect(command.description?.trim()).toBeTruthy()
    // `fusio --help` lists the summary (or the description's first line) beside each name.
    const summary = command.summary ?? command.description!.split('\n')[0]!
    expect(summary.length).toBeLessThanOrEqual(120)
    const examples = (command.examples ?? []).map((example) => (typeof example === 'string' ? example : example.command))
    expect(examples.length).toBeGreaterThan(0)
    expect(examples.some((example) => example.includes(`<%= config.bin %> ${id}`))).toBe(true)
  })

  it.each(commands)('fusio %s --help shows its examples', async (id) => {
    const { stdout } = await run(process.execPath, [join(REPO, 'bin/fusio'), id, '--help'], { cwd: REPO, env: { ...process.env, CI: '1' } })
    expect(stdout).toMatch(/^USAGE\n {2}\$ fusio /m)
    expect(stdout).toMatch(/^EXAMPLES\n/m)
    expect(stdout).toContain(`fusio ${id}`)
    expect(stdout).not.toContain('<%')
  })
})
