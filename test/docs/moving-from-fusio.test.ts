/**
 * docs/moving-from-fusio.md: the Fusio classes it says carry over resolve to built-ins, the ones it says
 * are not supported are not, and what it says is reported at build time is reported, with that code.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { validate } from '../../compiler/index.js'
import { CODES } from '../../compiler/diagnostics/codes.js'
import { findAction, findConnection, isNotYetSupported } from '../../compiler/resolve/classes.js'
import { REPO } from '../helpers/projects.js'

const page = readFileSync(join(REPO, 'docs/moving-from-fusio.md'), 'utf8')

/** The text from a heading to the next heading of the same or a higher level. */
function section(heading: string): string {
  const start = page.indexOf(`\n${heading}\n`)
  if (start < 0) throw new Error(`no heading "${heading}"`)
  const level = /^#+/.exec(heading)![0].length
  const rest = page.slice(start + heading.length + 2)
  const end = rest.search(new RegExp(`\\n#{1,${level}} `))
  return end < 0 ? rest : rest.slice(0, end)
}
const codeSpans = (text: string) => [...text.matchAll(/`([^`]+)`/g)].map((m) => m[1])
const isClassName = (text: string) => /^Fusio\\/.test(text) || /^[A-Z][A-Za-z]*(-[A-Za-z/]+)+$/.test(text)

const scratch = mkdtempSync(join(tmpdir(), 'fusio-moving-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

describe('docs/moving-from-fusio.md', () => {
  it('names only classes that resolve to a built-in action or connection as carried over', () => {
    const rows = section('### Actions and connections')
      .split('\n')
      .filter((line) => line.startsWith('| ') && !line.startsWith('| ---') && !line.startsWith('| family'))
    const names = rows.flatMap((row) => codeSpans(row.split(' | ')[1]).filter(isClassName))
    expect(names.length).toBeGreaterThan(25)
    for (const name of names) expect(findAction(name) ?? findConnection(name), name).toBeDefined()
  })

  it('names as not supported yet only classes the compiler recognises but does not build', () => {
    const unsupported = codeSpans(section('## Not supported yet').split('\n- ')[1]).filter(isClassName)
    expect(unsupported.length).toBeGreaterThan(10)
    for (const name of unsupported) {
      expect(isNotYetSupported(name), name).toBe(true)
      expect(findAction(name) ?? findConnection(name), name).toBeUndefined()
    }
  })

  it('names only diagnostic codes of the catalog', () => {
    const codes = page.match(/FUSIO_(?:LOAD|RESOLVE|EMIT|CHECK|BUNDLE)_[A-Z_]+/g) ?? []
    expect(codes.length).toBeGreaterThan(3)
    for (const code of codes) expect(Object.keys(CODES), code).toContain(code)
  })

  it('reports at build time what it says is reported, with those codes', async () => {
    const manifest = join(scratch, '.fusio.yml')
    writeFileSync(
      manifest,
      [
        'action:',
        '  AB: { class: Util-A/B-Test }',
        '  Worker: { class: Worker-Javascript }',
        "  Static: { class: Util-Static-Response, config: { response: '{}' } }",
        'operation:',
        '  ab.test: { httpMethod: GET, httpPath: /a, public: true, action: AB }',
        '  php.ref: { httpMethod: GET, httpPath: /b, public: true, action: "php+class://Acme.Hello" }',
        '  action.ref: { httpMethod: GET, httpPath: /c, public: true, action: "action://Static" }',
        '  xml.out: { httpMethod: GET, httpPath: /d, public: true, outgoing: "mime://application/xml", action: Static }',
        'cronjob:',
        '  Nightly: { cron: "0 3 * * *", action: Static }',
        '',
      ].join('\n'),
    )
    const result = await validate({ manifest })
    const found = result.diagnostics.map((d) => `${d.code} ${d.message}`)
    expect(result.ok).toBe(false)
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^FUSIO_RESOLVE_UNSUPPORTED_ACTION .*Util-A\/B-Test/),
        expect.stringMatching(/^FUSIO_RESOLVE_UNKNOWN_ACTION_CLASS .*Worker-Javascript/),
        expect.stringMatching(/^FUSIO_RESOLVE_UNKNOWN_ACTION .*php\+class:\/\/Acme\.Hello/),
        expect.stringMatching(/^FUSIO_RESOLVE_UNKNOWN_ACTION .*action:\/\/Static/),
        expect.stringMatching(/^FUSIO_RESOLVE_UNKNOWN_SCHEMA .*mime:\/\/application\/xml/),
        expect.stringMatching(/^FUSIO_RESOLVE_SECTION_IGNORED .*cronjob/),
      ]),
    )
    for (const code of ['FUSIO_RESOLVE_UNSUPPORTED_ACTION', 'FUSIO_RESOLVE_UNKNOWN_ACTION_CLASS', 'FUSIO_RESOLVE_UNKNOWN_ACTION', 'FUSIO_RESOLVE_UNKNOWN_SCHEMA', 'FUSIO_RESOLVE_SECTION_IGNORED']) {
      expect(page).toContain(code)
    }
  })
})
