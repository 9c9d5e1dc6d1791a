import { describe, expect, it } from 'vitest'
import { renderDiagnostics } from '../../../compiler/diagnostics/render.js'
import { editDistance } from '../../../compiler/diagnostics/suggest.js'
import { createMemoryHost } from '../../../compiler/host/index.js'
import { load } from '../../../compiler/load/index.js'
import { parsePath, routeShape } from '../../../compiler/resolve/paths.js'
import { resolve } from '../../../compiler/resolve/index.js'
import { scopeCovers } from '../../../runtime-min/lifecycle/authenticate.js'

describe('paths', () => {
  it.each([
    ['/todo', '/todo', []],
    ['/todo/:id', '/todo/:id', [{ name: 'id', rest: false }]],
    ['/year/$year<[0-9]{4}>', '/year/:year(^[0-9]{4}$)', [{ name: 'year', pattern: '[0-9]{4}', rest: false }]],
    ['/files/*path', '/files/*', [{ name: 'path', rest: true }]],
    ['/', '/', []],
  ])('%s → %s', (path, url, parameters) => {
    expect(parsePath(path)).toEqual({ ok: true, path: { url, parameters } })
  })

  it('sees that parameters with other names collide', () => {
    expect(routeShape('/todo/:id/tag/:tag')).toBe(routeShape('/todo/:todo_id/tag/:name'))
  })
})

describe('scopes', () => {
  it.each([
    ['todo', 'todo', true],
    ['todo', 'todo.write', true],
    ['todo.write', 'todo', false],
    ['todo.write', 'todo.read', false],
    ['todos', 'todo', false],
  ])('%s covers %s: %s', (granted, required, covers) => {
    expect(scopeCovers(granted, required)).toBe(covers)
  })
})

describe('did you mean', () => {
  it('counts a swap of two letters as one edit', () => {
    expect(editDistance('htpMethod', 'httpMethod')).toBe(1)
    expect(editDistance('pbulic', 'public')).toBe(1)
  })
})

describe('schemas', () => {
  const resolveSchemas = (schemaYaml: string, files: Record<string, string> = {}) => {
    const host = createMemoryHost({
      '/p/.fusio.yml': `${schemaYaml}\naction:\n  S: { class: static-response }\noperation:\n  s.get: { httpMethod: GET, httpPath: /s, public: true, action: S }\n`,
      ...files,
    })
    const result = resolve(load(host, '/p/.fusio.yml').value!)
    return { schemas: Object.fromEntries((result.value?.schemas ?? []).map((s) => [s.key, s.document])), text: renderDiagnostics(result.diagnostics) }
  }

  it('translates a TypeSchema document (root, struct, map, array, reference)', () => {
    const { schemas, text } = resolveSchemas(
      'schema:\n  Shop:\n    root: Shop\n    definitions:\n      Shop: { type: struct, properties: { owner: { type: reference, target: Person }, tags: { type: map, schema: { type: string } }, staff: { type: array, schema: { type: reference, target: Person } } } }\n      Person: { type: struct, properties: { name: { type: string, nullable: true } } }\n',
    )
    expect(text).toBe('')
    expect(schemas.Shop).toEqual({
      type: 'object',
      properties: {
        owner: { $ref: '#/definitions/Shop_Person' },
        tags: { type: 'object', additionalProperties: { type: 'string' } },
        staff: { type: 'array', items: { $ref: '#/definitions/Shop_Person' } },
      },
    })
    expect(schemas.Shop_Person).toEqual({ type: 'object', properties: { name: { type: ['string', 'null'] } } })
  })

  it('resolves references by name, by schema:// and by file, and merges identical nested copies', () => {
    const { schemas, text } = resolveSchemas(
      'schema:\n  Tag: !include tag.json\n  Post: { type: object, properties: { a: { $ref: Tag }, b: { $ref: "schema://Tag" }, c: { $ref: tag.json } } }\n  List: { definitions: { Tag: { type: string } }, type: array, items: { $ref: "#/definitions/Tag" } }\n',
      { '/p/tag.json': '{"type": "string"}' },
    )
    expect(text).toBe('')
    expect(schemas.Post).toEqual({ type: 'object', properties: { a: { $ref: '#/definitions/Tag' }, b: { $ref: '#/definitions/Tag' }, c: { $ref: '#/definitions/Tag' } } })
    expect(schemas.List).toEqual({ type: 'array', items: { $ref: '#/definitions/Tag' } })
    expect(Object.keys(schemas).sort()).toEqual(['List', 'Message', 'Post', 'Tag'])
  })
})
