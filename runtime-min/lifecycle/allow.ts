/**
 * The methods each operation URL answers, for OPTIONS (`Allow`) and 405 replies. They are looked up
 * in a router built on the first such request rather than registered as routes: a service of
 * 1,000 operations starts without 2,000 extra Fastify routes, and the router is Fastify's own
 * (find-my-way), so a URL matches here exactly when it would match an operation.
 */
import Router from 'find-my-way'
import type { HttpMethod, RouteDefinition } from '../types.js'

export interface AllowTable {
  /** `Allow` for the URL (`GET, HEAD, OPTIONS`), or undefined when no operation has that URL. */
  allow(path: string): string | undefined
}

/** The methods an operation's route answers: GET answers HEAD too. */
export const answeredMethods = (method: HttpMethod): readonly (HttpMethod | 'HEAD')[] => (method === 'GET' ? ['GET', 'HEAD'] : [method])

export function createAllowTable(routes: readonly Pick<RouteDefinition, 'method' | 'urls'>[]): AllowTable {
  let router: Router.Instance<Router.HTTPVersion.V1> | undefined
  const build = () => {
    const methodsByUrl = new Map<string, Set<HttpMethod | 'HEAD'>>()
    for (const route of routes) {
      for (const url of route.urls) {
        const methods = methodsByUrl.get(url) ?? new Set()
        for (const method of answeredMethods(route.method)) methods.add(method)
        methodsByUrl.set(url, methods)
      }
    }
    const table = Router()
    const noop = () => {}
    for (const [url, methods] of methodsByUrl) table.on('GET', url, noop, { allow: [...methods, 'OPTIONS'].sort().join(', ') })
    return table
  }
  return {
    allow(path) {
      router ??= build()
      return (router.find('GET', path)?.store as { allow: string } | undefined)?.allow
    },
  }
}
