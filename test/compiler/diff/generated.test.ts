/** diffGenerated on what emit really produces, and on a made-up layout (it must not depend on file names). */
import { describe, expect, it } from 'vitest'
import { diffGenerated, type GeneratedSide } from '../../../compiler/diff/index.js'
import { createMemoryHost } from '../../../compiler/host/index.js'
import { runPipeline } from '../../../compiler/pipeline.js'

function manifest(aTitle: Record<string, unknown>): string {
  return JSON.stringify({
    schema: {
      A: { type: 'object', properties: { title: aTitle } },
      B: { type: 'object', properties: { name: { type: 'string' } } },
    },
    action: { Static: { class: 'static-response' } },
    operation: {
      'a.get': { httpMethod: 'GET', httpPath: '/a', public: true, outgoing: 'A', action: 'Static' },
      'a.getAll': { httpMethod: 'GET', httpPath: '/a/all', public: true, outgoing: 'B', action: 'Static' },
      'b.create': { httpMethod: 'POST', httpPath: '/b', public: true, incoming: 'B', outgoing: 'B', action: 'Static' },
    },
  })
}

async function emitted(text: string): Promise<GeneratedSide> {
  const host = createMemoryHost({ '/p/.fusio.yml': text })
  const result = await runPipeline({ host, manifest: '/p/.fusio.yml', outDir: 'generated', distDir: 'dist', until: 'emit' })
  if (!result.model || !result.files) throw new Error(result.diagnostics.map((d) => d.message).join('\n'))
  return { model: result.model, files: result.files }
}

describe('diffGenerated', () => {
  it('reports nothing for the same manifest', async () => {
    const side = await emitted(manifest({ type: 'string' }))
    expect(diffGenerated(side, await emitted(manifest({ type: 'string' })))).toEqual([])
  })

  it('counts the changed lines per file and names only the operation whose schema changed', async () => {
    const changes = diffGenerated(await emitted(manifest({ type: 'string' })), await emitted(manifest({ type: 'string', maxLength: 20 })))
    expect(changes.length).toBeGreaterThan(0)
    for (const change of changes) {
      expect(change.status).toBe('changed')
      expect(change.added + change.removed).toBeGreaterThan(0)
      expect(change.operations).toEqual(['a.get'])
    }
    expect(changes.map((c) => c.path)).toContain('openapi.json')
  })

  it('works on any layout: files added, removed and changed, attributed by ids and stems', () => {
    const model = (ids: string[]) => ({ operations: ids.map((id) => ({ id, typeName: id.replace(/(^|\.)(\w)/g, (_m, _d, c: string) => c.toUpperCase()), action: 'Static', responses: [] })), schemas: [] }) as never
    const base: GeneratedSide = {
      model: model(['todo.get', 'todo.getAll']),
      files: [
        { path: 'routes/todo.ts', contents: "export const routes = [\n  // todo.get\n  { id: 'todo.get',\n    url: '/todo/:id',\n  },\n  { id: 'todo.getAll',\n    url: '/todo',\n  },\n]\n" },
        { path: 'old.ts', contents: 'export const validateTodoGetAll = 1\n' },
      ],
    }
    const head: GeneratedSide = {
      model: model(['todo.get', 'todo.getAll', 'todo.stats']),
      files: [
        { path: 'routes/todo.ts', contents: "export const routes = [\n  // todo.get\n  { id: 'todo.get',\n    url: '/todos/:id',\n  },\n  { id: 'todo.getAll',\n    url: '/todo',\n  },\n]\n" },
        { path: 'stats.ts', contents: 'export type TodoStatsResponse = {}\nexport const x = 1\n' },
      ],
    }
    expect(diffGenerated(base, head)).toEqual([
      { path: 'old.ts', status: 'removed', added: 0, removed: 1, operations: ['todo.getAll'] },
      { path: 'routes/todo.ts', status: 'changed', added: 1, removed: 1, operations: ['todo.get'] },
      { path: 'stats.ts', status: 'added', added: 2, removed: 0, operations: ['todo.stats'] },
    ])
  })
})
