/**
 * Reads the executable parts of a docs page. Fenced blocks are marked by their info string:
 * `sh` runs, `sh background` starts a long-running process, `sh setup` is a one-time step the test
 * replaces (cloning, installing), `<lang> file=<path>` is a file to write, and `text output` is what
 * the command block right before it prints, with `…` for text that changes from run to run.
 */

export type Step =
  | { readonly kind: 'setup'; readonly text: string; readonly heading: string; readonly line: number }
  | { readonly kind: 'run' | 'background'; readonly text: string; readonly heading: string; readonly line: number; readonly output?: string }
  | { readonly kind: 'file'; readonly path: string; readonly text: string; readonly heading: string; readonly line: number }

const SHELLS = new Set(['sh', 'bash', 'shell'])

/** The page's steps in order; throws on a block it cannot place, so a page cannot show an unmarked command. */
export function parseSteps(markdown: string): Step[] {
  const lines = markdown.split('\n')
  const steps: Step[] = []
  let heading = ''
  for (let i = 0; i < lines.length; i++) {
    const title = /^#{1,6} (.+)$/.exec(lines[i])
    if (title) heading = title[1]
    const fence = /^```(\S*)\s*(.*)$/.exec(lines[i])
    if (!fence) continue
    const [, language, rest] = fence
    const start = i + 1
    let end = start
    while (end < lines.length && lines[end] !== '```') end++
    if (end === lines.length) throw new Error(`line ${i + 1}: the block is not closed`)
    const text = lines.slice(start, end).join('\n')
    const words = rest.split(/\s+/).filter(Boolean)
    const line = i + 1
    i = end
    const file = words.find((w) => w.startsWith('file='))
    if (file) {
      steps.push({ kind: 'file', path: file.slice('file='.length), text: `${text}\n`, heading, line })
    } else if (SHELLS.has(language)) {
      const mark = words[0] ?? 'run'
      if (mark === 'setup') steps.push({ kind: 'setup', text, heading, line })
      else if (mark === 'run' || mark === 'background') steps.push({ kind: mark, text, heading, line })
      else throw new Error(`line ${line}: unknown mark "${mark}" (run, background or setup)`)
    } else if (language === 'text' && words[0] === 'output') {
      const previous = steps.at(-1)
      if (!previous || (previous.kind !== 'run' && previous.kind !== 'background') || previous.output !== undefined) {
        throw new Error(`line ${line}: an output block must follow a command block`)
      }
      steps[steps.length - 1] = { ...previous, output: text }
    }
  }
  return steps
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/**
 * Whether `actual` is what `shown` shows: the same lines, where a line holding only `…` stands for any
 * number of lines and `…` within a line for any text on that line. Line ends and trailing blanks are ignored.
 */
export function matchesShown(actual: string, shown: string): boolean {
  const normalize = (text: string) =>
    text
      .replace(/\r\n/g, '\n')
      .split('\n')
      .map((l) => l.trimEnd())
      .join('\n')
      .trim()
  const lines = normalize(shown).split('\n')
  const last = lines.length - 1
  let pattern = ''
  lines.forEach((line, index) => {
    if (line === '…') {
      pattern += index === last ? '(?:\\n[^\\n]*)*' : '(?:[^\\n]*\\n)*?'
      return
    }
    pattern += line.split('…').map(escape).join('[^\\n]*')
    const next = index + 1
    if (next <= last && !(next === last && lines[next] === '…')) pattern += '\\n'
  })
  return new RegExp(`^${pattern}$`).test(normalize(actual))
}
