/**
 * The contract between generated code and the runtime: route table entries, action and connection
 * definitions, and what a custom handler receives. Generated files import only these types.
 */
import type { IncomingHttpHeaders } from 'node:http'
import type { FastifyBaseLogger } from 'fastify'

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
export type Stability = 'deprecated' | 'experimental' | 'stable' | 'legacy'

/** A JSON value. Config values may also hold placeholders, resolved when the service starts. */
export type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json }

/** `${env.NAME}` / `${dir.src}` kept as data in generated code; resolved by config.ts at start-up. */
export type ConfigValue =
  | null
  | boolean
  | number
  | string
  | readonly ConfigValue[]
  | { readonly $env: string }
  | { readonly $dir: 'src' | 'cache' | 'temp' }
  | { readonly $template: readonly ConfigValue[] }
  | { readonly [key: string]: ConfigValue }

/** An ajv standalone validate function (precompiled at build time). */
export interface ValidateFunction {
  (data: unknown): boolean
  errors?: readonly ValidationIssue[] | null
}

export interface ValidationIssue {
  readonly instancePath: string
  readonly keyword: string
  readonly params: Readonly<Record<string, unknown>>
  readonly message?: string
}

/** A fast-json-stringify standalone serializer (precompiled at build time). */
export type SerializeFunction = (value: unknown) => string

/** One operation in the route table that `generated/routes.ts` exports. */
export interface RouteDefinition {
  readonly operationId: string
  readonly method: HttpMethod
  /** Fastify URL patterns; legacy routes list `/v1/x` and the newest version's `/x`. */
  readonly urls: readonly string[]
  readonly httpCode: number
  readonly public: boolean
  readonly scopes: readonly string[]
  /** false: the operation answers 410 Gone (inactive operation, or legacy status closed). */
  readonly active: boolean
  readonly stability?: Stability
  /** Legacy route status "development" / "deprecated": sent as a `Warning` header. */
  readonly warning?: string
  readonly action: string
  /** Name of a `*rest` path parameter (Fastify calls it `*`). */
  readonly restParam?: string
  readonly validate: {
    readonly body?: ValidateFunction
    readonly query?: ValidateFunction
    readonly params?: ValidateFunction
  }
  /** Serializers by status code; statuses without one fall back to JSON.stringify. */
  readonly serialize: Readonly<Record<number, SerializeFunction>>
}

/** What a handler can return besides a plain body: a status, headers and a body. */
export interface ActionResponse<Body = unknown> {
  readonly statusCode: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: Body
}

/** The authenticated caller, from the verified access token (RFC 9068 claims). */
export interface Principal {
  readonly subject: string
  readonly clientId?: string
  readonly scopes: readonly string[]
  readonly claims: Readonly<Record<string, unknown>>
}

/** The request a handler receives; generated types narrow body, query and params per operation. */
export interface ActionRequest<Body = unknown, Query = Record<string, unknown>, Params = Record<string, string>> {
  readonly operationId: string
  readonly method: HttpMethod
  readonly url: string
  readonly body: Body
  readonly query: Query
  readonly params: Params
  readonly headers: IncomingHttpHeaders
  readonly ip: string
  /** Set when a valid token came with the request (always set for private operations). */
  readonly user?: Principal
}

/** Builds responses with a status and headers, mirroring Fusio's response factory. */
export interface ResponseFactory {
  build<Body>(statusCode: number, headers: Readonly<Record<string, string>>, body: Body): ActionResponse<Body>
  ok<Body>(body: Body): ActionResponse<Body>
  created<Body>(body: Body): ActionResponse<Body>
  noContent(): ActionResponse<undefined>
}

/** Hands out configured clients by connection name; credentials never leave the runtime. */
export interface Connector {
  get<Client = unknown>(name: string): Client
}

export interface ActionContext {
  readonly operationId: string
  readonly requestId: string
  readonly connector: Connector
  readonly response: ResponseFactory
  readonly log: FastifyBaseLogger
}

/** A request handler: built-ins are created from config, custom ones come from `file` actions. */
export type ActionHandler = (request: ActionRequest, context: ActionContext) => unknown

/**
 * The type of a custom handler module's `handler` export. Generated `types.ts` instantiates it per
 * action, e.g. `export type TodoStatsHandler = Handler<TodoStatsRequest, TodoStatsResponse>`.
 */
export type Handler<Request extends ActionRequest<any, any, any>, Response> = (
  request: Request,
  context: ActionContext,
) => Response | ActionResponse<Response> | Promise<Response | ActionResponse<Response>>

/** A JSON Schema as plain data (config schemas of built-ins, query parameters they add). */
export type JsonSchema = { readonly [key: string]: Json }

export interface ActionDeps {
  readonly connector: Connector
  /** The connection objects themselves, for built-ins that need more than the client (table metadata). */
  readonly connections: { get(name: string): Connection }
  readonly log: FastifyBaseLogger
  /** The imported module handler of a `file` action. */
  readonly handler?: Handler<any, any>
  /** Another declared action's handler (util actions compose them); looked up on first call. */
  action(name: string): ActionHandler
}

/**
 * One built-in action: declared once, read by the compiler (names, aliases, config schema,
 * parameters) and by the runtime (`create`).
 */
