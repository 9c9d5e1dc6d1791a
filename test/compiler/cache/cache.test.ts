/**
 * The emit cache never serves stale output: after any change, a build that reuses the cache writes
 * exactly what a build without it writes; and it is really reused (tampering with it shows).
 */
import { describe, expect, it } from 'vitest'
import { Cache } from '../../../compiler/cache/index.js'
import { createMemoryHost, type MemoryHost } from '../../../compiler/host/index.js'
import { emitOnly, generate } from '../../../compiler/index.js'

const MANIFEST = `service: { title: Cache test, version: 1.0.0 }
schema:
  Item: { type: object, properties: { id: { type: integer }, name: { type: string, maxLength: 100 } }, required: [id] }
  Item_Create: { type: object, properties: { name: { type: string, minLength: 1 }, email: { type: string, format: email } }, required: [name] }
action:
  Static: { class: static-response, config: { response: { id: 1, name: cached } } }
operation:
  item.get: { httpMethod: GET, httpPath: "/item/:id", public: true, parameters: { verbose: { type: boolean } }, outgoing: Item, action: Static }
  item.create: { httpMethod: POST, httpPath: /item, public: true, incoming: Item_Create, outgoing: Message, action: Static }
  item.list: { httpMethod: GET, httpPath: /item, public: true, parameters: { count: { type: integer, maximum: 16 } }, outgoing: Item, action: Static }
`

const CACHE = '/p/.fusio/emit-cache/'

async function generated(host: MemoryHost): Promise<Record<string, string>> {
  const result = await generate({ manifest: '/p/.fusio.yml', host })
  expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([])
  return Object.fromEntries(result.files!.map((f) => [f.path, f.contents]))
}

/** Builds `before`, then `after` with the cache the first build left; returns both and a build of `after` from scratch. */
async function rebuild(before: string, after: string) {
  const host = createMemoryHost({ '/p/.fusio.yml': before })
  const first = await generated(host)
  host.files.set('/p/.fusio.yml', after)
  const warm = await generated(host)
  const cold = await generated(createMemoryHost({ '/p/.fusio.yml': after }))
  return { first, warm, cold }
}

describe('the emit cache', () => {
  it('is kept by a build that writes, and reused by the next one', async () => {
    const host = createMemoryHost({ '/p/.fusio.yml': MANIFEST })
    const first = await generated(host)
    const spaces = [...host.files.keys()].filter((path) => path.startsWith(CACHE)).sort()
    expect(spaces).toEqual(['ajv', 'fast-json-stringify', 'json-schema-to-typescript', 'prettier-babel', 'prettier-typescript'].map((s) => `${CACHE}${s}.json`))
    expect(await generated(host)).toEqual(first)
    // Every formatted TypeScript piece replaced: the next build prints what the cache says.
    const pieces = JSON.parse(host.files.get(`${CACHE}prettier-typescript.json`)!) as Record<string, string>
    host.files.set(`${CACHE}prettier-typescript.json`, JSON.stringify(Object.fromEntries(Object.keys(pieces).map((key) => [key, '// from the cache\n']))))
    expect((await generated(host))['routes.ts']).toContain('// from the cache')
  })

  it('serves no stale output after a schema changes', async () => {
    const { first, warm, cold } = await rebuild(MANIFEST, MANIFEST.replace('maxLength: 100 }', 'maxLength: 100 }, price: { type: number }'))
    expect(warm).toEqual(cold)
    expect(warm['serializers.js']).not.toEqual(first['serializers.js'])
    expect(warm['types.ts']).not.toEqual(first['types.ts'])
  })

  it('serves no stale output after an operation changes', async () => {
    const { first, warm, cold } = await rebuild(MANIFEST, MANIFEST.replace('"/item/:id", public: true, parameters: { verbose', '"/item/:id/:part", public: true, parameters: { verbose'))
    expect(warm).toEqual(cold)
    expect(warm['validators.js']).not.toEqual(first['validators.js'])
    expect(warm['operations/item.ts']).not.toEqual(first['operations/item.ts'])
  })

  it('serves no stale output when an added operation renumbers the validators after it', async () => {
    const added = '  a.first: { httpMethod: GET, httpPath: /a, public: true, parameters: { q: { type: string, maxLength: 5 } }, outgoing: Item, action: Static }\n'
    const { first, warm, cold } = await rebuild(MANIFEST, MANIFEST.replace('operation:\n', `operation:\n${added}`))
    expect(warm).toEqual(cold)
    expect(warm['validators.js']).toMatch(/^export const validateAFirstQuery/m)
    expect(warm['validators.js']).not.toEqual(first['validators.js'])
  })

  it('keeps only what the last build used', async () => {
    const host = createMemoryHost({ '/p/.fusio.yml': MANIFEST })
    await generated(host)
    host.files.set('/p/.fusio.yml', MANIFEST.replace('maxLength: 100 }', 'maxLength: 100 }, price: { type: number }'))
    await generated(host)
    const kept = JSON.parse(host.files.get(`${CACHE}json-schema-to-typescript.json`)!) as Record<string, string>
    expect(Object.keys(kept)).toHaveLength(1)
    expect(Object.values(kept)[0]).toContain('price?: number')
  })

  it('leaves the project folder alone when it only emits', async () => {
    const host = createMemoryHost({ '/p/.fusio.yml': MANIFEST })
    expect((await emitOnly({ manifest: '/p/.fusio.yml', host })).ok).toBe(true)
    expect([...host.files.keys()]).toEqual(['/p/.fusio.yml'])
  })
})

