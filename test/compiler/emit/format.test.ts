/**
 * Formatting piece by piece gives the bytes of formatting the whole file with prettier, and a piece
 * served from the cache under its mask formats exactly like the piece itself.
 */
import { format } from 'prettier'
import { describe, expect, it } from 'vitest'
import { Cache } from '../../../compiler/cache/index.js'
import { createMemoryHost } from '../../../compiler/host/index.js'
import { formatEach, formatEntries, formatPieces, PRETTIER, type Parser } from '../../../compiler/emit/format.js'
import { mask } from '../../../compiler/emit/mask.js'

const prettier = (code: string, parser: Parser) => format(code, { ...PRETTIER, parser })
const fresh = () => new Cache('v', { host: createMemoryHost(), dir: '/cache' })

/** ajv-like snippets: the same code, numbered from another start. */
const snippet = (n: number, name = 'validateTodo') =>
  `// ${name}: schema Todo\nexport const ${name} = (() => { const schema${n} = {type: "object", properties: {title: {type: "string", maxLength: 100}}}; const func2 = ucs2length_0
function validate${n - 1}(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){ let vErrors = null; let errors = 0; if(data && typeof data == "object" && !Array.isArray(data)){ if(data.title !== undefined){ if(func2(data.title) > 100){ const err0 = {instancePath:instancePath+"/title",schemaPath:"#/properties/title/maxLength",keyword:"maxLength",params:{limit: 100},message:"must NOT have more than 100 characters"}; if(vErrors === null){vErrors = [err0];} else {vErrors.push(err0);} errors++; } } } validate${n - 1}.errors = vErrors; return errors === 0; }
return validate${n - 1} })()`

describe('mask', () => {
  it('gives code that differs only in its numbering one text, and restores each', () => {
    const [a, b] = [mask(snippet(12)), mask(snippet(57))]
    expect(a.text).toBe(b.text)
    expect(a.unmask(a.text)).toBe(snippet(12))
    expect(b.unmask(b.text)).toBe(snippet(57))
  })

  it('keeps the width and first character of a word, and leaves numbers alone', () => {
    const masked = mask('const schema13 = x1 + 100 + 1e5 + $ref2 + ucs2length_0').text
    expect(masked).toBe('const s0000000 = x0 + 100 + 1e5 + $0000 + u00000000000')
  })

  it('leaves code unmasked when one kind of word has more spellings than placeholders', () => {
    // 104 words `ab0`, `ab1`, `ac0`… for the 100 placeholders `a00` to `a99`.
    const letters = 'bcdefghijklmnopqrstuvwxyzBCDEFGHIJKLMNOPQRSTUVWXYZ'
    const crowded = [...letters, '_', '$'].flatMap((letter) => [`a${letter}0`, `a${letter}1`]).join(' + ')
    expect(mask(crowded).text).toBe(crowded)
  })

  it('formats a masked piece as prettier formats the piece', async () => {
    for (const n of [12, 57, 3]) {
      const code = snippet(n, `validateTodo${n}`)
      const masked = mask(code)
      expect(masked.unmask(await prettier(masked.text, 'babel'))).toBe(await prettier(code, 'babel'))
    }
  })
})

