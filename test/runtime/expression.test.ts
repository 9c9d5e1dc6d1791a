/** The condition action's expression language: Symfony-style syntax, evaluated without eval or prototypes. */
import { describe, expect, it } from 'vitest'
import { compileExpression, ExpressionError } from '../../runtime-min/actions/expression.js'

const values: Record<string, string> = { id: '1', name: 'Ada' }
const scope = {
  request: {
    get: (name: string) => values[name] ?? null,
    getPayload: () => ({ amount: 150, tags: ['a', 'b'] }),
  },
  context: { getUser: () => ({ getPlanId: () => 2, anonymous: false }) },
  user: { anonymous: false, scopes: ['todo'] },
  double: (n: number) => n * 2,
  counter: {
    count: 3,
    twice() {
      return this.count * 2
    },
  },
  // JSON.parse makes `__proto__` and `constructor` own keys, the classic pollution payload
  data: JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}') as unknown,
}

const run = (source: string) => compileExpression(source).evaluate(scope)

function errorOf(action: () => unknown): ExpressionError {
  try {
    action()
  } catch (error) {
    expect(error).toBeInstanceOf(ExpressionError)
    return error as ExpressionError
  }
  throw new Error('expected an ExpressionError, nothing was thrown')
}

describe('compileExpression evaluates', () => {
  it.each<[string, unknown]>([
    // what Fusio users write
    ['request.get("id") == 1', true],
    ['context.getUser().getPlanId() == 2', true],
    ['request.getPayload().amount > 100 and not user.anonymous', true],
    // A missing value compares as neither greater nor smaller.
    ['request.getPayload().missing > 100', false],
    ['request.getPayload().missing <= 100', false],
    // literals, arrays, variables, members
    ['1', 1],
    ['1.5', 1.5],
    ['"a"', 'a'],
    ["'b'", 'b'],
    ['true', true],
    ['false', false],
    ['null', null],
    ['[1, "a", null, [true]]', [1, 'a', null, [true]]],
    ['[]', []],
    ['[1, 1 + 1][1]', 2],
    ['[request.get("id"), user.scopes]', ['1', ['todo']]],
    ['user.anonymous', false],
    ['user.scopes[0]', 'todo'],
    ['user["scopes"][1]', null],
    ['user.missing', null],
    ['user.scopes.length', 1],
    // calls of functions the scope provides
    ['request.get("nope")', null],
    ['request["get"]("name")', 'Ada'],
    ['request.getPayload().tags[1]', 'b'],
    ['double(21)', 42],
    ['counter.twice()', 6],
    // arithmetic and precedence
    ['1 + 2', 3],
    ['5 - 7', -2],
    ['2 * 3', 6],
    ['7 / 2', 3.5],
    ['7 % 4', 3],
    ['-request.getPayload().amount', -150],
    ['+2', 2],
    ['1 + 2 * 3', 7],
    ['(1 + 2) * 3', 9],
    ['10 - 2 - 3', 5],
    ['12 / 2 / 3', 2],
    // ~ joins strings and numbers, binding tighter than + and looser than *
    ['"a" ~ "b"', 'ab'],
    ['"id:" ~ request.get("id") ~ 0', 'id:10'],
    ['"a" ~ 2 * 3', 'a6'],
    ['"n" ~ (1 + 2)', 'n3'],
    // equality: strict, but a numeric string equals its number
    ['1 == 1', true],
    ['request.get("id") == "1"', true],
    ['request.get("id") != 2', true],
    ['request.get("id") === 1', false],
    ['request.get("id") !== 1', true],
    ['"1.0" == 1', true],
    ['"abc" == 0', false],
    ['null == false', false],
    ['null == null', true],
    ['[1] == [1]', false],
    // ordering of numbers and of strings
    ['2 < 3', true],
    ['3 <= 3', true],
    ['4 > 5', false],
    ['5 >= 5', true],
    ['"apple" < "banana"', true],
    ['1 + 1 == 2 and 2 * 2 == 4', true],
    // logic returns booleans; not binds tighter than and, and tighter than or
    ['true and false', false],
    ['true && true', true],
    ['false or true', true],
    ['false || false', false],
    ['not true', false],
    ['!false', true],
    ['1 and "x"', true],
    ['0 or ""', false],
    ['not user.anonymous and user.anonymous', false],
    ['not (user.anonymous and true)', true],
    ['true or false and false', true],
    // the right side is not evaluated when the left decides; evaluated, each would throw
    ['false and user.missing.x', false],
    ['true or user.missing.x', true],
    ['false && missing()', false],
    ['true || request.nope()', true],
    ['true ? 1 : user.missing.x', 1],
    ['false ? user.missing.x : 2', 2],
    // in and not in: array elements (strictly) or own keys of objects
    ['"todo" in user.scopes', true],
    ['"admin" in user.scopes', false],
    ['"admin" not in user.scopes', true],
    ['"todo" not in user.scopes', false],
    ['2 in [1, 2]', true],
    ['"1" in [1, 2]', false],
    ['"amount" in request.getPayload()', true],
    ['"constructor" in request.getPayload()', false],
    // matches: PCRE-style literal patterns with delimiters and flags
    ['request.get("name") matches "/^a/i"', true],
    ['request.get("name") matches "/^a/"', false],
    ['"a/b" matches "#^a/b$#"', true],
    ['"first\\nsecond" matches "/^second$/m"', true],
    // ternary
    ['user.anonymous ? "guest" : "member"', 'member'],
    ['false ? 1 : true ? 2 : 3', 2],
    ['1 > 0 ? "yes" : "no"', 'yes'],
  ])('%s → %j', (source, expected) => {
    expect(run(source)).toEqual(expected)
  })

  it('compiles once and evaluates against many scopes', () => {
    const compiled = compileExpression('user.plan ~ "!"')
    expect(compiled.source).toBe('user.plan ~ "!"')
    expect(compiled.evaluate({ user: { plan: 'free' } })).toBe('free!')
    expect(compiled.evaluate({ user: { plan: 'pro' } })).toBe('pro!')
  })
})