describe('Cache', () => {
  const store = () => ({ host: createMemoryHost(), dir: '/p/store' })

  it('never serves what another compiler version stored', () => {
    const shared = store()
    const old = new Cache('compiler 1', shared)
    old.set('space', 'input', 'old output')
    old.flush()
    expect(new Cache('compiler 1', shared).get('space', 'input')).toBe('old output')
    const next = new Cache('compiler 2', shared)
    expect(next.get('space', 'input')).toBeUndefined()
    next.set('space', 'input', 'new output')
    next.flush()
    expect(new Cache('compiler 1', shared).get('space', 'input')).toBeUndefined()
    expect(new Cache('compiler 2', shared).get('space', 'input')).toBe('new output')
  })

  it('keys an entry on its whole input and space', () => {
    const cache = new Cache('v', store())
    cache.set('space', 'input', 'output')
    expect(cache.get('space', 'input ')).toBeUndefined()
    expect(cache.get('other', 'input')).toBeUndefined()
    expect(cache.get('space', 'input')).toBe('output')
  })

  it('computes once, and keeps nothing when the computation throws', async () => {
    const cache = new Cache('v', store())
    let runs = 0
    const compute = () => `value ${++runs}`
    expect(await cache.memo('space', 'input', compute)).toBe('value 1')
    expect(await cache.memo('space', 'input', compute)).toBe('value 1')
    await expect(cache.memo('space', 'failing', () => Promise.reject(new Error('bad schema')))).rejects.toThrow('bad schema')
    expect(cache.get('space', 'failing')).toBeUndefined()
  })

  it('treats an unreadable file (a write cut short) as empty', () => {
    const shared = store()
    shared.host.writeFile('/p/store/space.json', '{"abc": "trunc')
    expect(new Cache('v', shared).get('space', 'input')).toBeUndefined()
  })

  it('rewrites a space only when this run changed what it holds', () => {
    const shared = store()
    const first = new Cache('v', shared)
    first.set('space', 'input', 'output')
    first.flush()
    shared.host.writeFile('/p/store/space.json', shared.host.readFile('/p/store/space.json')!.replace('\n', ' \n'))
    const second = new Cache('v', shared)
    second.get('space', 'input')
    second.flush()
    expect(shared.host.readFile('/p/store/space.json')).toMatch(/ \n$/)
  })
})
