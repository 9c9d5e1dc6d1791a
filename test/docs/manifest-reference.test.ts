/**
 * docs/manifest-reference.md is generated from compiler/manifest.schema.json, which is generated from
 * scripts/manifest-schema.mjs: both committed files must be what their scripts write now, and the page
 * must show every key of the schema with its description, default and allowed values.
 */
import { execFileSync } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { REPO } from '../helpers/projects.js'

interface JsonSchema {
  readonly type?: string | readonly string[]
  readonly description?: string
  readonly default?: unknown
  readonly enum?: readonly unknown[]
  readonly properties?: Readonly<Record<string, JsonSchema>>
  readonly additionalProperties?: boolean | JsonSchema
  readonly items?: JsonSchema
  readonly oneOf?: readonly JsonSchema[]
}

const SCHEMA_FILE = join(REPO, 'compiler/manifest.schema.json')
const PAGE_FILE = join(REPO, 'docs/manifest-reference.md')
const schema = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as JsonSchema
const page = readFileSync(PAGE_FILE, 'utf8')
// A computed specifier: the generator is plain JavaScript without type declarations.
const generator = (await import(pathToFileURL(join(REPO, 'scripts/manifest-reference.mjs')).href)) as {
  renderReference(schema: JsonSchema): string
  headingAnchor(heading: string): string
}

/** Every key of every object in the schema, with the dotted path of the object it belongs to. */
function keysOf(node: JsonSchema, path: string, out: { path: string; key: string; schema: JsonSchema }[] = []) {
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    out.push({ path, key, schema: child })
    keysOf(child, path ? `${path}.${key}` : key, out)
  }
  if (typeof node.additionalProperties === 'object') keysOf(node.additionalProperties, path, out)
  if (node.items) keysOf(node.items, path, out)
  for (const alternative of node.oneOf ?? []) keysOf(alternative, path, out)
  return out
}

/** The table rows of the page, their cells unescaped as a reader sees them. */
const rows = page
  .split('\n')
  .filter((line) => line.startsWith('| ') && !line.startsWith('| ---'))
  .map((line) => line.replace(/\\\|/g, '\u0000').split('|').slice(1, -1).map((c) => c.replace(/\u0000/g, '|').trim()))
const unescape = (text: string) => text.replace(/\\\\/g, '\\')
/** The keys a row's first cell names: `a`, `b` (required), or a section's [`name`](#name). */
const keyNames = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1])

const scratch: string[] = []
afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true })
})

describe('docs/manifest-reference.md', () => {
  it('is what scripts/manifest-reference.mjs writes from the committed schema (run `npm run docs`)', () => {
    expect(page).toBe(generator.renderReference(schema))
  })

  it('is built from a schema that is what scripts/manifest-schema.mjs writes (run `npm run docs`)', () => {
    // The script writes next to itself (../compiler/), so a copy of it writes into a scratch folder.
    const dir = mkdtempSync(join(tmpdir(), 'fusio-schema-'))
    scratch.push(dir)
    mkdirSync(join(dir, 'scripts'))
    mkdirSync(join(dir, 'compiler'))
    copyFileSync(join(REPO, 'scripts/manifest-schema.mjs'), join(dir, 'scripts/manifest-schema.mjs'))
    execFileSync(process.execPath, [join(dir, 'scripts/manifest-schema.mjs')])
    expect(readFileSync(join(dir, 'compiler/manifest.schema.json'), 'utf8')).toBe(readFileSync(SCHEMA_FILE, 'utf8'))
  })

  it('has a heading for every section and links only to headings it has', () => {
    const headings = [...page.matchAll(/^#{1,6} (.+)$/gm)].map((m) => m[1])
    const anchors = new Set(headings.map((h) => generator.headingAnchor(h)))
    for (const section of Object.keys(schema.properties ?? {})) expect(headings).toContain(`\`${section}\``)
    const links = [...page.matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1])
    expect(links.length).toBeGreaterThan(Object.keys(schema.properties ?? {}).length)
    for (const link of links) expect(anchors, `#${link}`).toContain(link)
  })

  it('shows every key with its description, default and allowed values', () => {
    const keys = keysOf(schema, '')
    expect(keys.length).toBeGreaterThan(100)
    for (const { path, key, schema: property } of keys) {
      const where = `${path ? `${path}.` : ''}${key}`
      const row = rows.find((cells) => keyNames(cells[0]).includes(key) && (!property.description || unescape(cells[cells.length - 1]) === property.description))
      expect(row, `a row for ${where}`).toBeDefined()
      const text = unescape(row!.join(' | '))
      if ('default' in property) expect(text, `default of ${where}`).toContain(`\`${JSON.stringify(property.default)}\``)
      for (const value of property.enum ?? []) expect(text, `value ${JSON.stringify(value)} of ${where}`).toContain(`\`${JSON.stringify(value)}\``)
      for (const type of [property.type ?? []].flat()) expect(text, `type of ${where}`).toMatch(new RegExp(`\\b${type === 'array' ? 'list' : type === 'object' ? '(object|map)' : type}\\b`))
    }
  })

  it('is linked from the hand-written manifest page', () => {
    expect(readFileSync(join(REPO, 'docs/manifest.md'), 'utf8')).toContain('(manifest-reference.md)')
  })
})
