/**
 * check(options) → diagnostics: type-checks the generated actions.ts, and through it every custom
 * handler module, against the types generated from their operations. A mismatch is reported at the
 * handler's own file and line. Reads the real folder (tsc needs files); writes nothing.
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

export async function check(options: CheckOptions): Promise<StageResult<{ checked: number }>> {
  const handlers = options.model.actions.filter((a) => a.handlerFile)
  if (handlers.length === 0) return { value: { checked: 0 }, diagnostics: [] }
  // Loaded only with handlers to check: importing ts-morph (and TypeScript) takes most of a second.
  const { Project, ts } = await import('ts-morph')
  const root = packageRoot()
  const project = new Project({
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
  const actionsFile = project.addSourceFileAtPath(join(options.generatedDir, 'actions.ts'))
  project.resolveSourceFileDependencies()
  const diagnostics: Diagnostic[] = []
  for (const d of project.getPreEmitDiagnostics()) {
    const mapped = toDiagnostic(d, ts.flattenDiagnosticMessageText(d.compilerObject.messageText, '\n'), options, actionsFile.getFilePath())
    if (mapped) diagnostics.push(mapped)
  }
  return { value: { checked: handlers.length }, diagnostics }
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
