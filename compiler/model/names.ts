/** Identifier stems for generated code: PascalCase, valid TypeScript, unique across the whole model. */

const RESERVED = new Set([
  'FusioSchemas', 'Handler', 'ActionRequest', 'ActionResponse', 'ActionContext', 'Principal', 'Json',
  'Record', 'Promise', 'Array', 'Object', 'String', 'Number', 'Boolean', 'Date', 'Error', 'Map', 'Set',
])

export function pascalCase(text: string): string {
  const words = text.split(/[^A-Za-z0-9]+/).filter(Boolean)
  const joined = words.map((w) => w[0].toUpperCase() + w.slice(1)).join('')
  if (joined === '') return 'Unnamed'
  return /^[0-9]/.test(joined) ? `T${joined}` : joined
}

/** Hands out stems so that every name derived from a stem (stem + suffix) is unique. */
export class NameRegistry {
  private readonly taken = new Set<string>(RESERVED)

  /** Claims `pascalCase(text)` (or `…2`, `…3`) with all of `suffixes` appended; returns the stem. */
  claim(text: string, suffixes: readonly string[] = ['']): string {
    const base = pascalCase(text)
    for (let n = 1; ; n++) {
      const stem = n === 1 ? base : `${base}${n}`
      const names = suffixes.map((s) => stem + s)
      if (names.every((name) => !this.taken.has(name))) {
        for (const name of names) this.taken.add(name)
        return stem
      }
    }
  }
}
