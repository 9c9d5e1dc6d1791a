/**
 * The layout of generated/ for review: one route file per operation group with only the imports it
 * uses, routes.ts joining them in group order, every file and block naming its manifest entry with a
 * relative file:line, one validator per distinct schema, and warm builds equal to cold ones when
 * manifest lines move.
 */
import { describe, expect, it } from 'vitest'
import { operationGroups } from '../../../compiler/emit/groups.js'
import { createMemoryHost } from '../../../compiler/host/index.js'
import { emitOnly, generate, validate } from '../../../compiler/index.js'

const MANIFEST = `service: { title: Layout test, version: 1.0.0 }
schema:
  Item: { type: object, properties: { id: { type: integer }, name: { type: string } }, required: [id] }
  Item_Create: { type: object, properties: { name: { type: string, minLength: 1 } }, required: [name], additionalProperties: false }
  Category_Create: { type: object, properties: { name: { type: string, minLength: 1 } }, required: [name], additionalProperties: false }
action:
  Static: { class: static-response, config: { response: { id: 1 } } }
operation:
  item.get: { httpMethod: GET, httpPath: "/item/:id", public: true, outgoing: Item, action: Static }
  item.create: { httpMethod: POST, httpPath: /item, public: true, incoming: Item_Create, outgoing: Message, action: Static }
  product.category.create: { httpMethod: POST, httpPath: /category, public: true, description: "Adds */ a category", incoming: Category_Create, outgoing: Message, action: Static }
  product.category.get: { httpMethod: GET, httpPath: "/category/:id", public: true, outgoing: Item, action: Static }
  hello: { httpMethod: GET, httpPath: "/hello/:name", public: true, action: Static }
  home: { httpMethod: GET, httpPath: /, public: true, action: Static }
`

async function emitted(manifest: string, project = '/p'): Promise<Record<string, string>> {
  const result = await emitOnly({ manifest: `${project}/.fusio.yml`, host: createMemoryHost({ [`${project}/.fusio.yml`]: manifest }) })
  expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([])
  return Object.fromEntries(result.files!.map((f) => [f.path, f.contents]))
}

/** The names a file imports from `module`. */
function importsFrom(source: string, module: string): string[] {
  const match = new RegExp(`import \\{([^}]*)\\} from '${module.replace(/\./g, '\\.')}'`).exec(source)
  return match ? match[1].split(',').map((name) => name.trim()).filter(Boolean) : []
}