describe('formatting piece by piece', () => {
  it('gives the bytes of formatting the file, blank lines kept', async () => {
    const pieces = ['// banner\nimport x from "y"\n\n', `${snippet(12)}\n\n`, `${snippet(13, 'validateOther')}\n`, 'export const z = 1\n']
    expect(await formatPieces(pieces, 'babel', fresh())).toBe(await prettier(pieces.join(''), 'babel'))
  })

  it('formats a piece that holds the separator on its own', async () => {
    const pieces = ['export type A = string\n', '// fusio: next piece\nexport type B = number\n', '/** C */\nexport type C = A | B\n']
    expect(await formatPieces(pieces, 'typescript', fresh())).toBe(await prettier(pieces.join(''), 'typescript'))
  })

  it('serves a renumbered piece from the cache, formatted as prettier formats it', async () => {
    const cache = fresh()
    await formatEach([snippet(12)], 'babel', cache)
    let calls = 0
    const counting = { get: (space: string, input: string) => (calls++, cache.get(space, input)), set: () => expect.fail('formatted again') } as unknown as Cache
    expect(await formatEach([snippet(13)], 'babel', counting)).toEqual([await prettier(snippet(13), 'babel')])
    expect(calls).toBeGreaterThan(0)
  })

  it('never formats again for a changed leading comment (a manifest line that moved)', async () => {
    const cache = fresh()
    const piece = (line: number) => `// validateTodo: schema Todo (.fusio.yml:${line})\n${snippet(12).slice(snippet(12).indexOf('\n') + 1)}\n`
    const entry = (line: number) => `/** todo.get: GET /todo (.fusio.yml:${line}) */\n{ operationId: "todo.get", urls: ["/todo"] }`
    const open = 'export const routes = ['
    const type = (line: number) => `/**\n * An item\n *\n * Schema Item (.fusio.yml:${line}).\n */\nexport interface Item { id: number }\n`
    await formatEach([piece(41)], 'babel', cache)
    await formatEach([type(41)], 'typescript', cache)
    await formatEntries(open, [entry(41)], ']', 'typescript', cache)
    const noFormatting = { get: (space: string, input: string) => cache.get(space, input), set: () => expect.fail('formatted again') } as unknown as Cache
    expect(await formatEach([piece(1041)], 'babel', noFormatting)).toEqual([await prettier(piece(1041), 'babel')])
    expect(await formatEach([type(1041)], 'typescript', noFormatting)).toEqual([await prettier(type(1041), 'typescript')])
    expect(await formatEntries(open, [entry(1041)], ']', 'typescript', noFormatting)).toBe(await prettier(`${open}\n${entry(1041)}\n]\n`, 'typescript'))
  })

  it('leaves out of formatting only comments prettier prints as they are', async () => {
    const jsdoc = '/**\n * A page of items\n *\n * Schema Item_Collection (schemas/items.json).\n */\nexport interface ItemCollection { entry: Item[] }\n'
    const pieces = [jsdoc, '// one\n/** two */\nexport type A = {a: string}\n', '/**\n * ends in a star *\n */\nexport type B = 1\n']
    expect(await formatPieces(pieces, 'typescript', fresh())).toBe(await prettier(pieces.join(''), 'typescript'))
  })

  it('keeps in formatting the comments prettier would change (trailing blanks, a blank line after them)', async () => {
    const pieces = ['// trailing blank \nexport const a = 1\n', '/** doc */\n\nexport const b = [1,2]\n', '// only a comment\n', '/**\n * blank \n *  \n */\nexport type C = 1\n', '   /**\n   * indented\n   */\nexport type D = 1\n']
    expect(await formatPieces(pieces, 'typescript', fresh())).toBe(await prettier(pieces.join(''), 'typescript'))
  })

  it('formats the entries of a table as prettier formats the table', async () => {
    const routes = ['/** GET /a */\n{ operationId: "a.get", urls: ["/a"], validate: { query: validateAGetQuery } }', `/** POST /b — a long one */\n{ operationId: "b.create", method: "POST", urls: ["/b", "/v1/b"], public: false, scopes: ["b", "admin"], serialize: { 201: serializeB } }`]
    const open = 'export const routes: readonly RouteDefinition[] = ['
    expect(await formatEntries(open, routes, ']', 'typescript', fresh())).toBe(await prettier(`${open}\n${routes.join(',\n')}\n]\n`, 'typescript'))
    const actions = ['"Plain": { class: "static-response", config: { response: { id: 1 } } }', '"file://actions/b.ts": { class: "file", config: { path: "actions/b.ts" }, handler: (bModule.handler satisfies BHandler) }']
    const table = 'export const actions: Readonly<Record<string, ActionEntry>> = {'
    expect(await formatEntries(table, actions, '}', 'typescript', fresh())).toBe(await prettier(`${table}\n${actions.join(',\n')}\n}\n`, 'typescript'))
    expect(await formatEntries(table, [], '}', 'typescript', fresh())).toBe(await prettier(`${table}\n}\n`, 'typescript'))
  })
})
