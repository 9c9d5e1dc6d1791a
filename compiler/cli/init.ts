import { cpSync, existsSync, readdirSync, renameSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { Args, Command, Flags } from '@oclif/core'
import { packageRoot } from '../package-root.js'
import { jsonFlag } from './shared.js'

// npm drops .gitignore from published packages, so the template keeps it under another name (paths in the template → in the project).
const RENAMED: Readonly<Record<string, string>> = { gitignore: '.gitignore' }

export default class Init extends Command {
  static override summary = 'Create a project (manifest, schemas, a custom handler, a SQLite migration) that builds and serves at once'
  static override description = 'Refuses a folder that is not empty unless --force is given. --json prints the folder and the files created.'
  static override examples = [
    { description: 'Create my-api/, build it and serve it', command: '<%= config.bin %> init my-api && cd my-api && <%= config.bin %> build && node dist/server.mjs' },
    { description: 'Scaffold into the current folder even if it has files, listing what was created as JSON', command: '<%= config.bin %> init --force --json' },
  ]
  static override args = { dir: Args.string({ description: 'folder to create (default: the current folder)', default: '.' }) }
  static override flags = {
    force: Flags.boolean({ description: 'write into a folder that is not empty', default: false }),
    json: jsonFlag,
  }

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Init)
    const target = resolve(args.dir)
    if (existsSync(target) && readdirSync(target).length > 0 && !flags.force) {
      this.error(`${target} is not empty; choose another folder or pass --force`, { exit: 1 })
    }
    const template = join(packageRoot(), 'templates/init')
    cpSync(template, target, { recursive: true, force: flags.force })
    for (const [from, to] of Object.entries(RENAMED)) renameSync(join(target, from), join(target, to))
    const shown = relative(process.cwd(), target) || '.'
    if (flags.json) {
      this.log(JSON.stringify({ ok: true, dir: target, created: templateFiles(template) }, null, 2))
      return
    }
    this.log(`created ${shown}/: .fusio.yml, schemas/, actions/hello.ts, migrations/`)
    this.log(`next: cd ${shown} && fusio build && node dist/server.mjs`)
  }
}

/** The scaffold's files as they land in the project: relative, '/'-separated, sorted. */
function templateFiles(template: string): string[] {
  return readdirSync(template, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(template, join(entry.parentPath, entry.name)).split('\\').join('/'))
    .map((path) => RENAMED[path] ?? path)
    .sort()
}