describe('compileExpression refuses while compiling', () => {
  it.each<[string, string, number | undefined]>([
    ['1 +', 'syntax error: Expected expression after +', 3],
    ['request.get("id"', 'syntax error: Expected )', 16],
    ['"unclosed', 'syntax error: Unclosed quote', 9],
    ['x = 1', 'syntax error: Unexpected "="', 2],
    ['1 ** 2', 'syntax error: Expected expression after *', 3],
    ['a ? b', 'syntax error: Expected :', 5],
    ['({}).constructor', 'syntax error: Unexpected "{"', 1],
    ['a b', 'expected one expression, found more', 2],
    ['(1, 2)', "',' can only separate arguments and array elements", 0],
    ['[1, , 2]', 'empty array element', 0],
    ['this', 'unsupported syntax (ThisExpression)', 0],
    ['user?.anonymous', "'?.' is not supported", 0],
    // properties that lead to prototypes and constructors
    ['request.__proto__', "property '__proto__' is not allowed", 0],
    ['request["__proto__"]', "property '__proto__' is not allowed", 0],
    ['1 + user.constructor', "property 'constructor' is not allowed", 4],
    ['[].constructor', "property 'constructor' is not allowed", 0],
    ['"a"["constructor"]', "property 'constructor' is not allowed", 0],
    ['request.get.prototype', "property 'prototype' is not allowed", 0],
    ['(user.anonymous ? request.get : double)("id")', 'only named functions can be called', 0],
    // matches takes a literal pattern, compiled now
    ['request.get("name") matches user.pattern', "'matches' needs a string literal pattern", 0],
    ['"a" matches "/" ~ "a/"', "'matches' needs a string literal pattern", 0],
    ['"a" matches "abc"', 'needs delimiters', 0],
    ['"a" matches "/a/g"', 'flags "g" are not supported', 0],
    ['"a" matches "/(/"', 'is invalid: Invalid regular expression', 0],
  ])('%s', (source, fragment, position) => {
    const error = errorOf(() => compileExpression(source))
    expect(error.message).toContain(fragment)
    expect(error.position).toBe(position)
  })

  it.each([
    { limit: 'a 201-character pattern', source: `"a" matches "/${'a'.repeat(199)}/"`, fragment: "'matches' pattern is 201 characters long, the limit is 200", position: 0 },
    { limit: 'a 2001-character source', source: '1' + ' '.repeat(2000), fragment: 'expression is 2001 characters long, the limit is 2000', position: undefined },
    { limit: '64 unary minuses', source: '-'.repeat(64) + '1', fragment: 'nested more than 64 levels deep', position: 64 },
    { limit: 'a sum of 65 terms', source: Array(65).fill('1').join(' + '), fragment: 'nested more than 64 levels deep', position: 0 },
    { limit: '65 nested arrays', source: '['.repeat(65) + ']'.repeat(65), fragment: 'nested more than 64 levels deep', position: 64 },
  ])('$limit', ({ source, fragment, position }) => {
    const error = errorOf(() => compileExpression(source))
    expect(error.message).toContain(fragment)
    expect(error.position).toBe(position)
  })

  it('accepts sizes up to the limits', () => {
    expect(run('-'.repeat(63) + '1')).toBe(-1)
    expect(run(Array(64).fill('1').join(' + '))).toBe(64)
    expect(run('1' + ' '.repeat(1999))).toBe(1)
    expect(run(`"${'a'.repeat(198)}" matches "/${'a'.repeat(198)}/"`)).toBe(true)
  })
})

