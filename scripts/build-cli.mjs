// Bundles the compiler's CLI (TypeScript) into lib/cli.js so `bin/fusio` starts without a TS loader.
import { readFileSync } from 'node:fs'
import { build } from 'esbuild'

const { dependencies } = JSON.parse(readFileSync('package.json', 'utf8'))
// kysely is bundled in: the compiler reaches it through the runtime's action classes, and loading
// it as some 400 ES module files costs every command a quarter of a second; one file costs a tenth.
const BUNDLED = ['kysely']

await build({
  entryPoints: ['compiler/cli/index.ts'],
  outfile: 'lib/cli.js',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  external: Object.keys(dependencies).filter((name) => !BUNDLED.includes(name)),
  sourcemap: true,
  logLevel: 'warning',
})
