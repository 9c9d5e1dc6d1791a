// Writes docs/manifest-reference.md from compiler/manifest.schema.json: every section and key with its type,
// allowed values, default and description, nested objects under their own headings. Run by `npm run docs`
// after scripts/manifest-schema.mjs; `--stdout` prints the page instead of writing it.
import { readFileSync, realpathSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const SCHEMA_FILE = new URL('../compiler/manifest.schema.json', import.meta.url)
const PAGE_FILE = new URL('../docs/manifest-reference.md', import.meta.url)

/** The anchor GitHub gives a heading: lower case, punctuation other than - and _ dropped, spaces as -. */
export function headingAnchor(heading) {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-')
}

const code = (text) => `\`${text}\``
// Backslashes outside code spans stay literal (Fusio\Impl\…\* class names).
const prose = (text) =>
  String(text)
    .split(/(`[^`]*`)/)
    .map((part, i) => (i % 2 === 1 ? part : part.replace(/\\/g, '\\\\')))
    .join('')
// A table cell keeps its text on one line and its pipes literal.
const cell = (text) => prose(text).replace(/\|/g, '\\|').replace(/\n/g, ' ')
const sentence = (text) => {
  const trimmed = text.trim()
  const capital = trimmed.charAt(0).toUpperCase() + trimmed.slice(1)
  return prose(/[.!?]$/.test(capital) ? capital : `${capital}.`)
}

const typesOf = (schema) => [].concat(schema.type ?? [])
const hasKeys = (schema) => schema.properties !== undefined && Object.keys(schema.properties).length > 0
/** A map: any key, each value described by additionalProperties. */
const isMap = (schema) => !hasKeys(schema) && typeof schema.additionalProperties === 'object'
/** The value a key leads to when it needs a heading of its own: an object with keys, directly, as list items, map values or an alternative. */
function nestedObject(schema) {
  if (hasKeys(schema)) return schema
  if (schema.items && hasKeys(schema.items)) return schema.items
  if (isMap(schema) && hasKeys(schema.additionalProperties)) return schema.additionalProperties
  return (schema.oneOf ?? []).map(nestedObject).find(Boolean)
}

function constraints(schema) {
  const out = []
  if (schema.enum) out.push(`one of ${schema.enum.map((v) => code(JSON.stringify(v))).join(', ')}`)
  if (schema.pattern) out.push(`matching ${code(schema.pattern)}`)
  if (schema.minimum !== undefined && schema.maximum !== undefined) out.push(`${schema.minimum}–${schema.maximum}`)
  else if (schema.minimum !== undefined) out.push(`≥ ${schema.minimum}`)
  else if (schema.maximum !== undefined) out.push(`≤ ${schema.maximum}`)
  if (schema.minItems !== undefined) out.push(`at least ${schema.minItems}`)
  return out
}

/** One line saying what a value may be: its types, their items or values, and their constraints. */
export function describeType(schema, link) {
  if (schema.oneOf) return schema.oneOf.map((alternative) => describeType(alternative, link)).join(', or ')
  if ('const' in schema) return code(JSON.stringify(schema.const))
  const linked = (text) => (link ? `${text} ([keys](#${link}))` : text)
  const parts = typesOf(schema).map((type) => {
    if (type === 'array') {
      if (!schema.items) return 'list'
      // One value or a list of the same values (the routes era's versions).
      if (hasKeys(schema) && JSON.stringify(schema.items.properties) === JSON.stringify(schema.properties)) return 'a list of them'
      return `list of ${describeType(schema.items, hasKeys(schema.items) ? link : undefined)}`
    }
    if (type === 'object') {
      if (hasKeys(schema)) return linked('object')
      if (isMap(schema)) {
        const keys = schema.propertyNames?.pattern ? `, keys matching ${code(schema.propertyNames.pattern)}` : ''
        return `map of ${describeType(schema.additionalProperties, hasKeys(schema.additionalProperties) ? link : undefined)}${keys}`
      }
      return 'object (any keys)'
    }
    return type
  })
  const text = parts.join(' or ') || 'any value'
  const limits = constraints(schema)
  return limits.length > 0 ? `${text}, ${limits.join(', ')}` : text
}

/** Keys whose schemas are identical share one row (the routes era's GET … DELETE). */
function groupKeys(properties) {
  const groups = []
  for (const [key, value] of Object.entries(properties)) {
    const text = JSON.stringify(value)
    const same = groups.find((g) => g.text === text)
    if (same) same.keys.push(key)
    else groups.push({ keys: [key], value, text })
  }
  return groups
}

/**
 * The page for one manifest JSON Schema, a pure function of it: sections in the schema's order, each
 * with a table of its keys; objects within them get their own heading, linked from their row.
 */
export function renderReference(schema) {
  const anchors = new Set()
  const blocks = []

  function heading(level, path) {
    const text = `${'#'.repeat(level)} ${code(path)}`
    const anchor = headingAnchor(code(path))
    if (anchors.has(anchor)) throw new Error(`two headings would share the anchor #${anchor}`)
    anchors.add(anchor)
    return { text, anchor }
  }

  /** A section or nested object: its description, what its keys are, the table, then its nested objects. */
  function renderObject(level, path, schema, intro) {
    const { text, anchor } = heading(level, path)
    const lines = [text, '']
    if (schema.description) lines.push(sentence(schema.description), '')
    if (intro) lines.push(intro, '')
    const target = nestedObject(schema) ?? schema
    const nested = []
    if (hasKeys(target)) {
      const required = new Set(target.required ?? [])
      lines.push('| key | type | default | meaning |', '| --- | --- | --- | --- |')
      for (const group of groupKeys(target.properties)) {
        const childPath = `${path}.${group.keys[0]}`
        const child = nestedObject(group.value)
        const childAnchor = child ? headingAnchor(code(childPath)) : undefined
        if (child) nested.push({ path: childPath, schema: group.value, keys: group.keys })
        const keys = group.keys.map(code).join(', ') + (group.keys.some((k) => required.has(k)) ? ' (required)' : '')
        const fallback = 'default' in group.value ? code(JSON.stringify(group.value.default)) : ''
        lines.push(`| ${cell(keys)} | ${cell(describeType(group.value, childAnchor))} | ${cell(fallback)} | ${cell(group.value.description ?? '')} |`)
      }
      lines.push('')
      if (target.additionalProperties === false) lines.push('Other keys are errors.', '')
    }
    blocks.push(lines.join('\n'))
    for (const child of nested) {
      const others = child.keys.slice(1).map(code)
      const also = others.length > 0 ? `${others.join(', ')} take the same keys.` : undefined
      renderObject(level + 1 > 4 ? 4 : level + 1, child.path, child.schema, also)
    }
    return anchor
  }

  const sections = Object.entries(schema.properties)
  const intro = [
    '# Manifest reference: every key',
    '',
    'Generated from the JSON Schema of `.fusio.yml`, `compiler/manifest.schema.json`, by `scripts/manifest-reference.mjs`;',
    'run `npm run docs` after changing `scripts/manifest-schema.mjs`, and do not edit this page by hand. How the',
    'manifest is read (`!include`, `${env.X}` and `${dir.X}` placeholders, references between sections), the',
    'built-in action and connection classes with their `config`, and what each section does at run time are in',
    '[manifest.md](manifest.md). Mistakes are reported with file, line and column ([diagnostics.md](diagnostics.md)).',
    '',
    'A map section is keyed by names you choose (an operation id, a schema name…); the table lists the keys of',
    'each of its entries.',
    '',
    '## Sections',
    '',
    '| section | type | meaning |',
    '| --- | --- | --- |',
    ...sections.map(([name, section]) => `| [${code(name)}](#${headingAnchor(code(name))}) | ${cell(describeType(section))} | ${cell(section.description ?? '')} |`),
    '',
    schema.additionalProperties === false ? 'Other sections are errors.\n' : '',
  ]
  anchors.add(headingAnchor('Sections'))
  for (const [name, section] of sections) renderObject(2, name, section, isMap(section) ? entryText(section.additionalProperties) : undefined)
  const page = `${intro.join('\n').trimEnd()}\n\n${blocks.join('\n').trimEnd()}\n`
  // Every link must land on a heading of the page.
  for (const [, target] of page.matchAll(/\]\(#([^)]+)\)/g)) {
    if (!anchors.has(target)) throw new Error(`link to #${target} has no heading`)
  }
  return page
}

/** What each entry of a map section is, and which of its keys it must have. */
function entryText(schema) {
  const required = schema.required ?? []
  const must = required.length > 0 ? `; ${required.map(code).join(', ')} ${required.length === 1 ? 'is' : 'are'} required` : ''
  return `Each entry: ${describeType(schema)}${must}.`
}

function isMain() {
  try {
    return realpathSync(process.argv[1] ?? '') === realpathSync(fileURLToPath(import.meta.url))
  } catch {
    return false
  }
}

if (isMain()) {
  const page = renderReference(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')))
  if (process.argv.includes('--stdout')) process.stdout.write(page)
  else writeFileSync(PAGE_FILE, page)
}
