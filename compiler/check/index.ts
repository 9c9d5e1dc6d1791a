/**
 * check(options) → diagnostics: type-checks the generated actions.ts, and through it every custom
 * handler module, against the types generated from their operations. A mismatch is reported at the
 * handler's own file and line. Reads the real folder (tsc needs files); writes nothing.
 * createChecker() keeps the program between runs (fusio dev): only the files it is told changed are
 * read again, and the parsed and bound declarations of the rest (lib, @types/node, the runtime) are reused.
 */
import { existsSync } from 'node:fs'
import { join, relative } from 'node:path'
import type { Project, Diagnostic as TsDiagnostic } from 'ts-morph'
import { diagnostic, type Diagnostic, type StageResult } from '../diagnostics/index.js'
import { RUNTIME_MODULE } from '../emit/shared.js'
import type { Model } from '../model/types.js'
import { packageRoot } from '../package-root.js'

export interface CheckOptions {
  readonly projectDir: string
  readonly generatedDir: string
  readonly model: Model
}

export type CheckResult = StageResult<{ checked: number }>

export interface Checker {
  /** Type-checks; `changed` (absolute paths) are read again, every other file is what the last run read. */
  check(options: CheckOptions, changed?: readonly string[]): Promise<CheckResult>
  /** Whether the last run read this file (absolute path): a handler, a module it imports, a generated file. */
  reads(path: string): boolean
}

export function check(options: CheckOptions): Promise<CheckResult> {
  return createChecker().check(options)
}

export function createChecker(): Checker {
  let project: Project | undefined
  return {
    async check(options, changed = []) {
      const handlers = options.model.actions.filter((a) => a.handlerFile)
      if (handlers.length === 0) return { value: { checked: 0 }, diagnostics: [] }
      // Loaded only with handlers to check: importing ts-morph (and TypeScript) takes most of a second.
      const { ts } = await import('ts-morph')
      project ??= await createProject()
      for (const path of changed) project.getSourceFile(path)?.refreshFromFileSystemSync()
      const actionsPath = join(options.generatedDir, 'actions.ts')
      const actionsFile = project.getSourceFile(actionsPath) ?? project.addSourceFileAtPath(actionsPath)
      project.resolveSourceFileDependencies()
      const diagnostics: Diagnostic[] = []
      for (const d of project.getPreEmitDiagnostics()) {
        const mapped = toDiagnostic(d, ts.flattenDiagnosticMessageText(d.compilerObject.messageText, '\n'), options, actionsFile.getFilePath())
        if (mapped) diagnostics.push(mapped)
      }
      return { value: { checked: handlers.length }, diagnostics }
    },
    reads: (path) => project?.getSourceFile(path) !== undefined,
  }
}

async function createProject(): Promise<Project> {
  const { Project, ts } = await import('ts-morph')
  const root = packageRoot()
  return new Project({
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      esModuleInterop: true,
      verbatimModuleSyntax: false,
      types: ['node'],
      typeRoots: [join(root, 'node_modules/@types')],
      // The runtime and the packages the compiler ships resolve from the compiler's own folder.
      paths: { [RUNTIME_MODULE]: [runtimeTypes(root)], '*': [join(root, 'node_modules/@types/*'), join(root, 'node_modules/*')] },
    },
    skipAddingFilesFromTsConfig: true,
  })
}

/**
 * The runtime's declarations (lib/runtime, written by `npm install`) check in half the time of its
 * sources; the sources serve when the declarations have not been built.
 */
function runtimeTypes(root: string): string {
  const declarations = join(root, 'lib/runtime/index.d.ts')
  return existsSync(declarations) ? declarations : join(root, 'runtime-min/index.ts')
}

function toDiagnostic(d: TsDiagnostic, message: string, options: CheckOptions, actionsPath: string): Diagnostic | undefined {
  const file = d.getSourceFile()
  if (!file) return diagnostic('FUSIO_CHECK_TYPE_ERROR', { message })
  const position = file.getLineAndColumnAtPos(d.getStart() ?? 0)
  if (file.getFilePath() === actionsPath) {
    // The `satisfies` line in actions.ts stands for a handler module: report it at that module.
    const line = file.getFullText().split('\n')[position.line - 1] ?? ''
    const handler = options.model.actions.find((a) => a.handlerFile && line.includes(`${a.typeName}Handler`))
    if (handler?.handlerFile) {
      const location = handlerLocation(file.getProject(), join(options.projectDir, handler.handlerFile), handler.handlerFile)
      // 2339 "property does not exist", 2551 the same with a did-you-mean.
      if (d.getCode() === 2339 || d.getCode() === 2551) return diagnostic('FUSIO_CHECK_HANDLER_EXPORT', { path: handler.handlerFile }, location)
      return diagnostic('FUSIO_CHECK_TYPE_ERROR', { message: `handler does not match ${handler.typeName}Handler: ${message}` }, location)
    }
  }
  return diagnostic('FUSIO_CHECK_TYPE_ERROR', { message }, { file: relative(options.projectDir, file.getFilePath()), line: position.line, column: position.column })
}

function handlerLocation(project: Project, absolute: string, relativePath: string): { file: string; line: number; column: number } {
  const source = project.getSourceFile(absolute)
  const declaration = source?.getExportedDeclarations().get('handler')?.[0]
  if (!source || !declaration) return { file: relativePath, line: 1, column: 1 }
  const { line, column } = source.getLineAndColumnAtPos(declaration.getStart())
  return { file: relativePath, line, column }
}
