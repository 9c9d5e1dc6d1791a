/** Upstream URLs: the joined fast path gives exactly what URL parsing gives, and unusual paths still go through the parser. */
import { describe, expect, it } from 'vitest'
import { resolverFor } from '../../runtime-min/connections/http.js'

const PATHS = ['/users/42', '/users/a%20b?x=1&y=%2F', '/', '/a/b/', '/users/x?q=a/b?c', '/x?a=1.5&b=-', "/o'k?q=it's", '/users/a.json', '/x?', '/x/?a', '/a/../b', '/a/./b', '/.well-known/x', '/a b', '/ä', '/x?a=<b>', '/x#frag', '/x?%zz', 'relative/path', 'http://other.example/abs?x']

describe('resolverFor', () => {
  for (const base of ['http://h:8080', 'http://h/api', 'http://h/api/', 'https://h/v1/base']) {
    it(`joins paths to ${base} as URL parsing does`, () => {
      const resolve = resolverFor(base)
      for (const path of PATHS) {
        const parsed = new URL(path.replace(/^\//, ''), base.endsWith('/') ? base : `${base}/`)
        expect(resolve(path), path).toEqual({ origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` })
      }
    })
  }
  it('takes absolute URLs without a base', () => {
    expect(resolverFor(undefined)('http://h:1/a/../b?x=1')).toEqual({ origin: 'http://h:1', path: '/b?x=1' })
  })
})
