/** The code frame under a diagnostic: the right lines, the caret under the reported column, tabs and long lines. */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { stripVTControlCharacters } from 'node:util'
import { describe, expect, it } from 'vitest'
import { codeFrame } from '../../../compiler/diagnostics/code-frame.js'
import { renderDiagnostic } from '../../../compiler/diagnostics/render.js'
import { validate } from '../../../compiler/index.js'
import { REPO } from '../../helpers/projects.js'

const BAD = join(REPO, 'test/fixtures/bad')
const plain = { color: false }

/** The frame's pointed line (text after the gutter), its number, and the caret's column in that text. */
function parse(frame: string) {
  const rows = frame.split('\n')
  const bar = rows[0]!.indexOf('|')
  const pointed = rows.find((row) => row.startsWith('>'))!
  return {
    number: Number(pointed.slice(1, bar).trim()),
    text: pointed.slice(bar + 2),
    caret: rows.at(-1)!.indexOf('^') - (bar + 2),
    rows,
  }
}

describe('codeFrame', () => {
  it('shows the line above and the pointed line, numbered, with a caret under the column', () => {
    const source = 'operation:\n  todo.getAll: { httpMetod: GET, httpPath: /todo }\n'
    expect(codeFrame(source, { line: 2, column: 18 }, plain)!.split('\n')).toEqual([
      '  1 | operation:',
      '> 2 |   todo.getAll: { httpMetod: GET, httpPath: /todo }',
      '    |                  ^',
    ])
  })

  it.each(readdirSync(BAD).sort())('puts the caret under each diagnostic of bad/%s', async (name) => {
    const result = await validate({ manifest: join(BAD, name, '.fusio.yml') })
    const located = result.diagnostics.filter((d) => d.location)
    expect(located.length).toBeGreaterThan(0)
    for (const { location } of located) {
      const line = readFileSync(join(BAD, name, location!.file), 'utf8').split('\n')[location!.line - 1]!
      const frame = parse(codeFrame(readFileSync(join(BAD, name, location!.file), 'utf8'), location!, { color: false, width: 1000 })!)
      expect(frame.number).toBe(location!.line)
      expect(frame.text).toBe(line.trimEnd())
      expect(frame.caret).toBe(location!.column - 1)
      expect(frame.rows).toHaveLength(location!.line === 1 ? 2 : 3)
    }
  })

  it('widens tabs to the next stop in the line and under it', () => {
    const frame = parse(codeFrame('a:\n\tb:\tc\n', { line: 2, column: 4 }, plain)!)
    expect(frame.text).toBe('    b:  c')
    expect(frame.text[frame.caret]).toBe(' ')
    expect(frame.caret).toBe(6)
    expect(parse(codeFrame('a:\n\tb:\tc\n', { line: 2, column: 5 }, plain)!).caret).toBe(8)
  })

  it('counts a character outside the BMP as one column', () => {
    const frame = parse(codeFrame('title: "🦊 x"', { line: 1, column: 12 }, plain)!)
    expect(frame.text[0]).toBe('t')
    expect([...frame.text][frame.caret]).toBe('x')
  })

  it('cuts a long line around the caret, the same way for the line above', () => {
    const long = Array.from({ length: 60 }, (_, i) => `k${i}: v${i}`).join(', ')
    const column = long.indexOf('k40') + 1
    const frame = parse(codeFrame(`${long}\n${long}`, { line: 2, column }, { color: false, width: 60 })!)
    expect(frame.text).toHaveLength(60)
    expect(frame.text.startsWith('…')).toBe(true)
    expect(frame.text.endsWith('…')).toBe(true)
    expect(frame.text.slice(frame.caret, frame.caret + 3)).toBe('k40')
    expect(frame.rows[0]).toBe(frame.rows[1]!.replace('>', ' ').replace(' 2 ', ' 1 '))
  })

  it('keeps the end of a long line whole when the caret is near it', () => {
    const long = `${'x'.repeat(150)}END`
    const frame = parse(codeFrame(long, { line: 1, column: 151 }, { color: false, width: 40 })!)
    expect(frame.text.endsWith('END')).toBe(true)
    expect(frame.text[frame.caret]).toBe('E')
  })

  it('handles CRLF, a column past the end of the line, and positions outside the file', () => {
    const source = 'a: 1\r\nb: 2\r\n'
    expect(parse(codeFrame(source, { line: 2, column: 99 }, plain)!)).toMatchObject({ text: 'b: 2', caret: 4 })
    expect(codeFrame(source, { line: 9, column: 1 }, plain)).toBeUndefined()
    expect(codeFrame(source, { line: 0, column: 1 }, plain)).toBeUndefined()
  })

  it('colours the marker and caret by severity, and is the same text without colour', () => {
    const source = 'a: 1\nb: 2\n'
    const error = codeFrame(source, { line: 2, column: 1 }, { color: true, severity: 'error' })!
    const warning = codeFrame(source, { line: 2, column: 1 }, { color: true, severity: 'warning' })!
    expect(error).toContain('\u001b[31;1m^\u001b[0m')
    expect(warning).toContain('\u001b[33;1m^\u001b[0m')
    expect(stripVTControlCharacters(error)).toBe(codeFrame(source, { line: 2, column: 1 }, plain))
  })
})

describe('renderDiagnostic with sources', () => {
  const d = {
    code: 'FUSIO_RESOLVE_UNKNOWN_KEY',
    severity: 'error',
    message: 'unknown key "httpMetod"',
    location: { file: '.fusio.yml', line: 2, column: 3 },
    hint: 'did you mean "httpMethod"?',
  } as const

  it('keeps the one-line head, then the frame, then the hint', () => {
    const rendered = renderDiagnostic(d, { color: false, readSource: (file) => (file === '.fusio.yml' ? 'operation:\n  httpMetod: GET\n' : undefined) })
    expect(rendered.split('\n')).toEqual([
      '.fusio.yml:2:3: error FUSIO_RESOLVE_UNKNOWN_KEY: unknown key "httpMetod"',
      '    1 | operation:',
      '  > 2 |   httpMetod: GET',
      '      |   ^',
      '  hint: did you mean "httpMethod"?',
    ])
  })

  it('leaves the frame out when the file cannot be read', () => {
    expect(renderDiagnostic(d, { color: false, readSource: () => undefined })).toBe(renderDiagnostic(d))
  })
})
