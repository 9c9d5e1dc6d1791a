/**
 * ruleProblems(document) → what OpenAPI 3.1 requires beyond its meta-schema, which a schema cannot
 * say: operation ids unique in the document; each `{name}` of a path declared as a required path
 * parameter, and no path parameter that is not in the path; no two paths that differ only in
 * parameter names; local `$ref`s that resolve; security requirements that name declared schemes
 * (and, for OAuth2, declared scopes). schemaObjects(document) lists where its Schema Objects are.
 */
export interface OpenApiProblem {
  /** JSON pointer into the document. */
  readonly path: string
  readonly message: string
}

type Node = Record<string, unknown>

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']

export function ruleProblems(document: Node): OpenApiProblem[] {
  const problems: OpenApiProblem[] = []
  const ids = new Map<string, string>()
  const shapes = new Map<string, string>()
  const schemes = (object(object(document.components)?.securitySchemes) ?? {}) as Record<string, Node>
  for (const [path, item] of Object.entries(object(document.paths) ?? {})) {
    const at = `/paths/${pointerSegment(path)}`
    const shape = path.replace(/\{[^}]*\}/g, '{}')
    if (shapes.has(shape)) problems.push({ path: at, message: `has the shape of ${shapes.get(shape)}: two paths may not differ only in parameter names` })
    shapes.set(shape, path)
    const names = [...path.matchAll(/\{([^}]*)\}/g)].map((m) => m[1])
    for (const method of METHODS) {
      const operation = object(object(item)?.[method])
      if (!operation) continue
      const opAt = `${at}/${method}`
      const id = operation.operationId
      if (typeof id === 'string') {
        if (ids.has(id)) problems.push({ path: `${opAt}/operationId`, message: `"${id}" is also the id of ${ids.get(id)}` })
        ids.set(id, opAt)
      }
      problems.push(...parameterProblems(opAt, names, operation), ...securityProblems(opAt, operation, schemes))
    }
  }
  problems.push(...referenceProblems(document))
  return problems
}

/** Where each Schema Object of the document is, as JSON pointers, with the schema. */
export function schemaObjects(document: Node): { path: string; schema: unknown }[] {
  const found: { path: string; schema: unknown }[] = []
  for (const [name, schema] of Object.entries(object(object(document.components)?.schemas) ?? {})) found.push({ path: `/components/schemas/${pointerSegment(name)}`, schema })
  for (const [path, item] of Object.entries(object(document.paths) ?? {})) {
    for (const method of METHODS) {
      const operation = object(object(item)?.[method])
      if (!operation) continue
      const at = `/paths/${pointerSegment(path)}/${method}`
      array(operation.parameters).forEach((parameter, index) => {
        if (object(parameter)?.schema !== undefined) found.push({ path: `${at}/parameters/${index}/schema`, schema: object(parameter)!.schema })
      })
      const bodies = [
        ['requestBody', object(operation.requestBody)] as const,
        ...Object.entries(object(operation.responses) ?? {}).map(([status, response]) => [`responses/${status}`, object(response)] as const),
      ]
      for (const [where, body] of bodies) {
        for (const [type, media] of Object.entries(object(body?.content) ?? {})) {
          if (object(media)?.schema !== undefined) found.push({ path: `${at}/${where}/content/${pointerSegment(type)}/schema`, schema: object(media)!.schema })
        }
      }
    }
  }
  return found
}

function parameterProblems(at: string, names: readonly string[], operation: Node): OpenApiProblem[] {
  const problems: OpenApiProblem[] = []
  const declared = array(operation.parameters).map((p) => object(p) ?? {})
  const seen = new Set<string>()
  declared.forEach((parameter, index) => {
    const key = `${String(parameter.in)} ${String(parameter.name)}`
    if (seen.has(key)) problems.push({ path: `${at}/parameters/${index}`, message: `declares the ${key} parameter twice` })
    seen.add(key)
    if (parameter.in !== 'path') return
    if (!names.includes(String(parameter.name))) problems.push({ path: `${at}/parameters/${index}`, message: `path parameter "${String(parameter.name)}" is not in the path` })
    if (parameter.required !== true) problems.push({ path: `${at}/parameters/${index}/required`, message: 'a path parameter must be required: true' })
  })
  for (const name of names) {
    if (!declared.some((p) => p.in === 'path' && p.name === name)) problems.push({ path: `${at}/parameters`, message: `declares no path parameter "${name}"` })
  }
  return problems
}

function securityProblems(at: string, operation: Node, schemes: Record<string, Node>): OpenApiProblem[] {
  const problems: OpenApiProblem[] = []
  array(operation.security).forEach((requirement, index) => {
    for (const [name, scopes] of Object.entries(object(requirement) ?? {})) {
      const scheme = schemes[name]
      if (!scheme) {
        problems.push({ path: `${at}/security/${index}`, message: `names the undeclared security scheme "${name}"` })
        continue
      }
      if (scheme.type !== 'oauth2') continue
      const declared = new Set(Object.values(object(scheme.flows) ?? {}).flatMap((flow) => Object.keys(object(object(flow)?.scopes) ?? {})))
      for (const scope of array(scopes)) {
        if (!declared.has(String(scope))) problems.push({ path: `${at}/security/${index}/${pointerSegment(name)}`, message: `scope "${String(scope)}" is not declared by the flows of "${name}"` })
      }
    }
  })
  return problems
}

function referenceProblems(document: Node): OpenApiProblem[] {
  const problems: OpenApiProblem[] = []
  const visit = (value: unknown, at: string): void => {
    if (Array.isArray(value)) return value.forEach((item, index) => visit(item, `${at}/${index}`))
    const node = object(value)
    if (!node) return
    for (const [key, member] of Object.entries(node)) {
      if (key === '$ref' && typeof member === 'string' && member.startsWith('#') && resolvePointer(document, member.slice(1)) === undefined) {
        problems.push({ path: `${at}/$ref`, message: `"${member}" points at nothing in the document` })
      } else visit(member, `${at}/${pointerSegment(key)}`)
    }
  }
  visit(document, '')
  return problems
}

function resolvePointer(document: Node, pointer: string): unknown {
  if (pointer === '') return document
  return pointer
    .slice(1)
    .split('/')
    .map((segment) => decodeURIComponent(segment).replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>((node, segment) => object(node)?.[segment] ?? (Array.isArray(node) ? node[Number(segment)] : undefined), document)
}

function pointerSegment(text: string): string {
  return text.replace(/~/g, '~0').replace(/\//g, '~1')
}

function object(value: unknown): Node | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Node) : undefined
}

function array(value: unknown): unknown[] {
  return Array.isArray(value) ? value : []
}
