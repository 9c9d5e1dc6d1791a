/**
 * THE catalog of compile-time diagnostics: `FUSIO_<STAGE>_<WHAT>`.
 * A code is never renamed or reused once shipped; retire it instead. `template` fills `{name}` slots.
 * test/compiler/diagnostics/codes.test.ts checks that every code is raised somewhere and documented.
 */
import type { Severity } from './diagnostic.js'

export interface CodeEntry {
  readonly severity: Severity
  readonly template: string
  /** What the code means and what to do, for docs/diagnostics.md. */
  readonly doc: string
}

export const CODES = {
  // load: reading the manifest and the files it includes
  FUSIO_LOAD_FILE_NOT_FOUND: {
    severity: 'error',
    template: 'manifest "{file}" does not exist',
    doc: 'The manifest path (default ./.fusio.yml) was not found. Pass --manifest or run in the project folder.',
  },
  FUSIO_LOAD_YAML_SYNTAX: {
    severity: 'error',
    template: '{message}',
    doc: 'The YAML or JSON text could not be parsed (bad indentation, duplicate key, unclosed quote…).',
  },
  FUSIO_LOAD_UNKNOWN_TAG: {
    severity: 'error',
    template: 'unknown tag "{tag}"',
    doc: 'Only the !include tag is understood.',
  },
  FUSIO_LOAD_INCLUDE_NOT_FOUND: {
    severity: 'error',
    template: 'included file "{path}" does not exist',
    doc: '`!include path` is relative to the file that contains it.',
  },
  FUSIO_LOAD_INCLUDE_CYCLE: {
    severity: 'error',
    template: '"{path}" includes itself ({chain})',
    doc: 'An include chain came back to a file that is still being read.',
  },
  FUSIO_LOAD_INCLUDE_POINTER: {
    severity: 'error',
    template: 'JSON pointer "{pointer}" selects nothing in "{path}"',
    doc: '`!include file.yaml#/a/b` picks a sub-tree; the pointer must exist in that file.',
  },
  FUSIO_LOAD_INCLUDE_SYNTAX: {
    severity: 'error',
    template: '!include needs a file path as a plain string',
    doc: 'Write `key: !include path/to/file.yaml` (optionally with a #/json/pointer).',
  },
  FUSIO_LOAD_PLACEHOLDER_SYNTAX: {
    severity: 'error',
    template: 'placeholder "{text}" is malformed',
    doc: 'Placeholders have the form ${env.NAME} or ${dir.src|cache|temp}.',
  },
  FUSIO_LOAD_PLACEHOLDER_CATEGORY: {
    severity: 'error',
    template: 'unknown placeholder category "{category}" in "{text}"',
    doc: 'Only the env and dir categories exist.',
  },
  FUSIO_LOAD_PLACEHOLDER_DIR: {
    severity: 'error',
    template: 'unknown directory "{key}" in "{text}"',
    doc: 'dir placeholders are ${dir.src} (the manifest folder), ${dir.cache} and ${dir.temp}.',
  },
  FUSIO_LOAD_PLACEHOLDER_IN_PATH: {
    severity: 'error',
    template: '${env.{name}} cannot be used in a file path read at build time',
    doc: 'Env placeholders are read when the service starts; paths of included files are read at build time.',
  },
  FUSIO_LOAD_REFERENCED_FILE: {
    severity: 'error',
    template: 'file "{path}" does not exist',
    doc: 'A migration or handler file named in the manifest was not found (paths are relative to the manifest).',
  },

  // resolve: shape of the manifest, names across sections, built-in classes
  FUSIO_RESOLVE_UNKNOWN_KEY: {
    severity: 'error',
    template: 'unknown key "{key}" in {where}',
    doc: 'The key is not part of the manifest format; the hint names the closest known key.',
  },
  FUSIO_RESOLVE_MISSING_KEY: {
    severity: 'error',
    template: '{where} needs "{key}"',
    doc: 'A required key is missing.',
  },
  FUSIO_RESOLVE_INVALID_VALUE: {
    severity: 'error',
    template: '{where} {problem}',
    doc: 'A value has the wrong type or is outside the allowed values.',
  },
  FUSIO_RESOLVE_NO_OPERATIONS: {
    severity: 'error',
    template: 'the manifest declares no operation',
    doc: 'Add an `operation:` section (or legacy `routes:`).',
  },
  FUSIO_RESOLVE_UNKNOWN_SCHEMA: {
    severity: 'error',
    template: 'schema "{name}" is not declared',
    doc: 'Declare it under `schema:` or use a built-in (Passthru, Message).',
  },
  FUSIO_RESOLVE_UNKNOWN_ACTION: {
    severity: 'error',
    template: 'action "{name}" is not declared',
    doc: 'Declare it under `action:`, or reference a handler file with file://path.',
  },
  FUSIO_RESOLVE_UNKNOWN_ACTION_CLASS: {
    severity: 'error',
    template: 'unknown action class "{name}"',
    doc: 'Use a built-in short name (sql-select-all), a Fusio name (SQL-Select-All) or class (Fusio\\Adapter\\Sql\\Action\\SqlSelectAll).',
  },
  FUSIO_RESOLVE_UNSUPPORTED_ACTION: {
    severity: 'error',
    template: 'class "{name}" is a Fusio class this compiler does not build yet',
    doc: 'The class is recognised but has no runtime implementation in this version.',
  },
  FUSIO_RESOLVE_ACTION_CYCLE: {
    severity: 'error',
    template: 'actions call each other in a circle: {cycle}',
    doc: 'A chain, condition, cache, json-patch or template action names another action; following those names must end at an action that answers by itself.',
  },
  FUSIO_RESOLVE_ACTION_CONFIG: {
    severity: 'error',
    template: 'action "{action}" ({kind}): {where} {problem}',
    doc: "The action's config does not match the config schema of its class.",
  },
  FUSIO_RESOLVE_UNKNOWN_CONNECTION: {
    severity: 'error',
    template: 'connection "{name}" is not declared',
    doc: 'Declare it under `connection:`.',
  },
  FUSIO_RESOLVE_UNKNOWN_CONNECTION_CLASS: {
    severity: 'error',
    template: 'unknown connection class "{name}"',
    doc: 'Use sql (Fusio\\Adapter\\Sql\\Connection\\Sql or SqlAdvanced).',
  },
  FUSIO_RESOLVE_CONNECTION_CONFIG: {
    severity: 'error',
    template: 'connection "{connection}": {where} {problem}',
    doc: "The connection's config does not match its class.",
  },
  FUSIO_RESOLVE_CONNECTION_KIND: {
    severity: 'error',
    template: 'action "{action}" needs a connection of kind {expected}, but "{connection}" is {actual}',
    doc: 'Each action names the kind of connection it works with: SQL actions an SQL connection, HTTP actions an HTTP connection, mq-publish an AMQP or Beanstalk one.',
  },
  FUSIO_RESOLVE_INVALID_PATH: {
    severity: 'error',
    template: 'path "{path}" {problem}',
    doc: 'Paths start with / and use :name, $name<regex> and *rest parameters.',
  },
  FUSIO_RESOLVE_RESERVED_PATH: {
    severity: 'error',
    template: 'path "{path}" is reserved by the service',
    doc: '/health, /ready and the first segments backend, consumer, system, authorization, developer and .well-known belong to the service.',
  },
  FUSIO_RESOLVE_DOCS_PATH_TAKEN: {
    severity: 'error',
    template: 'the API reference is set to GET {path}, which operation "{operation}" answers',
    doc: 'service.docs serves the API reference (and, to programs, the about document) at one GET URL below the base path. Give it another path (`service.docs: { path: /docs }`), turn it off (`service.docs: false`), or move the operation.',
  },
  FUSIO_RESOLVE_DOCS_YIELD: {
    severity: 'warning',
    template: 'operation "{operation}" answers GET {path}, so the API reference is not served',
    doc: 'The API reference is at / unless service.docs says otherwise. An operation on GET / keeps that URL and the reference is left out; name another path for it (`service.docs: { path: /docs }`) or turn it off (`service.docs: false`) to silence this.',
  },
  FUSIO_RESOLVE_DUPLICATE_ROUTE: {
    severity: 'error',
    template: '{method} {path} is declared twice (also by {other})',
    doc: 'Two operations (or route versions) answer the same method and path.',
  },
  FUSIO_RESOLVE_DUPLICATE_OPERATION_ID: {
    severity: 'error',
    template: 'operation id "{id}" is used twice',
    doc: 'Legacy routes derive ids from method and path; set operationId on one of them.',
  },
  FUSIO_RESOLVE_INVALID_SCHEMA: {
    severity: 'error',
    template: 'schema "{name}" is not a valid JSON Schema: {problem}',
    doc: 'The schema must compile as JSON Schema draft-07 (or a Fusio TypeSchema document).',
  },
  FUSIO_RESOLVE_SCHEMA_REF: {
    severity: 'error',
    template: 'schema "{name}": $ref "{ref}" points nowhere',
    doc: 'A $ref may name another manifest schema (Todo or schema://Todo) or a local #/definitions/X.',
  },
  FUSIO_RESOLVE_ID_ARGUMENT: {
    severity: 'error',
    template: 'operation "{operation}" uses {kind}, which reads the "id" argument, but has no :id path parameter or id query parameter',
    doc: 'SQL-Select-Row, SQL-Update and SQL-Delete find the row by the argument named id, as in Fusio.',
  },
  FUSIO_RESOLVE_UNREACHABLE_OPERATION: {
    severity: 'warning',
    template: 'operation "{operation}" is private but lists no scopes, so no token can call it',
    doc: 'Add scopes, or set public: true.',
  },
  FUSIO_RESOLVE_LITERAL_SECRET: {
    severity: 'warning',
    template: '{where} is a literal secret that would be compiled into the bundle',
    doc: 'Use ${env.NAME} so the value is read from the environment when the service starts.',
  },
  FUSIO_RESOLVE_SECTION_IGNORED: {
    severity: 'warning',
    template: 'section "{section}" is accepted but has no effect in this version',
    doc: 'The section is valid Fusio but the generated service does not use it yet.',
  },
  FUSIO_RESOLVE_UNKNOWN_NAME: {
    severity: 'error',
    template: '{section} "{owner}" names {kind} "{name}", which is not declared',
    doc: 'Rates name operations and plans, roles name scopes, config names a role or plan: each must exist in the manifest.',
  },
  FUSIO_RESOLVE_DURATION: {
    severity: 'error',
    template: '"{text}" is not an ISO 8601 duration',
    doc: 'Durations are written like PT1H, P2D or PT15M (years and months are not allowed: their length varies).',
  },
  FUSIO_RESOLVE_UNKNOWN_IDENTITY_CLASS: {
    severity: 'error',
    template: 'identity "{name}" has an unknown class "{class}"',
    doc: 'Login providers are openid (any OpenID Connect provider with discovery), github and google.',
  },
  FUSIO_RESOLVE_PRODUCT_OFF: {
    severity: 'warning',
    template: 'section "{section}" only takes effect with service.product: true',
    doc: 'Roles, plans, identities and the account settings of config belong to the API-product layer; switch it on or remove the section.',
  },
  FUSIO_RESOLVE_CORS_CREDENTIALS: {
    severity: 'error',
    template: 'service.cors cannot allow credentials from every origin ("*")',
    doc: 'Browsers refuse credentialed requests to Access-Control-Allow-Origin: *; list the origins instead.',
  },
  FUSIO_RESOLVE_PARAMETER_CONFLICT: {
    severity: 'error',
    template: 'operation "{operation}": parameter "{name}" {problem}',
    doc: 'A parameter that names a path parameter types it; it must then describe a string, number, integer or boolean.',
  },

  // emit: code generation from the model
  FUSIO_EMIT_SCHEMA: {
    severity: 'error',
    template: 'cannot generate {what} for schema "{name}": {problem}',
    doc: 'ajv, fast-json-stringify or json-schema-to-typescript rejected the schema.',
  },
  FUSIO_EMIT_CLIENT_NAME: {
    severity: 'error',
    template: 'operation "{operation}" has no place in the client: {problem}',
    doc: '`fusio client` makes `a.b.c` the method `client.a.b.c`, so no operation id may also be the group of others (`a.b` beside `a.b.c`), and no path parameter may be called `query` or `body` (the argument\'s members). Rename the operation or the parameter.',
  },

  // check: type-checking custom handlers against the generated types
  FUSIO_CHECK_TYPE_ERROR: {
    severity: 'error',
    template: '{message}',
    doc: 'A custom handler does not type-check against the request/response types generated from its operations.',
  },
  FUSIO_CHECK_HANDLER_EXPORT: {
    severity: 'error',
    template: 'handler module "{path}" has no `handler` export',
    doc: 'A file action module exports `handler`, typed with the Handler type generated for it.',
  },

  // bundle: esbuild and the files copied next to the bundle
  FUSIO_BUNDLE_FAILED: {
    severity: 'error',
    template: '{message}',
    doc: 'esbuild could not bundle the generated service.',
  },
  FUSIO_BUNDLE_NATIVE_MISSING: {
    severity: 'error',
    template: 'native driver "{name}" is not installed next to the compiler',
    doc: 'Run npm install in the fusio-ts package; the driver is copied into dist/node_modules.',
  },

  // diff: the two sides `fusio diff` compares
  FUSIO_DIFF_UNKNOWN_REVISION: {
    severity: 'error',
    template: '"{ref}" is neither a manifest file nor a git revision',
    doc: '`fusio diff <base> [head]` takes manifest paths or git refs (a branch, tag, commit or HEAD~1) of the repository around the working directory; the hint repeats what git said.',
  },
} as const satisfies Record<string, CodeEntry>

export type DiagnosticCode = keyof typeof CODES
