import { describe, expect, it } from 'vitest'
import { renderDiagnostics } from '../../../compiler/diagnostics/render.js'
import { createMemoryHost } from '../../../compiler/host/index.js'
import { atPointer, entry, load, toPlain, type LMap, type LScalar } from '../../../compiler/load/index.js'

const run = (files: Record<string, string>) => load(createMemoryHost(files), '/p/.fusio.yml')

describe('load', () => {
  it('keeps the file, line and column of every node', () => {
    const result = run({ '/p/.fusio.yml': 'schema:\n  Todo:\n    type: object\n' })
    const node = atPointer(result.value!.root, ['schema', 'Todo', 'type'])!
    expect(node.loc).toEqual({ file: '.fusio.yml', line: 3, column: 11 })
  })

  it('includes YAML, JSON and text files relative to the including file, with their own positions', () => {
    const result = run({
      '/p/.fusio.yml': 'schema: !include resources/schemas.yaml\naction:\n  A: { class: sql-query-all, config: { sql: !include resources/q.sql } }\n',
      '/p/resources/schemas.yaml': 'Todo: !include todo.json\n',
      '/p/resources/todo.json': '{\n  "type": "object"\n}',
      '/p/resources/q.sql': 'SELECT 1',
    })
    expect(result.diagnostics).toEqual([])
    const type = atPointer(result.value!.root, ['schema', 'Todo', 'type'])!
    expect(type.loc).toEqual({ file: 'resources/todo.json', line: 2, column: 11 })
    const sql = atPointer(result.value!.root, ['action', 'A', 'config', 'sql']) as LScalar
    expect(sql.value).toBe('SELECT 1')
    expect(result.value!.files).toEqual(['.fusio.yml', 'resources/q.sql', 'resources/schemas.yaml', 'resources/todo.json'])
  })

  it('picks a sub-tree with a JSON pointer fragment', () => {
    const result = run({
      '/p/.fusio.yml': 'schema:\n  Todo: !include all.json#/definitions/Todo\n',
      '/p/all.json': '{"definitions": {"Todo": {"type": "string"}}}',
    })
    expect(toPlain(atPointer(result.value!.root, ['schema', 'Todo'])!)).toEqual({ type: 'string' })
  })

  it('keeps ${env.X} and ${dir.X} as placeholders and never reads the environment', () => {
    process.env.FUSIO_LOAD_TEST_SECRET = 'must-not-appear'
    const result = run({ '/p/.fusio.yml': 'connection:\n  Db: { class: sql, config: { url: "postgres://u:${env.FUSIO_LOAD_TEST_SECRET}@h/${DIR.src}" } }\n' })
    const url = atPointer(result.value!.root, ['connection', 'Db', 'config', 'url']) as LScalar
    expect(url.template).toEqual(['postgres://u:', { env: 'FUSIO_LOAD_TEST_SECRET' }, '@h/', { dir: 'src' }])
    expect(JSON.stringify(result.value)).not.toContain('must-not-appear')
  })

  it('reads migration files and checks that handler files exist', () => {
    const result = run({
      '/p/.fusio.yml': 'action:\n  H: { class: file, config: { path: h.ts } }\nmigration:\n  Db: [m/001.sql]\n',
      '/p/h.ts': 'export const handler = () => 1',
      '/p/m/001.sql': 'CREATE TABLE t (id INTEGER)',
    })
    expect(result.diagnostics).toEqual([])
    const migration = atPointer(result.value!.root, ['migration', 'Db', '0']) as LScalar
    expect(migration.file).toEqual({ path: 'm/001.sql', content: 'CREATE TABLE t (id INTEGER)' })
    const handler = atPointer(result.value!.root, ['action', 'H', 'config', 'path']) as LScalar
    expect(handler.file).toEqual({ path: 'h.ts' })
  })

  it('resolves YAML merge keys and aliases', () => {
    const result = run({ '/p/.fusio.yml': 'base: &b { public: true, scopes: [a] }\nop:\n  <<: *b\n  scopes: [b]\n' })
    const op = entry(result.value!.root, 'op')!.value as LMap
    expect(toPlain(op)).toEqual({ scopes: ['b'], public: true })
  })

  it.each([
    ['a missing manifest', {}, "error FUSIO_LOAD_FILE_NOT_FOUND: manifest \"/p/.fusio.yml\" does not exist"],
    ['a YAML syntax error', { '/p/.fusio.yml': 'schema:\n  Todo: [1, 2\n' }, '.fusio.yml:3:1: error FUSIO_LOAD_YAML_SYNTAX'],
    ['a duplicate key', { '/p/.fusio.yml': 'schema: {}\nschema: {}\n' }, '.fusio.yml:2:1: error FUSIO_LOAD_YAML_SYNTAX: Map keys must be unique'],
    ['a missing include', { '/p/.fusio.yml': 'schema: !include nope.yaml\n' }, '.fusio.yml:1:9: error FUSIO_LOAD_INCLUDE_NOT_FOUND: included file "nope.yaml" does not exist'],
    ['an include cycle', { '/p/.fusio.yml': 'a: !include b.yaml\n', '/p/b.yaml': 'x: !include .fusio.yml\n' }, 'b.yaml:1:4: error FUSIO_LOAD_INCLUDE_CYCLE: ".fusio.yml" includes itself (.fusio.yml → b.yaml → .fusio.yml)'],
    ['a pointer that selects nothing', { '/p/.fusio.yml': 'a: !include b.json#/nope\n', '/p/b.json': '{}' }, '.fusio.yml:1:4: error FUSIO_LOAD_INCLUDE_POINTER: JSON pointer "#/nope" selects nothing in "b.json"'],
    ['an unknown tag', { '/p/.fusio.yml': 'a: !inclde b.yaml\n' }, '.fusio.yml:1:4: error FUSIO_LOAD_UNKNOWN_TAG: unknown tag "!inclde"'],
    ['an unknown placeholder category', { '/p/.fusio.yml': 'a: "${evn.X}"\n' }, '.fusio.yml:1:4: error FUSIO_LOAD_PLACEHOLDER_CATEGORY: unknown placeholder category "evn" in "${evn.X}"\n  hint: did you mean "env"?'],
    ['an unknown dir', { '/p/.fusio.yml': 'a: "${dir.tmp}"\n' }, '.fusio.yml:1:4: error FUSIO_LOAD_PLACEHOLDER_DIR: unknown directory "tmp" in "${dir.tmp}"\n  hint: did you mean "temp"?'],
    ['a malformed placeholder', { '/p/.fusio.yml': 'a: "${env}"\n' }, '.fusio.yml:1:4: error FUSIO_LOAD_PLACEHOLDER_SYNTAX: placeholder "${env}" is malformed'],
    ['an env placeholder in an include path', { '/p/.fusio.yml': 'a: !include ${env.X}/b.yaml\n' }, '.fusio.yml:1:4: error FUSIO_LOAD_PLACEHOLDER_IN_PATH'],
    ['a missing migration file', { '/p/.fusio.yml': 'migration:\n  Db: [nope.sql]\n' }, '.fusio.yml:2:8: error FUSIO_LOAD_REFERENCED_FILE: file "nope.sql" does not exist'],
  ])('reports %s', (_name, files, expected) => {
    expect(renderDiagnostics(run(files as Record<string, string>).diagnostics)).toContain(expected)
  })
})
