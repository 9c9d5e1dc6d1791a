/**
 * bundle(options) → dist/: esbuild bundles generated/server.ts, the runtime and their packages into
 * dist/server.mjs (+ map) and dist/chunks/ (drivers loaded on demand), beside openapi.json, a
 * package.json, and the native SQLite driver in dist/node_modules. dist/ then runs alone:
 * `node dist/server.mjs`, no npm install.
 */
import { cpSync, existsSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, relative } from 'node:path'
import { build, type BuildOptions, type Message } from 'esbuild'
import { diagnostic, type Diagnostic, type StageResult } from '../diagnostics/index.js'
import { DOCS_DIR, SWAGGER_UI_DIR, SWAGGER_UI_FILES } from '../../runtime-min/lifecycle/docs.js'
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
  /** Copy the API reference page (templates/docs/) into dist/docs/. */
  readonly docs?: boolean
  /** Copy the developer portal (templates/developer/) into dist/developer/. */
  readonly portal?: boolean
  readonly minify?: boolean
  /** Runs esbuild; by default a fresh build() into an emptied dist/. */
  readonly bundler?: Bundler
}


export interface BundleResult {
  readonly files: readonly { readonly path: string; readonly bytes: number }[]
}

/** What runs esbuild: a fresh build() each time (fusio build), or an incremental context kept between runs (fusio dev). */
export interface Bundler {
  /** Each bundler keeps or empties dist/ itself; what is there already is not copied again. */
  run(options: BuildOptions): Promise<unknown>
}

/** A one-shot build starts from an empty dist/. */
const ONE_SHOT: Bundler = {
  run: (options) => {
    rmSync(options.outdir!, { recursive: true, force: true })
    return build(options)
  },
}

/** The native driver stays out of the bundle and is copied with its runtime files (and the two small
 * packages it loads its binary with); its sources and build intermediates stay behind. */
const NATIVE = [
  { name: 'better-sqlite3', files: ['package.json', 'lib', 'build/Release/better_sqlite3.node', 'LICENSE'] },
  { name: 'bindings', files: ['package.json', 'bindings.js', 'LICENSE.md'] },
  { name: 'file-uri-to-path', files: ['package.json', 'index.js', 'LICENSE'] },
]

/** esbuild's options for the service, one set for the one-shot build and fusio dev's incremental context. */
function esbuildOptions(options: BundleOptions, root: string): BuildOptions {
  const SCHEMA_COMPILER_ABSENT = join(root, 'runtime-min/lifecycle/schema-compiler-absent.cjs')
  return {
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
  }
}

export async function bundle(options: BundleOptions): Promise<StageResult<BundleResult>> {
  const root = packageRoot()
  const bundler = options.bundler ?? ONE_SHOT
  try {
    await bundler.run(esbuildOptions(options, root))
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
      if (existsSync(from)) copyOnce(from, join(options.distDir, 'node_modules', native.name, file))
    }
  }
  writeFileSync(join(options.distDir, 'openapi.json'), options.openapi)
  const assetFiles = copyBrowserAssets(root, require, options.distDir, { docs: Boolean(options.docs), portal: Boolean(options.portal) })
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
  const files = ['server.mjs', 'server.mjs.map', ...chunks, 'openapi.json', ...assetFiles, 'package.json'].map((path) => ({
    path,
    bytes: statSync(join(options.distDir, path)).size,
  }))
  return { value: { files }, diagnostics }
}

/**
 * The pages the service serves to browsers, each when asked: the API reference (templates/docs/ →
 * dist/docs/), the developer portal (templates/developer/ → dist/developer/), and one copy of Swagger
 * UI from npm for both (dist/swagger-ui/, no CDN). Returns the files written, relative to dist/.
 */
function copyBrowserAssets(root: string, require: NodeRequire, distDir: string, pages: { readonly docs: boolean; readonly portal: boolean }): string[] {
  const written: string[] = []
  const copyFiles = (from: string, names: readonly string[], target: string) => {
    for (const name of names) {
      copyOnce(join(from, name), join(distDir, target, name))
      written.push(`${target}/${name}`)
    }
  }
  const template = (name: string) => join(root, 'templates', name)
  if (pages.docs) copyFiles(template('docs'), readdirSync(template('docs')).sort(), DOCS_DIR)
  if (pages.portal) copyFiles(template('developer'), readdirSync(template('developer')).sort(), 'developer')
  if (pages.docs || pages.portal) copyFiles(dirname(require.resolve('swagger-ui-dist/package.json')), SWAGGER_UI_FILES, SWAGGER_UI_DIR)
  return written
}

/** What the package ships does not change between the builds of a fusio dev session: a copy that is there stays. */
function copyOnce(from: string, to: string): void {
  if (!existsSync(to)) cpSync(from, to, { recursive: true })
}
