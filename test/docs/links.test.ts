/** The guides' relative links point at files that exist, and their #anchors at headings of those files. */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import { REPO } from '../helpers/projects.js'

const PAGES = ['docs/getting-started.md', 'docs/manifest-reference.md', 'docs/moving-from-fusio.md', 'docs/deploy.md', 'docs/manifest.md']
// A computed specifier: the generator is plain JavaScript without type declarations.
const { headingAnchor } = (await import(pathToFileURL(join(REPO, 'scripts/manifest-reference.mjs')).href)) as { headingAnchor(heading: string): string }

/** Anchors of a Markdown file's headings, as GitHub makes them. */
function anchorsOf(file: string): Set<string> {
  const text = readFileSync(file, 'utf8').replace(/^```[\s\S]*?^```/gm, '')
  return new Set([...text.matchAll(/^#{1,6} (.+)$/gm)].map((m) => headingAnchor(m[1])))
}

describe.each(PAGES)('links of %s', (page) => {
  const text = readFileSync(join(REPO, page), 'utf8').replace(/^```[\s\S]*?^```/gm, '')
  const links = [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]).filter((link) => !/^[a-z]+:/.test(link))

  it('reach files and headings that exist', () => {
    expect(links.length).toBeGreaterThan(0)
    for (const link of links) {
      const [path, anchor] = link.split('#')
      const target = path ? join(REPO, dirname(page), path) : join(REPO, page)
      expect(existsSync(target), link).toBe(true)
      if (anchor && target.endsWith('.md')) expect(anchorsOf(target), link).toContain(anchor)
    }
  })
})
