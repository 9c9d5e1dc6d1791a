import { mkdirSync, writeFileSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { Command, Flags } from '@oclif/core'
import { Cache } from '../cache/index.js'
import { hasErrors, sortDiagnostics } from '../diagnostics/index.js'
import { emitClient } from '../emit/client/index.js'
import { createMemoryHost } from '../host/index.js'
import { validate } from '../index.js'
import { jsonFlag, manifestFlag, report } from './shared.js'

export default class Client extends Command {
  static override summary = 'Write a typed TypeScript client of the service: one method per operation, no dependencies'
  static override description =
    'The folder holds index.ts (createClient), types.ts (the schema types and each operation\'s argument and answer) and runtime.ts; it needs only the global fetch. `todo.getAll` becomes client.todo.getAll({ query }); an answer outside 2xx throws FusioApiError with the problem the service sent.'
  static override examples = [
    { description: 'Write client/ next to the manifest in the current folder', command: '<%= config.bin %> client' },
    { description: 'Write the client of another manifest into a web app\'s sources', command: '<%= config.bin %> client --manifest api/.fusio.yml --out ../web/src/api' },
    { description: 'List the written files as JSON', command: '<%= config.bin %> client --json' },
  ]
  static override flags = {
    manifest: manifestFlag,
    out: Flags.string({ char: 'o', description: 'client folder, relative to the manifest', default: 'client' }),
    json: jsonFlag,
  }

  async run(): Promise<void> {
    const { flags } = await this.parse(Client)
    const result = await validate({ manifest: flags.manifest })
    // The project's emit cache belongs to builds; a client is formatted afresh in memory.
    const emitted = result.model ? await emitClient(result.model, new Cache('client', { host: createMemoryHost(), dir: '/' })) : undefined
    const diagnostics = sortDiagnostics([...result.diagnostics, ...(emitted?.diagnostics ?? [])])
    const outDir = resolve(result.projectDir ?? '.', flags.out)
    const files = emitted && !hasErrors(diagnostics) ? emitted.files : []
    for (const file of files) {
      mkdirSync(join(outDir, file.path, '..'), { recursive: true })
      writeFileSync(join(outDir, file.path), file.contents)
    }
    const written = files.map((file) => relative(process.cwd(), join(outDir, file.path)))
    report(this, { ...result, ok: result.ok && !hasErrors(diagnostics), diagnostics }, flags.json, { files: written }, flags.manifest)
    if (!flags.json) this.log(`wrote ${written.length} files to ${relative(process.cwd(), outDir) || '.'}/`)
  }
}
