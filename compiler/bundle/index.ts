/**
 * bundle(options) → dist/: esbuild bundles generated/server.ts, the runtime and their packages into
 * dist/server.mjs (+ map) and dist/chunks/ (drivers loaded on demand), beside openapi.json, a
 * package.json, and the native SQLite driver in dist/node_modules. dist/ then runs alone:
 * `node dist/server.mjs`, no npm install.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, relative } from 'node:path'
import { build, type Message } from 'esbuild'
import { diagnostic, type Diagnostic, type StageResult } from '../diagnostics/index.js'
import { RUNTIME_MODULE } from '../emit/shared.js'
import { packageRoot } from '../package-root.js'

export interface BundleOptions {
  readonly projectDir: string
  /** Absolute folder with the generated source. */
  readonly generatedDir: string
  /** Absolute output folder (dist/). */
  readonly distDir: string
  readonly serviceName: string
  readonly openapi: string
  /** Copy the developer portal (templates/developer/ and Swagger UI) into dist/developer/. */
  readonly portal?: boolean
  readonly minify?: boolean
}

/** Swagger UI's browser files, shipped from npm beside the portal (no CDN). */
const SWAGGER_UI = ['swagger-ui-bundle.js', 'swagger-ui.css']

export interface BundleResult {
  readonly files: readonly { readonly path: string; readonly bytes: number }[]
}

/** The native driver stays out of the bundle and is copied with its runtime files (and the two small
 * packages it loads its binary with); its sources and build intermediates stay behind. */
const NATIVE = [
  { name: 'better-sqlite3', files: ['package.json', 'lib', 'build/Release/better_sqlite3.node', 'LICENSE'] },
  { name: 'bindings', files: ['package.json', 'bindings.js', 'LICENSE.md'] },
  { name: 'file-uri-to-path', files: ['package.json', 'index.js', 'LICENSE'] },
]

export async function bundle(options: BundleOptions): Promise<StageResult<BundleResult>> {
  const root = packageRoot()
  const SCHEMA_COMPILER_ABSENT = join(root, 'runtime-min/lifecycle/schema-compiler-absent.cjs')
  rmSync(options.distDir, { recursive: true, force: true })
  mkdirSync(options.distDir, { recursive: true })
  try {
    await build({
      entryPoints: { server: join(options.generatedDir, 'server.ts') },
      outdir: options.distDir,
      outExtension: { '.js': '.mjs' },
      // Database and broker drivers are imported when a connection uses them: each is its own chunk.
      splitting: true,
      chunkNames: 'chunks/[name]-[hash]',
      absWorkingDir: options.projectDir,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'esm',
      sourcemap: true,
      minify: options.minify ?? false,
      minifyWhitespace: true, minifySyntax: true,
      legalComments: 'none',
      logLevel: 'silent',
      external: NATIVE.map((n) => n.name),
      alias: {
        [RUNTIME_MODULE]: join(root, 'runtime-min/index.ts'),
        // Schemas are precompiled: Fastify's compilers (ajv, fast-json-stringify) are never loaded.
        '@fastify/ajv-compiler': SCHEMA_COMPILER_ABSENT,
        '@fastify/fast-json-stringify-compiler': SCHEMA_COMPILER_ABSENT,
      },
      // Handler modules may import packages the compiler ships (kysely…) without installing them.
      nodePaths: [join(root, 'node_modules')],
      // Bundled CommonJS packages call require(); an ES module has none of its own.
      banner: { js: "import { createRequire as __fusioCreateRequire } from 'node:module';\nconst require = __fusioCreateRequire(import.meta.url);" },
    })
  } catch (error) {
    const errors = ((error as { errors?: Message[] }).errors ?? []).map((m) =>
      diagnostic(
        'FUSIO_BUNDLE_FAILED',
        { message: m.text },
        m.location ? { file: relative(options.projectDir, join(options.projectDir, m.location.file)), line: m.location.line, column: m.location.column + 1 } : undefined,
      ),
    )
    return { diagnostics: errors.length > 0 ? errors : [diagnostic('FUSIO_BUNDLE_FAILED', { message: (error as Error).message })] }
  }
  const diagnostics: Diagnostic[] = []
  const require = createRequire(join(root, 'package.json'))
  const versions: Record<string, string> = {}
  for (const native of NATIVE) {
    let source: string
    try {
      source = dirname(require.resolve(`${native.name}/package.json`))
    } catch {
      diagnostics.push(diagnostic('FUSIO_BUNDLE_NATIVE_MISSING', { name: native.name }))
      continue
    }
    versions[native.name] = (require(`${native.name}/package.json`) as { version: string }).version
    for (const file of native.files) {
      const from = join(source, file)
      if (existsSync(from)) cpSync(from, join(options.distDir, 'node_modules', native.name, file), { recursive: true })
    }
  }
  writeFileSync(join(options.distDir, 'openapi.json'), options.openapi)
  const portalFiles: string[] = []
  if (options.portal) {
    const target = join(options.distDir, 'developer')
    mkdirSync(target, { recursive: true })
    const portalSource = join(root, 'templates', 'developer')
    for (const name of readdirSync(portalSource).sort()) {
      cpSync(join(portalSource, name), join(target, name))
      portalFiles.push(`developer/${name}`)
    }
    const swagger = dirname(require.resolve('swagger-ui-dist/package.json'))
    for (const name of SWAGGER_UI) {
      cpSync(join(swagger, name), join(target, name))
      portalFiles.push(`developer/${name}`)
    }
  }
  const manifest = {
    name: options.serviceName,
    private: true,
    type: 'module',
    main: 'server.mjs',
    scripts: { start: 'node server.mjs', migrate: 'node server.mjs migrate' },
    engines: { node: `>=${process.versions.node.split('.')[0]}` },
    dependencies: { 'better-sqlite3': versions['better-sqlite3'] },
  }
  writeFileSync(join(options.distDir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`)
  const chunks = existsSync(join(options.distDir, 'chunks'))
    ? readdirSync(join(options.distDir, 'chunks'))
        .filter((name) => name.endsWith('.mjs'))
        .sort()
        .map((name) => `chunks/${name}`)
    : []
  const files = ['server.mjs', 'server.mjs.map', ...chunks, 'openapi.json', ...portalFiles, 'package.json'].map((path) => ({
    path,
    bytes: statSync(join(options.distDir, path)).size,
  }))
  return { value: { files }, diagnostics }
}
