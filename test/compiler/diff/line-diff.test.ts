/** diffLines against a brute-force longest common subsequence: its edits are valid and minimal. */
import { describe, expect, it } from 'vitest'
import { diffLines } from '../../../compiler/diff/line-diff.js'

function lcsLength(a: readonly string[], b: readonly string[]): number {
  const row = new Array<number>(b.length + 1).fill(0)
  for (const line of a) {
    let diagonal = 0
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]
      row[j] = line === b[j - 1] ? diagonal + 1 : Math.max(row[j], row[j - 1])
      diagonal = above
    }
  }
  return row[b.length]
}

/** A small deterministic generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31
    return state / 2 ** 31
  }
}

describe('diffLines', () => {
  it('finds nothing between equal texts', () => {
    expect(diffLines(['a', 'b'], ['a', 'b'])).toEqual({ removed: [], added: [] })
  })

  it('names the lines removed from base and added in head', () => {
    expect(diffLines(['a', 'b', 'c', 'd'], ['a', 'x', 'c', 'd', 'e'])).toEqual({ removed: [1], added: [1, 4] })
    expect(diffLines([], ['a'])).toEqual({ removed: [], added: [0] })
    expect(diffLines(['a'], [])).toEqual({ removed: [0], added: [] })
  })

  it('gives a shortest edit on random texts', () => {
    const next = random(7)
    for (let round = 0; round < 300; round++) {
      const text = () => Array.from({ length: Math.floor(next() * 30) }, () => 'abcd'[Math.floor(next() * 4)])
      const base = text()
      const head = text()
      const { removed, added } = diffLines(base, head)
      expect(base.filter((_, i) => !removed.includes(i))).toEqual(head.filter((_, i) => !added.includes(i)))
      expect(removed.length + added.length).toBe(base.length + head.length - 2 * lcsLength(base, head))
      expect([...removed].sort((x, y) => x - y)).toEqual(removed)
    }
  })
})
