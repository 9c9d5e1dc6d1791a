/**
 * Templates of `http-raw` bodies and the `template` action: Liquid (liquidjs), whose syntax is
 * Twig's (`{{ payload.name }}`, `{% if %}`, filters such as `| json`). It evaluates no code, reads own
 * properties only, and is loaded on first use.
 */
import type { Liquid, Template } from 'liquidjs'
import { commonJs } from '../interop.js'

let engine: Promise<Liquid> | undefined

const liquid = (): Promise<Liquid> =>
  (engine ??= import('liquidjs').then((module) => new (commonJs(module).Liquid)({ strictFilters: true, ownPropertyOnly: true, cache: false })))

/** Parses once, on the first render; a template error surfaces there, as a 500 naming the action. */
export function compileTemplate(source: string): (data: Readonly<Record<string, unknown>>) => Promise<string> {
  let parsed: Template[] | undefined
  return async (data) => {
    const engine = await liquid()
    parsed ??= engine.parse(source)
    return engine.render(parsed, data) as Promise<string>
  }
}
