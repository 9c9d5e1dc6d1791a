import { cpSync, existsSync, readdirSync, renameSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { Args, Command, Flags } from '@oclif/core'
import { packageRoot } from '../package-root.js'

export default class Init extends Command {
  static override description = 'Create a project (manifest, schemas, a custom handler, a SQLite migration) that builds and serves at once'
  static override examples = ['<%= config.bin %> init my-api && cd my-api && <%= config.bin %> build && node dist/server.mjs']
  static override args = { dir: Args.string({ description: 'folder to create (default: the current folder)', default: '.' }) }
  static override flags = { force: Flags.boolean({ description: 'write into a folder that is not empty', default: false }) }

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Init)
    const target = resolve(args.dir)
    if (existsSync(target) && readdirSync(target).length > 0 && !flags.force) {
      this.error(`${target} is not empty; choose another folder or pass --force`, { exit: 1 })
    }
    cpSync(join(packageRoot(), 'templates/init'), target, { recursive: true, force: flags.force })
    // npm drops .gitignore from published packages, so the template keeps it under another name.
    renameSync(join(target, 'gitignore'), join(target, '.gitignore'))
    const shown = relative(process.cwd(), target) || '.'
    this.log(`created ${shown}/: .fusio.yml, schemas/, actions/hello.ts, migrations/`)
    this.log(`next: cd ${shown} && fusio build && node dist/server.mjs`)
  }
}