export interface ActionDefinition<Config = any> {
  /** Short name used in manifests and generated code, e.g. `sql-select-all`. */
  readonly name: string
  /** Fusio's names for it: `SQL-Select-All`, `Fusio\Adapter\Sql\Action\SqlSelectAll`, … */
  readonly aliases: readonly string[]
  readonly description: string
  readonly configSchema: JsonSchema
  /** Kind(s) of connection that `config.connection` may name, if the action uses one. */
  readonly connection?: ConnectionKind | readonly ConnectionKind[]
  /** Config keys whose values (a name or a list of names) are other declared actions. */
  readonly actionKeys?: readonly string[]
  /** The action reads the `id` argument (path or query), as Fusio's row actions do. */
  readonly readsId?: boolean
  /** Problems the config schema cannot express (an expression's syntax…), reported at build time. */
  checkConfig?(config: Config): readonly { readonly key: string; readonly message: string }[]
  /** Query parameters the action understands, added to each operation's query schema. */
  queryParameters?(config: Config): Readonly<Record<string, JsonSchema>>
  create(config: Config, deps: ActionDeps): ActionHandler
}

/** The connection classes, by their short names. */
export type ConnectionKind = 'sql' | 'http' | 'amqp' | 'beanstalk' | 'redis'

/** A live connection: a client for actions, plus what /ready and shutdown need. */
export interface Connection<Client = unknown> {
  readonly kind: string
  readonly client: Client
  ping(): Promise<void>
  close(): Promise<void>
}

export interface ConnectionDefinition<Config = any> {
  readonly name: string
  readonly aliases: readonly string[]
  readonly description: string
  readonly configSchema: JsonSchema
  /**
   * Loads the client library and returns the connection without connecting: it connects on first
   * use, so start-up stays fast and a server that is down does not block it.
   */
  create(config: Config): Connection | Promise<Connection>
}

/** Custom handler modules referenced by `file` actions, as generated `actions.ts` lists them. */
export interface ActionEntry {
  readonly class: string
  readonly config: ConfigValue
  /** Routes answer 202 and the action runs later, from the durable job queue. */
  readonly async?: boolean
  readonly handler?: Handler<any, any>
}

export interface MigrationEntry {
  readonly name: string
  readonly sql: string
}

/** One `rate:` entry: `limit` calls per `windowSeconds` for the calls its allocations match. */
export interface RateDefinition {
  readonly name: string
  readonly priority: number
  readonly limit: number
  readonly windowSeconds: number
  /** Empty: every call. A field left out matches anything. */
  readonly allocations: readonly RateAllocation[]
}

export interface RateAllocation {
  readonly operation?: string
  readonly plan?: string
  readonly app?: string
  readonly authenticated?: boolean
}

export interface CorsDefinition {
  readonly origins: '*' | readonly string[]
  readonly credentials?: boolean
  readonly headers?: readonly string[]
  readonly exposeHeaders?: readonly string[]
  readonly maxAge?: number
}

export interface PlanDefinition {
  readonly name: string
  readonly description?: string
  readonly price?: number
  readonly points?: number
  readonly period?: number
}

/** A login provider of the developer portal; config values stay env lookups until start-up. */
export interface IdentityDefinition {
  readonly name: string
  readonly class: 'openid' | 'github' | 'google'
  readonly config: ConfigValue
  readonly allowCreate: boolean
}

/** The API-product layer's settings from the manifest (users, apps, OAuth2, consumer and backend APIs, portal). */
export interface ProductSettings {
  readonly portal: boolean
  /** Role name → scopes its users get. */
  readonly roles: Readonly<Record<string, readonly string[]>>
  readonly defaultRole: string
  readonly defaultPlan?: string
  readonly plans: readonly PlanDefinition[]
  readonly scopes: readonly { readonly name: string; readonly description?: string }[]
  readonly identities: readonly IdentityDefinition[]
  readonly appApproval: boolean
  readonly userApproval: boolean
  readonly maxApps: number
  readonly maxTokens: number
  readonly tokenSeconds: number
  readonly refreshSeconds: number
  readonly passwordLength: number
  readonly mailSender?: ConfigValue
  readonly registerSubject: string
  readonly resetSubject: string
}

export interface ProductDefinition extends ProductSettings {
  /** Precompiled validators of the product API's request bodies, by schema name (runtime-min/product/api.ts). */
  readonly validators: Readonly<Record<string, ValidateFunction>>
}

/** Everything the generated files hand to createService. */
export interface ServiceDefinition {
  readonly title: string
  readonly version: string
  readonly description?: string
  readonly basePath: string
  readonly routes: readonly RouteDefinition[]
  readonly actions: Readonly<Record<string, ActionEntry>>
  readonly connections: Readonly<Record<string, { readonly class: string; readonly config: ConfigValue }>>
  readonly migrations: Readonly<Record<string, readonly MigrationEntry[]>>
  readonly openapi?: unknown
  /** Rate limits, highest priority first. */
  readonly rates?: readonly RateDefinition[]
  readonly cors?: CorsDefinition
  readonly product?: ProductDefinition
  /** The API reference page (and, for programs, the about document) at one URL: absent means `/`, false none. */
  readonly docs?: DocsDefinition | false
}

/** `service.docs` of the manifest: where the API reference is served, below the base path. */
export interface DocsDefinition {
  readonly path: string
}