describe('evaluate refuses', () => {
  it.each<[string, string]>([
    ['"a" + "b"', "'+' needs two numbers, got string and string; use ~ to join strings"],
    ['"a" ~ 1 + 2', 'use ~ to join strings'],
    ['1 - true', "'-' needs two numbers, got number and boolean"],
    ['-"1"', "unary '-' needs a number, got string"],
    ['1 / 0', 'division by zero'],
    ['1 % 0', 'division by zero'],
    ['"a" ~ null', "'~' joins strings and numbers, got string and null"],
    ['1 < "2"', "'<' compares two numbers or two strings, got number and string"],
    ['"a" in "abc"', "'in' needs an array, or a key and an object, on its right, got string"],
    ['user.anonymous matches "/x/"', "'matches' needs a string on its left, got boolean"],
    ['missing', "unknown variable 'missing'"],
    ['user.missing.x', "cannot read 'x' of null"],
    ['request.get("nope").length', "cannot read 'length' of null"],
    ['user.scopes.length.x', "cannot read 'x' of number"],
    ['user.scopes[user]', 'property name must be a string or a number, not object'],
    // computed names are checked again when evaluated
    ['request["__pro" ~ "to__"]', "property '__proto__' is not allowed"],
    ['data["const" ~ "ructor"]', "property 'constructor' is not allowed"],
    // only functions the scope provides can be called
    ['"a".toUpperCase()', "cannot call 'toUpperCase' of string"],
    ['request.getPayload().tags.join(",")', "cannot call 'join' of array"],
    ['request.get.call(null, "id")', "cannot call 'call' of function"],
    ['request.nope()', "'nope' is not a function"],
    ['user.scopes()', "'scopes' is not a function"],
    ['missing()', "'missing' is not a function"],
    ['user.missing.x()', "cannot call 'x' of null"],
  ])('%s', (source, fragment) => {
    const compiled = compileExpression(source)
    const error = errorOf(() => compiled.evaluate(scope))
    expect(error.message).toContain(fragment)
    expect(error.position).toBe(0)
  })
})

describe('prototype pollution', () => {
  it('cannot reach or change Object.prototype', () => {
    const before = Object.getOwnPropertyNames(Object.prototype).sort()
    const attempts = [
      'request["__proto__"]',
      'request.__proto__.polluted',
      'request["__pro" ~ "to__"]["polluted"]',
      'data.__proto__',
      'data["__proto__"].polluted',
      'data.constructor.prototype.polluted',
      'request.getPayload()["constructor"]["prototype"]',
      '[].constructor',
      '"a".constructor("return process")()',
      'request.get.constructor("return process")()',
      '({}).constructor',
    ]
    for (const source of attempts) errorOf(() => run(source))
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(before)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('reads own keys only, so inherited members are missing', () => {
    expect(run('request.getPayload().toString')).toBeNull()
    expect(run('request.getPayload().hasOwnProperty')).toBeNull()
    expect(errorOf(() => run('request.getPayload().hasOwnProperty("amount")')).message).toContain(
      "'hasOwnProperty' is not a function",
    )
  })
})
