/**
 * diffLines(base, head) → which lines were removed from base and which were added in head, by
 * Myers' O(ND) algorithm on what lies between the common first and last lines. Past MAX_EDITS the
 * whole middle counts as replaced: the counts stay true upper bounds and the time stays bounded.
 */

export interface LineDiff {
  /** 0-based indices into the base lines, ascending. */
  readonly removed: readonly number[]
  /** 0-based indices into the head lines, ascending. */
  readonly added: readonly number[]
}

const MAX_EDITS = 4000

export function diffLines(base: readonly string[], head: readonly string[]): LineDiff {
  let start = 0
  while (start < base.length && start < head.length && base[start] === head[start]) start++
  let baseEnd = base.length
  let headEnd = head.length
  while (baseEnd > start && headEnd > start && base[baseEnd - 1] === head[headEnd - 1]) {
    baseEnd--
    headEnd--
  }
  const edits = shortestEdit(base.slice(start, baseEnd), head.slice(start, headEnd))
  if (edits) return { removed: edits.removed.map((i) => i + start), added: edits.added.map((i) => i + start) }
  return { removed: range(start, baseEnd), added: range(start, headEnd) }
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i)
}

/**
 * The furthest x reached on each diagonal k = x − y after d edits is kept per d (2d + 1 entries), then
 * walked back from the end to recover which line each edit removed or added.
 */
function shortestEdit(a: readonly string[], b: readonly string[]): LineDiff | undefined {
  const trace: Int32Array[] = []
  const limit = Math.min(a.length + b.length, MAX_EDITS)
  for (let d = 0; d <= limit; d++) {
    const previous = trace[d - 1]
    const furthest = new Int32Array(2 * d + 1)
    for (let k = -d; k <= d; k += 2) {
      let x = d === 0 ? 0 : movesDown(previous, d, k) ? previous[k + 1 + d - 1] : previous[k - 1 + d - 1] + 1
      let y = x - k
      while (x < a.length && y < b.length && a[x] === b[y]) {
        x++
        y++
      }
      furthest[k + d] = x
      if (x >= a.length && y >= b.length) {
        trace.push(furthest)
        return backtrack(trace, a.length, b.length)
      }
    }
    trace.push(furthest)
  }
  return undefined
}

/** Whether diagonal k at step d is reached by adding a line (from k + 1) rather than removing one (from k − 1). */
function movesDown(previous: Int32Array, d: number, k: number): boolean {
  return k === -d || (k !== d && previous[k - 1 + d - 1] < previous[k + 1 + d - 1])
}

function backtrack(trace: readonly Int32Array[], n: number, m: number): LineDiff {
  const removed: number[] = []
  const added: number[] = []
  let x = n
  let y = m
  for (let d = trace.length - 1; d > 0; d--) {
    const k = x - y
    const down = movesDown(trace[d - 1], d, k)
    const previousK = down ? k + 1 : k - 1
    const previousX = trace[d - 1][previousK + d - 1]
    const previousY = previousX - previousK
    if (down) added.push(previousY)
    else removed.push(previousX)
    x = previousX
    y = previousY
  }
  return { removed: removed.reverse(), added: added.reverse() }
}
