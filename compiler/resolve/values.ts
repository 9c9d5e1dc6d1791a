/** Located nodes → config values: placeholders become `{$env}` / `{$dir}` lookups, never their values. */
import type { ConfigValue } from '../../runtime-min/types.js'
import type { LNode, LScalar, TemplatePart } from '../load/index.js'

export function toConfigValue(node: LNode, env: Set<string>): ConfigValue {
  switch (node.kind) {
    case 'scalar':
      return scalarValue(node, env)
    case 'seq':
      return node.items.map((item) => toConfigValue(item, env))
    case 'map': {
      const out: Record<string, ConfigValue> = {}
      for (const e of node.entries) out[e.key] = toConfigValue(e.value, env)
      return out
    }
  }
}

function scalarValue(node: LScalar, env: Set<string>): ConfigValue {
  if (!node.template) return node.value
  const parts = node.template.map((part) => placeholderValue(part, env))
  return parts.length === 1 && typeof parts[0] !== 'string' ? parts[0] : { $template: parts }
}

function placeholderValue(part: TemplatePart, env: Set<string>): ConfigValue {
  if (typeof part === 'string') return part
  if ('env' in part) {
    env.add(part.env)
    return { $env: part.env }
  }
  return { $dir: part.dir }
}

/** True when any scalar below has a placeholder (used to refuse them where build-time values are needed). */
export function findTemplate(node: LNode): LScalar | undefined {
  if (node.kind === 'scalar') return node.template ? node : undefined
  const children = node.kind === 'seq' ? node.items : node.entries.map((e) => e.value)
  for (const child of children) {
    const found = findTemplate(child)
    if (found) return found
  }
  return undefined
}

export function stringValue(node: LNode | undefined): string | undefined {
  return node?.kind === 'scalar' && typeof node.value === 'string' ? node.value : undefined
}

export function scalarOf(node: LNode | undefined): LScalar['value'] | undefined {
  return node?.kind === 'scalar' ? node.value : undefined
}
