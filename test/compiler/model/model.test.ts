import { describe, expect, it } from 'vitest'
import { createMemoryHost } from '../../../compiler/host/index.js'
import { load } from '../../../compiler/load/index.js'
import { buildModel } from '../../../compiler/model/index.js'
import { resolve } from '../../../compiler/resolve/index.js'

const manifest = `
schema:
  Todo_Create: { type: object }
  A: { type: string }
action:
  S: { class: static-response }
  Hello: { class: file, config: { path: hello.ts } }
operation:
  todo.create: { httpMethod: POST, httpPath: /todo, public: true, incoming: Todo_Create, action: S }
  a.first: { httpMethod: GET, httpPath: /a, public: true, action: Hello }
  todo.stats: { httpMethod: GET, httpPath: /s, public: true, action: "file://actions/stats.ts" }
`

function model(text: string) {
  const host = createMemoryHost({ '/p/.fusio.yml': text, '/p/hello.ts': '', '/p/actions/stats.ts': '' })
  return buildModel(resolve(load(host, '/p/.fusio.yml').value!).value!).value!
}

describe('buildModel', () => {
  it('sorts every list by name, so declaration order never changes the output', () => {
    const m = model(manifest)
    expect(m.operations.map((o) => o.id)).toEqual(['a.first', 'todo.create', 'todo.stats'])
    expect(m.schemas.map((s) => s.key)).toEqual(['A', 'Message', 'Todo_Create'])
    expect(m.actions.map((a) => a.name)).toEqual(['Hello', 'S', 'file://actions/stats.ts'])
  })

  it('gives unique identifier stems: a schema and an operation may share a name, not their derived types', () => {
    const m = model(manifest)
    expect(m.schemas.find((s) => s.key === 'Todo_Create')!.typeName).toBe('TodoCreate')
    expect(m.operations.find((o) => o.id === 'todo.create')!.typeName).toBe('TodoCreate')
    expect(m.actions.map((a) => a.typeName)).toEqual(['Hello', 'S', 'Stats'])
    expect(m.actions.find((a) => a.name === 'Hello')!.operations).toEqual(['a.first'])
  })

  it('is deeply frozen', () => {
    const m = model(manifest)
    expect(Object.isFrozen(m.operations[0].responses)).toBe(true)
    expect(() => (m.operations as unknown as unknown[]).push(1)).toThrow()
  })
})
