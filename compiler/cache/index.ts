/**
 * new Cache(version, store) → a content-addressed cache of what emitters compute (formatted code,
 * ajv and fast-json-stringify output, TypeScript types). A key is the hash of the compiler version,
 * a space (what computes the value) and everything the value depends on, so an entry is never stale,
 * only unused. Each space is one JSON file in the store's folder (a project's .fusio/emit-cache/),
 * read when first asked and rewritten by flush() with just the entries this run used.
 */
import { createHash } from 'node:crypto'
import { posix } from 'node:path'
import type { Host } from '../host/index.js'

export interface CacheStore {
  readonly host: Host
  /** Absolute folder of the space files. */
  readonly dir: string
}

interface Space {
  /** What the store held when the space was first asked for. */
  readonly stored: ReadonlyMap<string, string>
  /** The entries this run read or wrote. */
  readonly used: Map<string, string>
  written: boolean
}

export class Cache {
  private readonly spaces = new Map<string, Space>()

  constructor(
    private readonly version: string,
    private readonly store: CacheStore,
  ) {}

  get(space: string, input: string): string | undefined {
    const entries = this.space(space)
    const key = this.key(space, input)
    const value = entries.used.get(key) ?? entries.stored.get(key)
    if (value !== undefined) entries.used.set(key, value)
    return value
  }

  set(space: string, input: string, value: string): void {
    const entries = this.space(space)
    entries.used.set(this.key(space, input), value)
    entries.written = true
  }

  /** The value for `input`, computed and kept when missing; a computation that throws keeps nothing. */
  async memo(space: string, input: string, compute: () => string | Promise<string>): Promise<string> {
    const hit = this.get(space, input)
    if (hit !== undefined) return hit
    const value = await compute()
    this.set(space, input, value)
    return value
  }

  /**
   * Writes back each space that gained an entry or has one this run did not use. What it wrote is
   * then what the store holds, and the next run starts: a cache kept in memory (fusio dev) flushes
   * after each of its runs.
   */
  flush(): void {
    for (const [name, space] of this.spaces) {
      if (space.written || space.used.size !== space.stored.size) {
        const entries = Object.fromEntries([...space.used].sort(([a], [b]) => (a < b ? -1 : 1)))
        this.store.host.writeFile(this.file(name), `${JSON.stringify(entries)}\n`)
      }
      this.spaces.set(name, { stored: space.used, used: new Map(), written: false })
    }
  }

  private space(name: string): Space {
    let space = this.spaces.get(name)
    if (!space) {
      space = { stored: this.read(name), used: new Map(), written: false }
      this.spaces.set(name, space)
    }
    return space
  }

  /** A missing or unreadable file (a write cut short) is an empty space. */
  private read(name: string): ReadonlyMap<string, string> {
    const text = this.store.host.readFile(this.file(name))
    if (text === undefined) return new Map()
    try {
      return new Map(Object.entries(JSON.parse(text) as Record<string, string>))
    } catch {
      return new Map()
    }
  }

  private file(name: string): string {
    return posix.join(this.store.dir, `${name}.json`)
  }

  private key(space: string, input: string): string {
    return createHash('sha256').update(this.version).update('\0').update(space).update('\0').update(input).digest('base64url')
  }
}
