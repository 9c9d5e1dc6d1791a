/**
 * Stage progress of a long command, on stderr. On a terminal: one line, redrawn with the running stage
 * and cleared at the end (the command's summary lists every stage's time). In CI and logs: one line per
 * finished stage, `fusio: emit done in 412 ms`.
 */
import type { PipelineOptions } from '../pipeline.js'

export interface Progress {
  readonly onStage: NonNullable<PipelineOptions['onStage']>
  /** Clears the status line before the command prints its own output. */
  readonly done: () => void
}

const CLEAR_LINE = '\r\u001b[2K'

export function stageProgress(out: NodeJS.WriteStream = process.stderr, env: NodeJS.ProcessEnv = process.env): Progress {
  if (!redrawable(out, env)) {
    return {
      onStage: (stage, event, ms) => {
        if (event === 'end') out.write(`fusio: ${stage} done in ${Math.round(ms ?? 0)} ms\n`)
      },
      done: () => {},
    }
  }
  let drawn = false
  const finished: string[] = []
  return {
    // The stages block the event loop, so the line is written when a stage starts rather than by a timer.
    onStage: (stage, event, ms) => {
      if (event === 'end') {
        finished.push(`${stage} ${Math.round(ms ?? 0)}`)
        return
      }
      const line = `fusio: ${stage}…${finished.length > 0 ? `  (${finished.join(', ')} ms)` : ''}`
      // A line that wrapped could not be cleared with one carriage return.
      out.write(`${CLEAR_LINE}${line.slice(0, (out.columns || 80) - 1)}`)
      drawn = true
    },
    done: () => {
      if (drawn) out.write(CLEAR_LINE)
      drawn = false
    },
  }
}

/** A terminal that understands cursor control, outside CI. */
function redrawable(out: NodeJS.WriteStream, env: NodeJS.ProcessEnv): boolean {
  return Boolean(out.isTTY) && !env.CI && env.TERM !== 'dumb'
}
