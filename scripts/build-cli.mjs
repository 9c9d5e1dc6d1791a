// Bundles the compiler's CLI (TypeScript) into lib/cli.js so `bin/fusio` starts without a TS loader.
import { build } from 'esbuild'

await build({
  entryPoints: ['compiler/cli/index.ts'],
  outfile: 'lib/cli.js',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
})
