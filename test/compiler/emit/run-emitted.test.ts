/** Runs what the emitters produce: validators and serializers, bundled exactly as `fusio build` bundles them. */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { build as esbuild } from 'esbuild'
import { beforeAll, describe, expect, it } from 'vitest'
import { emitOnly } from '../../../compiler/index.js'
import type { SerializeFunction, ValidateFunction } from '../../../runtime-min/types.js'
import { REPO } from '../../helpers/projects.js'

let validators: Record<string, ValidateFunction>
let serializers: Record<string, SerializeFunction>

async function load<T>(files: readonly { path: string; contents: string }[], name: string): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'fusio-emit-'))
  writeFileSync(join(dir, name), files.find((f) => f.path === name)!.contents)
  const outfile = join(dir, `${name}.bundle.mjs`)
  await esbuild({ entryPoints: [join(dir, name)], outfile, bundle: true, format: 'esm', platform: 'node', nodePaths: [join(REPO, 'node_modules')], logLevel: 'silent' })
  return (await import(pathToFileURL(outfile).href)) as T
}

beforeAll(async () => {
  const result = await emitOnly({ manifest: join(REPO, 'examples/todo/.fusio.yml') })
  validators = await load(result.files!, 'validators.js')
  serializers = await load(result.files!, 'serializers.js')
})

describe('emitted validators', () => {
  it('accept a valid body and apply defaults', () => {
    const body: Record<string, unknown> = { title: 'ok' }
    expect(validators.validateTodoCreate(body)).toBe(true)
    expect(body).toEqual({ title: 'ok', done: false })
  })

  it('report every failing field of a body, without coercing types', () => {
    expect(validators.validateTodoCreate({ title: 1, done: 'true', extra: 1 })).toBe(false)
    expect(validators.validateTodoCreate.errors!.map((e) => `${e.instancePath} ${e.keyword}`).sort()).toEqual([' additionalProperties', '/done type', '/title type'])
  })

  it('coerce query and path parameters from text to their types', () => {
    const query: Record<string, unknown> = { count: '5', startIndex: '2' }
    expect(validators.validateTodoGetAllQuery(query)).toBe(true)
    expect(query).toEqual({ count: 5, startIndex: 2 })
    expect(validators.validateTodoGetAllQuery({ count: 'five' })).toBe(false)
    const params: Record<string, unknown> = { id: '42' }
    expect(validators.validateTodoGetParams(params)).toBe(true)
    expect(params.id).toBe(42)
  })
})

describe('validators of the same schema', () => {
  it('are one function under both names, and validate as it does', () => {
    expect(validators.validateTodoUpdateParams).toBe(validators.validateTodoDeleteParams)
    const params: Record<string, unknown> = { id: '7' }
    expect(validators.validateTodoUpdateParams(params)).toBe(true)
    expect(params.id).toBe(7)
    expect(validators.validateTodoUpdateParams({ id: 'seven' })).toBe(false)
  })
})

describe('emitted serializers', () => {
  it('write exactly the schema (unknown properties dropped, integers to booleans where declared)', () => {
    const json = serializers.serializeTodo({ id: 1, title: 'a "quoted" title', done: 1, secret: 'x' })
    expect(JSON.parse(json)).toEqual({ id: 1, title: 'a "quoted" title', done: true })
  })

  it('serialize nested references', () => {
    const page = { totalResults: 1, itemsPerPage: 16, startIndex: 0, entry: [{ id: 1, title: 't', done: false }] }
    expect(JSON.parse(serializers.serializeTodoCollection(page))).toEqual(page)
  })

  it('refuse a body that misses a required property', () => {
    expect(() => serializers.serializeTodo({ id: 1 })).toThrow(/required/)
  })
})
