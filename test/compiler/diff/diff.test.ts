/**
 * diffModels on pairs of manifests: one base API, and per row the edit that makes head and the
 * changes expected, each as `operation code field breaking|ok`. Manifests are JSON (valid YAML) read
 * through the memory host, so every row runs the real load → resolve → model stages.
 */
import { describe, expect, it } from 'vitest'
import { CHANGES, diffModels, type ApiChange } from '../../../compiler/diff/index.js'
import { createMemoryHost } from '../../../compiler/host/index.js'
import type { Model } from '../../../compiler/model/index.js'
import { runPipeline } from '../../../compiler/pipeline.js'

type Spec = {
  service?: Record<string, unknown>
  schema: Record<string, any>
  action: Record<string, unknown>
  operation: Record<string, any>
}

function baseSpec(): Spec {
  return {
    schema: {
      Item: {
        type: 'object',
        description: 'An item',
        properties: {
          id: { type: 'integer' },
          title: { type: 'string', maxLength: 100 },
          state: { type: 'string', enum: ['open', 'done'] },
          note: { type: ['string', 'integer'] },
          tags: { type: 'array', items: { type: 'string' } },
        },
        required: ['id', 'title'],
      },
      Item_List: { type: 'object', properties: { total: { type: 'integer' }, entry: { type: 'array', items: { $ref: 'Item' } } } },
      Item_Create: {
        type: 'object',
        properties: {
          title: { type: 'string', minLength: 1, maxLength: 100, description: 'what to do' },
          state: { type: 'string', enum: ['open', 'done'] },
          count: { type: 'integer' },
          label: { type: ['string', 'integer'] },
          due: { type: 'string' },
        },
        required: ['title'],
      },
      Node: { type: 'object', properties: { name: { type: 'string' }, children: { type: 'array', items: { $ref: 'Node' } } } },
    },
    action: { Static: { class: 'static-response' } },
    operation: {
      'items.list': {
        httpMethod: 'GET',
        httpPath: '/items',
        public: true,
        stability: 1,
        description: 'Lists items',
        parameters: { count: { type: 'number' }, sort: { type: 'string', enum: ['id', 'title'] } },
        outgoing: 'Item_List',
        action: 'Static',
      },
      'items.get': { httpMethod: 'GET', httpPath: '/items/:id', public: true, outgoing: 'Item', throws: { 404: 'Message' }, action: 'Static' },
      'items.create': { httpMethod: 'POST', httpPath: '/items', httpCode: 201, scopes: ['items'], incoming: 'Item_Create', outgoing: 'Message', action: 'Static' },
      'items.update': { httpMethod: 'PUT', httpPath: '/items/$id<[0-9]+>', scopes: ['items'], parameters: { id: { type: 'integer' } }, incoming: 'Passthru', outgoing: 'Message', action: 'Static' },
      'items.delete': { httpMethod: 'DELETE', httpPath: '/items/:id', scopes: ['items', 'admin'], outgoing: 'Message', action: 'Static' },
      'tree.get': { httpMethod: 'GET', httpPath: '/tree', public: true, outgoing: 'Node', action: 'Static' },
    },
  }
}

async function modelOf(spec: Spec): Promise<Model> {
  const host = createMemoryHost({ '/p/.fusio.yml': JSON.stringify(spec, null, 1) })
  const result = await runPipeline({ host, manifest: '/p/.fusio.yml', outDir: 'generated', distDir: 'dist', until: 'model' })
  if (!result.model) throw new Error(result.diagnostics.map((d) => `${d.code}: ${d.message}`).join('\n'))
  return result.model
}

function summary(change: ApiChange): string {
  return `${change.operation ?? '-'} ${change.code} ${change.field ?? '-'} ${change.breaking ? 'breaking' : 'ok'}`
}

type Edit = (spec: Spec) => void

interface Row {
  readonly name: string
  readonly head?: Edit
  /** Applied to base, for changes that start from another state than baseSpec(). */
  readonly base?: Edit
  readonly expected: readonly string[]
}

const op = (spec: Spec, id: string) => spec.operation[id]
const props = (spec: Spec, schema: string) => spec.schema[schema].properties

