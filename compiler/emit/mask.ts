/**
 * mask(code) → the code with every numbered identifier (`schema12`, `validate11`, `ucs2length_0`,
 * `R7GetQuery`) replaced by a placeholder of the same length and first character, and the way back.
 * ajv and the import hoister number identifiers in file order, so one added validator renumbers all
 * the code after it; masked, that code stays the same text and its formatting stays cached. Prettier
 * lays an identifier out by its length and, in a few rules, its first character (a capital marks a
 * factory), never by its digits: formatted and unmasked, a masked piece reads as the piece formatted.
 */

/** An identifier-like word with a digit in it; numbers (starting with a digit) are never words. */
const NUMBERED = /(?<![\w$])[A-Za-z_$][\w$]*\d[\w$]*(?![\w$])/g

export interface Masked {
  readonly text: string
  /** Undoes the masking in `text` once it has been formatted. */
  readonly unmask: (formatted: string) => string
}

export function mask(code: string): Masked {
  const toPlaceholder = new Map<string, string>()
  const counts = new Map<string, number>()
  let overflow = false
  const text = code.replace(NUMBERED, (word) => {
    let placeholder = toPlaceholder.get(word)
    if (placeholder === undefined) {
      // Words of one first character and length get placeholders 0, 1, 2… in the digits after it.
      const group = `${word[0]}${word.length}`
      const index = counts.get(group) ?? 0
      const digits = String(index).padStart(word.length - 1, '0')
      overflow ||= digits.length > word.length - 1
      counts.set(group, index + 1)
      placeholder = `${word[0]}${digits}`
      toPlaceholder.set(word, placeholder)
    }
    return placeholder
  })
  if (overflow || toPlaceholder.size === 0) return { text: code, unmask: (formatted) => formatted }
  const toWord = new Map([...toPlaceholder].map(([word, placeholder]) => [placeholder, word]))
  return { text, unmask: (formatted) => formatted.replace(NUMBERED, (placeholder) => toWord.get(placeholder) ?? placeholder) }
}
