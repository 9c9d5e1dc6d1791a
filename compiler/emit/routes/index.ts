/**
 * emitRoutes(model) → routes.ts, actions.ts and service.ts: the route table (one entry per operation,
 * with its precompiled validators and serializers), the actions with their config and imported
 * handler modules, and the service (connections, migrations) that server.ts hands to the runtime.
 * Config values keep `${env.X}` as `{ $env: 'X' }` lookups: no secret is ever written here.
 */
import { posix } from 'node:path'
import type { Cache } from '../../cache/index.js'
import type { Model, OperationModel } from '../../model/types.js'
import { formatEntries, formatPieces } from '../format.js'
import { serializerName } from '../serializers/index.js'
import { PRODUCT_BODIES } from '../../../runtime-min/product/api.js'
import { productValidatorName, validatorName } from '../validators/index.js'
import { banner, RUNTIME_MODULE, type EmittedFile } from '../shared.js'

/** Code text that the literal printer pastes as it is (an identifier, an import). */
class Code {
  constructor(readonly text: string) {}
}

/** A TypeScript literal for plain data, with Code values pasted verbatim. */
function literal(value: unknown): string {
  if (value instanceof Code) return value.text
  if (value === undefined) return 'undefined'
  if (value === null || typeof value !== 'object') return JSON.stringify(value)
  if (Array.isArray(value)) return `[${value.map(literal).join(', ')}]`
  const entries = Object.entries(value).filter(([, v]) => v !== undefined)
  const key = (k: string) => (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(k) ? k : literal(k))
  return `{ ${entries.map(([k, v]) => `${key(k)}: ${literal(v)}`).join(', ')} }`
}

export interface RoutesOptions {
  /** Output folder relative to the project folder, to import handler modules relatively. */
  readonly outDir: string
}

export async function emitRoutes(model: Model, options: RoutesOptions, cache: Cache): Promise<EmittedFile[]> {
  return [
    { path: 'routes.ts', contents: await tableFile(routesSource(model), cache) },
    { path: 'actions.ts', contents: await tableFile(actionsSource(model, options), cache) },
    { path: 'service.ts', contents: await formatPieces([serviceSource(model)], 'typescript', cache) },
  ]
}

/** A file of imports and one exported table, formatted entry by entry (an operation, an action). */
interface TableSource {
  /** The banner and the imports. */
  readonly head: string
  /** The table's first line, up to its opening bracket or brace. */
  readonly open: string
  readonly entries: readonly string[]
  readonly close: ']' | '}'
}

async function tableFile(source: TableSource, cache: Cache): Promise<string> {
  const head = await formatPieces([source.head], 'typescript', cache)
  return `${head}\n${await formatEntries(source.open, source.entries, source.close, 'typescript', cache)}`
}

function routesSource(model: Model): TableSource {
  const validators = new Set<string>()
  const serializers = new Set<string>()
  const entries = model.operations.map((op) => {
    const validate: Record<string, Code> = {}
    for (const part of ['body', 'query', 'params'] as const) {
      const name = validatorName(model, op, part)
      if (name) {
        validators.add(name)
        validate[part] = new Code(name)
      }
    }
    const serialize: Record<string, Code> = {}
    for (const r of op.responses) {
      const name = r.schema.kind === 'schema' ? serializerName(model, r.schema.key) : undefined
      if (name) {
        serializers.add(name)
        serialize[String(r.status)] = new Code(name)
      }
    }
    return `/** ${op.method} ${op.path}${op.description ? ` — ${op.description}` : ''} */\n${literal(routeEntry(op, validate, serialize))}`
  })
  const imports = [
    `import type { RouteDefinition } from '${RUNTIME_MODULE}'`,
    validators.size > 0 ? `import { ${[...validators].sort().join(', ')} } from './validators.js'` : '',
    serializers.size > 0 ? `import { ${[...serializers].sort().join(', ')} } from './serializers.js'` : '',
  ].filter(Boolean)
  return { head: `${banner(model)}\n${imports.join('\n')}\n`, open: 'export const routes: readonly RouteDefinition[] = [', entries, close: ']' }
}

function routeEntry(op: OperationModel, validate: Record<string, Code>, serialize: Record<string, Code>): Record<string, unknown> {
  const rest = op.pathParameters.find((p) => p.rest)
  return {
    operationId: op.id,
    method: op.method,
    urls: op.urls,
    httpCode: op.httpCode,
    public: op.public,
    scopes: op.scopes,
    active: op.active,
    stability: op.stability,
    warning: op.warning,
    action: op.action,
    restParam: rest?.name,
    validate,
    serialize,
  }
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
    entries.push(`${literal(action.name)}: ${literal(entry)}`)
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