const ROWS: Row[] = [
  { name: 'no change', expected: [] },
  {
    name: 'only cosmetic changes (descriptions)',
    head: (s) => {
      op(s, 'items.list').description = 'Lists every item'
      s.schema.Item.description = 'One item'
      props(s, 'Item_Create').title.description = 'what needs doing'
    },
    expected: [],
  },
  // operations
  {
    name: 'operation added',
    head: (s) => void (s.operation['items.count'] = { httpMethod: 'GET', httpPath: '/items/count', public: true, action: 'Static' }),
    expected: ['items.count operation-added - ok'],
  },
  { name: 'operation removed', head: (s) => delete s.operation['items.delete'], expected: ['items.delete operation-removed - breaking'] },
  {
    name: 'operation renamed (same method and path)',
    head: (s) => {
      s.operation['items.fetch'] = op(s, 'items.get')
      delete s.operation['items.get']
    },
    expected: ['items.fetch operation-renamed - breaking'],
  },
  { name: 'path changed', head: (s) => void (op(s, 'items.get').httpPath = '/item/:id'), expected: ['items.get path-changed - breaking'] },
  { name: 'path parameter pattern added', head: (s) => void (op(s, 'items.get').httpPath = '/items/$id<[0-9]+>'), expected: ['items.get path-changed - breaking'] },
  { name: 'path parameter renamed', head: (s) => void (op(s, 'items.get').httpPath = '/items/:itemId'), expected: ['items.get path-parameter-renamed - ok'] },
  { name: 'method changed', head: (s) => void (op(s, 'items.update').httpMethod = 'PATCH'), expected: ['items.update method-changed - breaking'] },
  {
    name: 'success status changed',
    head: (s) => void (op(s, 'items.create').httpCode = 200),
    expected: ['items.create success-status-changed - breaking'],
  },
  { name: 'operation deactivated', head: (s) => void (op(s, 'items.get').active = false), expected: ['items.get operation-deactivated - breaking'] },
  {
    name: 'operation activated',
    base: (s) => void (op(s, 'items.get').active = false),
    expected: ['items.get operation-activated - ok'],
  },
  {
    name: 'service base path changed',
    head: (s) => void (s.service = { title: 'Items', basePath: '/v2' }),
    base: (s) => void (s.service = { title: 'Items', basePath: '/v1' }),
    expected: ['- base-path-changed - breaking'],
  },
  // access
  {
    name: 'public to private',
    head: (s) => Object.assign(op(s, 'items.list'), { public: false, scopes: ['items'] }),
    expected: ['items.list public-to-private - breaking'],
  },
  {
    name: 'private to public',
    head: (s) => void (op(s, 'items.create').public = true),
    expected: ['items.create private-to-public - ok'],
  },
  { name: 'scope added (any one scope is enough)', head: (s) => void op(s, 'items.create').scopes.push('admin'), expected: ['items.create scope-added - ok'] },
  { name: 'scope removed', head: (s) => void (op(s, 'items.delete').scopes = ['items']), expected: ['items.delete scope-removed - breaking'] },
  { name: 'scopes of a public operation do not matter', head: (s) => void (op(s, 'items.list').scopes = ['items']), expected: [] },
  // lifecycle
  { name: 'deprecated', head: (s) => void (op(s, 'items.list').stability = 0), expected: ['items.list deprecated - ok'] },
  { name: 'stability changed', head: (s) => void (op(s, 'items.list').stability = 2), expected: ['items.list stability-changed - ok'] },
  // query parameters
  {
    name: 'required query parameter added',
    head: (s) => void (op(s, 'items.list').parameters.q = { type: 'string', required: true }),
    expected: ['items.list parameter-added-required query.q breaking'],
  },
  {
    name: 'optional query parameter added',
    head: (s) => void (op(s, 'items.list').parameters.q = { type: 'string' }),
    expected: ['items.list parameter-added-optional query.q ok'],
  },
  { name: 'query parameter removed', head: (s) => delete op(s, 'items.list').parameters.sort, expected: ['items.list query-parameter-removed query.sort breaking'] },
  {
    name: 'query parameter type narrowed (number to integer)',
    head: (s) => void (op(s, 'items.list').parameters.count.type = 'integer'),
    expected: ['items.list request-type-narrowed query.count breaking'],
  },
  {
    name: 'query parameter enum narrowed',
    head: (s) => void (op(s, 'items.list').parameters.sort.enum = ['id']),
    expected: ['items.list request-enum-narrowed query.sort breaking'],
  },
  {
    name: 'path parameter type changed',
    head: (s) => void (op(s, 'items.update').parameters.id.type = 'string'),
    expected: ['items.update request-type-narrowed path.id breaking'],
  },
  // request body
  {
    name: 'required body property added',
    head: (s) => {
      props(s, 'Item_Create').priority = { type: 'integer' }
      s.schema.Item_Create.required.push('priority')
    },
    expected: ['items.create request-required-added body.priority breaking'],
  },
  {
    name: 'optional body property became required',
    head: (s) => void s.schema.Item_Create.required.push('state'),
    expected: ['items.create request-required-added body.state breaking'],
  },
  {
    name: 'optional body property added',
    head: (s) => void (props(s, 'Item_Create').priority = { type: 'integer' }),
    expected: ['items.create request-optional-added body.priority ok'],
  },
  { name: 'body property removed', head: (s) => delete props(s, 'Item_Create').count, expected: ['items.create request-property-removed body.count breaking'] },
  {
    name: 'required body property became optional',
    head: (s) => void (s.schema.Item_Create.required = []),
    expected: ['items.create request-required-removed body.title ok'],
  },
  {
    name: 'body type narrowed',
    head: (s) => void (props(s, 'Item_Create').label.type = 'string'),
    expected: ['items.create request-type-narrowed body.label breaking'],
  },
  {
    name: 'body type widened (integer to number, nullable)',
    head: (s) => {
      props(s, 'Item_Create').count.type = 'number'
      props(s, 'Item_Create').due.type = ['string', 'null']
    },
    expected: ['items.create request-type-widened body.count ok', 'items.create request-type-widened body.due ok'],
  },
  {
    name: 'body enum narrowed',
    head: (s) => void (props(s, 'Item_Create').state.enum = ['open']),
    expected: ['items.create request-enum-narrowed body.state breaking'],
  },
  {
    name: 'body enum widened',
    head: (s) => void props(s, 'Item_Create').state.enum.push('archived'),
    expected: ['items.create request-enum-widened body.state ok'],
  },
  {
    name: 'body value newly limited to an enum',
    head: (s) => void (props(s, 'Item_Create').due.enum = ['today', 'tomorrow']),
    expected: ['items.create request-enum-narrowed body.due breaking'],
  },
  {
    name: 'body constraints tightened (maxLength, pattern, closed object)',
    head: (s) => {
      Object.assign(props(s, 'Item_Create').title, { maxLength: 50, pattern: '^[a-z]' })
      s.schema.Item_Create.additionalProperties = false
    },
    expected: ['items.create request-constraint-tightened body breaking', 'items.create request-constraint-tightened body.title breaking', 'items.create request-constraint-tightened body.title breaking'],
  },
  {
    name: 'body constraints loosened',
    head: (s) => {
      props(s, 'Item_Create').title.maxLength = 200
      delete props(s, 'Item_Create').title.minLength
    },
    expected: ['items.create request-constraint-loosened body.title ok', 'items.create request-constraint-loosened body.title ok'],
  },
  {
    name: 'body keyword not analysed (oneOf) changed',
    head: (s) => void (props(s, 'Item_Create').due.oneOf = [{ format: 'date' }, { format: 'date-time' }]),
    expected: ['items.create request-schema-changed body.due breaking'],
  },
  {
    name: 'body from any JSON (Passthru) to a schema',
    head: (s) => void (op(s, 'items.update').incoming = 'Item_Create'),
    expected: ['items.update request-type-narrowed body breaking'],
  },
  // responses
  {
    name: 'response property removed (seen through every operation that answers it)',
    head: (s) => delete props(s, 'Item').tags,
    expected: ['items.get response-property-removed response[200].tags breaking', 'items.list response-property-removed response[200].entry[].tags breaking'],
  },
  {
    name: 'response property added',
    head: (s) => void (props(s, 'Item_List').next = { type: 'string' }),
    expected: ['items.list response-property-added response[200].next ok'],
  },
  {
    name: 'response property no longer always present',
    head: (s) => void (s.schema.Item.required = ['id']),
    expected: ['items.get response-required-removed response[200].title breaking', 'items.list response-required-removed response[200].entry[].title breaking'],
  },
  {
    name: 'response property now always present',
    head: (s) => void (s.schema.Item_List.required = ['total']),
    expected: ['items.list response-required-added response[200].total ok'],
  },
  {
    name: 'response type changed',
    head: (s) => void (props(s, 'Item_List').total.type = 'string'),
    expected: ['items.list response-type-changed response[200].total breaking'],
  },
  {
    name: 'response type narrowed',
    head: (s) => void (props(s, 'Item').note.type = 'string'),
    expected: ['items.get response-type-narrowed response[200].note ok', 'items.list response-type-narrowed response[200].entry[].note ok'],
  },
  {
    name: 'response value may now be null',
    head: (s) => void (props(s, 'Item_List').total.type = ['integer', 'null']),
    expected: ['items.list response-nullable-added response[200].total breaking'],
  },
  {
    name: 'response enum widened',
    head: (s) => void props(s, 'Item').state.enum.push('archived'),
    expected: ['items.get response-enum-widened response[200].state breaking', 'items.list response-enum-widened response[200].entry[].state breaking'],
  },
  {
    name: 'response enum narrowed',
    head: (s) => void (props(s, 'Item').state.enum = ['open']),
    expected: ['items.get response-enum-narrowed response[200].state ok', 'items.list response-enum-narrowed response[200].entry[].state ok'],
  },
  {
    name: 'response constraints loosened and tightened',
    head: (s) => {
      props(s, 'Item').title.maxLength = 500
      props(s, 'Item').tags.maxItems = 10
    },
    expected: [
      'items.get response-constraint-tightened response[200].tags ok',
      'items.get response-constraint-loosened response[200].title breaking',
      'items.list response-constraint-tightened response[200].entry[].tags ok',
      'items.list response-constraint-loosened response[200].entry[].title breaking',
    ],
  },
  {
    name: 'response keyword not analysed changed',
    head: (s) => void (props(s, 'Item_List').entry.contains = { type: 'object' }),
    expected: ['items.list response-schema-changed response[200].entry breaking'],
  },
  {
    name: 'error statuses added and removed',
    head: (s) => {
      op(s, 'items.get').throws = { 410: 'Message' }
    },
    expected: ['items.get response-status-added response[410] ok', 'items.get response-status-removed response[404] ok'],
  },
  {
    name: 'recursive schema: compared once, without looping',
    head: (s) => void (props(s, 'Node').name.type = 'integer'),
    expected: ['tree.get response-type-changed response[200].name breaking'],
  },
]

describe('diffModels', () => {
  it.each(ROWS)('$name', async (row) => {
    const base = baseSpec()
    row.base?.(base)
    const head = baseSpec()
    row.head?.(head)
    const changes = diffModels(await modelOf(base), await modelOf(head))
    expect(changes.map(summary).sort()).toEqual([...row.expected].sort())
  })

  it('covers every change code of the catalog', () => {
    const covered = new Set(ROWS.flatMap((row) => row.expected.map((line) => line.split(' ')[1])))
    expect(Object.keys(CHANGES).filter((code) => !covered.has(code))).toEqual([])
  })

  it('says what changed and where, in head or in base for what was removed', async () => {
    const base = baseSpec()
    const head = structuredClone(base)
    delete props(head, 'Item_Create').count
    props(head, 'Item_Create').title.maxLength = 50
    const changes = diffModels(await modelOf(base), await modelOf(head))
    expect(changes).toEqual([
      expect.objectContaining({ code: 'request-property-removed', message: 'optional field "count" removed', location: expect.objectContaining({ file: '.fusio.yml' }) }),
      expect.objectContaining({ code: 'request-constraint-tightened', operation: 'items.create', field: 'body.title', message: 'maxLength 100 → 50' }),
    ])
  })
})
