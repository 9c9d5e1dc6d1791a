/**
 * emitRoutes(model) → routes.ts with operations/<group>.ts (operations.ts: the route table, one entry
 * per operation with its precompiled validators and serializers, one file per operation group),
 * actions.ts (the actions with their config and imported handler modules) and service.ts (connections,
 * migrations), which server.ts hands to the runtime.
 * Config values keep `${env.X}` as `{ $env: 'X' }` lookups: no secret is ever written here.
 */
import { posix } from 'node:path'
import type { Cache } from '../../cache/index.js'
import type { Model } from '../../model/types.js'
import { formatPieces } from '../format.js'
import { PRODUCT_BODIES } from '../../../runtime-min/product/api.js'
import { productValidatorName } from '../validators/index.js'
import { banner, RUNTIME_MODULE, sourceOf, type EmittedFile } from '../shared.js'
import { Code, literal, tableFile, type TableSource } from './literal.js'
import { emitOperations } from './operations.js'

export interface RoutesOptions {
  /** Output folder relative to the project folder, to import handler modules relatively. */
  readonly outDir: string
}

export async function emitRoutes(model: Model, options: RoutesOptions, cache: Cache): Promise<EmittedFile[]> {
  // Side by side, so that their pieces share prettier calls (format.ts).
  const [operations, actions, service] = await Promise.all([
    emitOperations(model, cache),
    tableFile(actionsSource(model, options), cache),
    formatPieces([serviceSource(model)], 'typescript', cache),
  ])
  return [...operations, { path: 'actions.ts', contents: actions }, { path: 'service.ts', contents: service }]
}

function actionsSource(model: Model, options: RoutesOptions): TableSource {
  const imports: string[] = [`import type { ActionEntry } from '${RUNTIME_MODULE}'`]
  const entries: string[] = []
  for (const action of model.actions) {
    const entry: Record<string, unknown> = { class: action.class, config: action.config, ...(action.async ? { async: true } : {}) }
    if (action.handlerFile) {
      let specifier = posix.relative(options.outDir, action.handlerFile).replace(/\.(m?)ts$/, '.$1js')
      if (!specifier.startsWith('.')) specifier = `./${specifier}`
      const local = `${action.typeName[0].toLowerCase()}${action.typeName.slice(1)}Module`
      imports.push(`import * as ${local} from '${specifier}'`)
      imports.push(`import type { ${action.typeName}Handler } from './types.js'`)
      // `satisfies` makes the type checker hold the module to the types generated from its operations.
      entry.handler = new Code(`(${local}.handler satisfies ${action.typeName}Handler)`)
    }
    entries.push(`// declared in ${sourceOf(action.location)}\n${literal(action.name)}: ${literal(entry)}`)
  }
  return { head: `${banner(model)}\n${imports.join('\n')}\n`, open: 'export const actions: Readonly<Record<string, ActionEntry>> = {', entries, close: '}' }
}

function serviceSource(model: Model): string {
  const connections = Object.fromEntries(model.connections.map((c) => [c.name, { class: c.class, config: c.config }]))
  const migrations = Object.fromEntries(model.migrations.map((m) => [m.connection, m.files]))
  const service = {
    title: model.service.title,
    version: model.service.version,
    description: model.service.description,
    basePath: model.service.basePath,
    routes: new Code('routes'),
    actions: new Code('actions'),
    connections,
    migrations,
    rates: model.rates.length > 0 ? model.rates : undefined,
    cors: model.cors,
    product: model.product ? { ...model.product, validators: Object.fromEntries(PRODUCT_BODIES.map((name) => [name, new Code(productValidatorName(name))])) } : undefined,
    // The runtime serves the docs at `/` when the field is absent: only another setting is written.
    docs: model.service.docs !== false && model.service.docs.path === '/' ? undefined : model.service.docs,
  }
  return [
    banner(model),
    `import type { ServiceDefinition } from '${RUNTIME_MODULE}'`,
    `import { actions } from './actions.js'`,
    `import { routes } from './routes.js'`,
    model.product ? `import { ${PRODUCT_BODIES.map(productValidatorName).join(', ')} } from './validators.js'` : '',
    '',
    `/** Environment variables read at start-up: ${model.env.length > 0 ? model.env.join(', ') : 'none'}. */`,
    `export const service: ServiceDefinition = ${literal(service)}`,
    '',
  ].join('\n')
}