describe('operation groups', () => {
  it('are the id up to its last dot, else the first literal path segment, else root', async () => {
    const files = await emitted(MANIFEST)
    expect(Object.keys(files).filter((path) => path.startsWith('operations/'))).toEqual([
      'operations/hello.ts',
      'operations/item.ts',
      'operations/product-category.ts',
      'operations/root.ts',
    ])
    expect(files['operations/product-category.ts']).toMatch(/^export const productCategoryRoutes: readonly RouteDefinition\[\] = \[$/m)
    expect(files['operations/root.ts']).toContain("operationId: 'home'")
  })

  it('get file names unique where case does not count, and identifiers unique', async () => {
    const result = await validate({ manifest: '/p/.fusio.yml', host: createMemoryHost({ '/p/.fusio.yml': MANIFEST.replace('  hello:', '  Item.list: { httpMethod: GET, httpPath: /items, public: true, action: Static }\n  hello:') }) })
    const groups = operationGroups(result.model!)
    expect(groups.map((g) => [g.name, g.file, g.identifier])).toEqual([
      ['Item', 'Item', 'itemRoutes'],
      ['hello', 'hello', 'helloRoutes'],
      ['item', 'item-2', 'item2Routes'],
      ['product.category', 'product-category', 'productCategoryRoutes'],
      ['root', 'root', 'rootRoutes'],
    ])
  })

  it('are joined by routes.ts in group order, each file importing only what its routes use', async () => {
    const files = await emitted(MANIFEST)
    expect(files['routes.ts']).toContain('export const routes: readonly RouteDefinition[] = [\n  ...helloRoutes,\n  ...itemRoutes,\n  ...productCategoryRoutes,\n  ...rootRoutes,\n]\n')
    for (const path of Object.keys(files).filter((p) => p.startsWith('operations/'))) {
      const source = files[path]
      const used = [...importsFrom(source, '../validators.js'), ...importsFrom(source, '../serializers.js')]
      const body = source.slice(source.indexOf('export const'))
      for (const name of used) expect(body, `${path} imports ${name}`).toMatch(new RegExp(`\\b${name}\\b`))
      for (const name of body.match(/\b(?:validate|serialize)[A-Z]\w*/g) ?? []) expect(used, `${path} uses ${name}`).toContain(name)
    }
    expect(importsFrom(files['operations/item.ts'], '../validators.js')).toEqual(['validateItemCreate', 'validateItemGetParams'])
    expect(files['operations/hello.ts']).not.toContain('../serializers.js')
  })
})

describe('source locations', () => {
  it('head each group file and each route, relative and the same in any folder', async () => {
    const files = await emitted(MANIFEST)
    const category = files['operations/product-category.ts']
    expect(category.split('\n')[0]).toBe('// Generated by fusio from .fusio.yml (operations product.category.create, product.category.get). Do not edit.')
    expect(category).toContain('/** product.category.create: POST /category — Adds *\\/ a category (.fusio.yml) */')
    expect(files['operations/hello.ts'].split('\n')[0]).toBe('// Generated by fusio from .fusio.yml (operation hello). Do not edit.')
    expect(await emitted(MANIFEST, '/elsewhere/deeper')).toEqual(files)
    for (const [path, contents] of Object.entries(files)) expect(contents, path).not.toMatch(/\/p\/|\/elsewhere/)
  })

  it('name the schema key or operation of each type, validator and serializer', async () => {
    const files = await emitted(MANIFEST)
    expect(files['validators.js']).toContain('// validateCategoryCreate: schema Category_Create (.fusio.yml)\n')
    expect(files['validators.js']).toContain('// validateItemGetParams: path parameters of item.get (.fusio.yml)\n')
    expect(files['serializers.js']).toContain('// serializeMessage: schema Message (built in)\n')
    expect(files['types.ts']).toContain(' * Schema Item (.fusio.yml).\n')
    expect(files['types.ts']).toContain('/** Request of item.get: GET /item/:id (.fusio.yml) */\n')
    expect(files['actions.ts']).toContain('  // declared in .fusio.yml\n  Static: ')
  })

  it('stay put when lines are added to the manifest, and a warm build writes what a cold one writes', async () => {
    const host = createMemoryHost({ '/p/.fusio.yml': MANIFEST })
    const build = async () => Object.fromEntries((await generate({ manifest: '/p/.fusio.yml', host })).files!.map((f) => [f.path, f.contents]))
    const first = await build()
    const moved = MANIFEST.replace('operation:\n', 'operation:\n  # a line more above every operation\n')
    host.files.set('/p/.fusio.yml', moved)
    const warm = await build()
    expect(warm).toEqual(await emitted(moved))
    expect(warm).toEqual(first)
  })
})

describe('validators', () => {
  it('compile one function per distinct schema, exporting the other names as aliases', async () => {
    const files = await emitted(MANIFEST)
    const js = files['validators.js']
    expect(js).toContain('// validateItemCreate: schema Item_Create (.fusio.yml), the same schema as validateCategoryCreate\nexport const validateItemCreate = validateCategoryCreate\n')
    expect(js).toContain('export const validateProductCategoryGetParams = validateItemGetParams\n')
    // Category_Create (and Item_Create), the path parameters of hello, those of item.get (and product.category.get).
    expect(js.match(/= \(\(\) => \{/g)).toHaveLength(3)
    expect(files['validators.d.ts']).toContain('export declare const validateItemCreate: ValidateFunction')
    // An alias comes after the function it names.
    expect(js.indexOf('export const validateCategoryCreate =')).toBeLessThan(js.indexOf('export const validateItemCreate ='))
  })
})
