/**
 * createScheduler(run, quietMs) → notify(path) collects changed paths and, once no change arrived for
 * quietMs (an editor's save is several writes), calls run with them. Changes that arrive while run is
 * busy wait and become one follow-up run. run reports its own failures: it must not reject.
 */
export interface Scheduler {
  notify(path: string): void
  /** Runs at once with what is pending (nothing: the first build), unless a run is busy. */
  kick(): void
  /** No more runs; resolves when the busy one, if any, is done. */
  close(): Promise<void>
}

export function createScheduler(run: (changed: readonly string[]) => Promise<void>, quietMs: number): Scheduler {
  const pending = new Set<string>()
  let timer: NodeJS.Timeout | undefined
  let busy: Promise<void> | undefined
  let closed = false
  const start = () => {
    clearTimeout(timer)
    timer = undefined
    if (busy || closed) return
    const changed = [...pending].sort()
    pending.clear()
    busy = run(changed).finally(() => {
      busy = undefined
      if (pending.size > 0) wait()
    })
  }
  const wait = () => {
    clearTimeout(timer)
    timer = setTimeout(start, quietMs)
  }
  return {
    notify(path) {
      if (closed) return
      pending.add(path)
      if (!busy) wait()
    },
    kick: start,
    async close() {
      closed = true
      clearTimeout(timer)
      await busy
    },
  }
}
