/**
 * Templates of `http-raw` bodies and the `template` action: Liquid (liquidjs), whose syntax is
 * Twig's (`{{ payload.name }}`, `{% if %}`, filters such as `| json`). It evaluates no code, reads own
 * properties only, has time and memory limits for loops over request data, and is loaded on first use.
 */
import type { Liquid, Template } from 'liquidjs'
import { commonJs } from '../interop.js'

/** `html` escapes every output as Twig does by default (`| raw` opts out); `none` writes values as they are. */
export type Escaping = 'html' | 'none'

const engines = new Map<Escaping, Promise<Liquid>>()

function liquid(escaping: Escaping): Promise<Liquid> {
  let engine = engines.get(escaping)
  if (!engine) {
    engine = import('liquidjs').then(
      (module) =>
        new (commonJs(module).Liquid)({
          strictFilters: true,
          ownPropertyOnly: true,
          cache: false,
          renderLimit: 1_000,
          memoryLimit: 16 * 1024 * 1024,
          ...(escaping === 'html' ? { outputEscape: 'escape' as const } : {}),
        }),
    )
    engines.set(escaping, engine)
  }
  return engine
}

/** Parses on the first render; a template error surfaces there, as a 500, and again on later renders. */
export function compileTemplate(source: string, escaping: Escaping): (data: Readonly<Record<string, unknown>>) => Promise<string> {
  let parsed: Template[] | undefined
  return async (data) => {
    const engine = await liquid(escaping)
    parsed ??= engine.parse(source)
    return engine.render(parsed, data) as Promise<string>
  }
}
