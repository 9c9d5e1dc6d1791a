/**
 * The expression language of the `condition` action: the subset of Symfony ExpressionLanguage that
 * Fusio users write (`request.get("id") == 1 and not user.anonymous`). jsep parses; this module
 * compiles the tree into closures that never reach `eval`, prototypes or functions the runtime did
 * not put into the scope.
 */
import jsep from 'jsep'

const MAX_SOURCE_LENGTH = 2000
const MAX_DEPTH = 64
const MAX_PATTERN_LENGTH = 200

// Names that lead from data to prototypes and constructors, refused even when they are own keys.
const FORBIDDEN_NAMES = new Set(['__proto__', 'constructor', 'prototype'])

// PHP 8 numeric strings, which Symfony's `==` compares with numbers by value.
const NUMERIC_STRING = /^\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*$/

// jsep is configured globally, so this happens once, at module load. Precedences follow Symfony:
// or < and < comparisons < + - < ~ < * / %; the ternary plugin binds looser than all of them.
jsep.removeAllUnaryOps()
jsep.removeAllBinaryOps()
for (const op of ['not', '!', '-', '+']) jsep.addUnaryOp(op)
const PRECEDENCE: Record<string, number> = {
  or: 1, '||': 1,
  and: 2, '&&': 2,
  '==': 3, '!=': 3, '===': 3, '!==': 3, '<': 3, '<=': 3, '>': 3, '>=': 3, in: 3, 'not in': 3, matches: 3,
  '+': 4, '-': 4,
  '~': 5,
  '*': 6, '/': 6, '%': 6,
}
// `not in` is one operator spelled with exactly one space, as Symfony's lexer has it; `a not  in b` is refused.
for (const [op, precedence] of Object.entries(PRECEDENCE)) jsep.addBinaryOp(op, precedence)

// jsep nodes carry no offsets: remember where each token starts so errors can say where.
const positions = new WeakMap<jsep.Expression, number>()
let tokenStarts: number[] = []
jsep.hooks.add('gobble-token', function (env) {
  tokenStarts.push(this.index)
  // jsep skips the after-token hook for numbers, so parse them here to keep the starts balanced.
  if ((this.code >= 48 && this.code <= 57) || this.char === '.') env.node = this.gobbleNumericLiteral()
})
jsep.hooks.add('after-token', function (env) {
  const start = tokenStarts.pop()
  // The whole chain `a.b().c` is one token; its inner members and calls start where it starts.
  for (let node = env.node; node && start !== undefined && !positions.has(node); node = chainTarget(node)) {
    positions.set(node, start)
  }
})

/** A syntax error, a construct the language refuses, or a failed evaluation; `position` is a 0-based offset. */
export class ExpressionError extends Error {
  readonly position?: number

  constructor(problem: string, position?: number) {
    super(position === undefined ? problem : `${problem} at position ${position}`)
    this.name = 'ExpressionError'
    this.position = position
  }
}

export interface CompiledExpression {
  readonly source: string
  evaluate(scope: Readonly<Record<string, unknown>>): unknown
}

type Scope = Readonly<Record<string, unknown>>
type Evaluate = (scope: Scope) => unknown

/** Parses and checks `source` once; the result evaluates it against any number of scopes. */
export function compileExpression(source: string): CompiledExpression {
  if (source.length > MAX_SOURCE_LENGTH) {
    throw new ExpressionError(`expression is ${source.length} characters long, the limit is ${MAX_SOURCE_LENGTH}`)
  }
  return { source, evaluate: compileNode(parse(source), 1) }
}

function parse(source: string): jsep.Expression {
  tokenStarts = []
  try {
    return jsep(source)
  } catch (error) {
    // jsep's own errors carry `index` and `description`; anything else is a bug worth seeing as is.
    const { index, description } = error as { index?: unknown; description?: unknown }
    if (typeof index !== 'number' || typeof description !== 'string') throw error
    throw new ExpressionError(`syntax error: ${description}`, index)
  }
}

function compileNode(input: jsep.Expression, depth: number): Evaluate {
  const node = input as jsep.CoreExpression
  const at = positionOf(node)
  if (depth > MAX_DEPTH) throw new ExpressionError(`expression is nested more than ${MAX_DEPTH} levels deep`, at)
  const compile = (child: jsep.Expression) => compileNode(child, depth + 1)

  switch (node.type) {
    case 'Literal': {
      const value = node.value
      return () => value
    }
    case 'Identifier': {
      const name = node.name
      return (scope) => {
        if (!Object.hasOwn(scope, name)) throw new ExpressionError(`unknown variable '${name}'`, at)
        return scope[name] ?? null
      }
    }
    case 'ArrayExpression': {
      const elements = node.elements.map((element) => {
        if (!element) throw new ExpressionError('empty array element', at)
        return compile(element)
      })
      return (scope) => elements.map((element) => element(scope))
    }
    case 'MemberExpression': {
      if (node.optional) throw new ExpressionError("'?.' is not supported", at)
      const object = compile(node.object)
      const key = compileKey(node, compile)
      return (scope) => readMember(object(scope), key(scope), at)
    }
    case 'CallExpression':
      return compileCall(node, compile, at)
    case 'UnaryExpression':
      return compileUnary(node.operator, compile(node.argument), at)
    case 'BinaryExpression':
      return compileBinary(node, compile, at)
    case 'ConditionalExpression': {
      const test = compile(node.test)
      const consequent = compile(node.consequent)
      const alternate = compile(node.alternate)
      return (scope) => (test(scope) ? consequent(scope) : alternate(scope))
    }
    case 'Compound':
      throw new ExpressionError('expected one expression, found more', positionOf(node.body[1]))
    case 'SequenceExpression':
      throw new ExpressionError("',' can only separate arguments and array elements", at)
    default:
      throw new ExpressionError(`unsupported syntax (${input.type})`, at)
  }
}

/** The property of `a.b` is known now; that of `a[expr]` is computed, and checked again when read. */
function compileKey(node: jsep.MemberExpression, compile: (child: jsep.Expression) => Evaluate): Evaluate {
  const property = node.property as jsep.CoreExpression
  const at = positionOf(node)
  if (!node.computed && property.type === 'Identifier') return constant(checkName(property.name, at))
  if (property.type === 'Literal' && (typeof property.value === 'string' || typeof property.value === 'number')) {
    return constant(checkName(String(property.value), at))
  }
  return compile(property)
}

function constant(value: unknown): Evaluate {
  return () => value
}

function checkName(name: string, at: number | undefined): string {
  if (FORBIDDEN_NAMES.has(name)) throw new ExpressionError(`property '${name}' is not allowed`, at)
  return name
}

function memberName(key: unknown, at: number | undefined): string {
  if (typeof key !== 'string' && typeof key !== 'number') {
    throw new ExpressionError(`property name must be a string or a number, not ${kindOf(key)}`, at)
  }
  return checkName(String(key), at)
}

/** Reads an own property of a plain object or array; anything else has no properties to read. */
function readMember(object: unknown, key: unknown, at: number | undefined): unknown {
  const name = memberName(key, at)
  if (object === null || object === undefined) throw new ExpressionError(`cannot read '${name}' of null`, at)
  if (!isPlainObject(object) && !Array.isArray(object)) {
    throw new ExpressionError(`cannot read '${name}' of ${kindOf(object)}`, at)
  }
  return Object.hasOwn(object, name) ? ((object as Record<string, unknown>)[name] ?? null) : null
}

/** Only functions the runtime put into the scope can be called: `fn()` or `plainObject.fn()`. */
function compileCall(node: jsep.CallExpression, compile: (child: jsep.Expression) => Evaluate, at: number | undefined): Evaluate {
  const callee = node.callee as jsep.CoreExpression
  if (node.optional || (callee.type === 'MemberExpression' && callee.optional)) {
    throw new ExpressionError("'?.' is not supported", at)
  }
  const args = node.arguments.map(compile)
  const call = (fn: unknown, name: string, self: unknown, scope: Scope) => {
    if (typeof fn !== 'function') throw new ExpressionError(`'${name}' is not a function`, at)
    return Reflect.apply(fn, self, args.map((arg) => arg(scope))) ?? null
  }

  if (callee.type === 'Identifier') {
    const name = callee.name
    return (scope) => call(Object.hasOwn(scope, name) ? scope[name] : undefined, name, undefined, scope)
  }
  if (callee.type === 'MemberExpression') {
    const object = compile(callee.object)
    const key = compileKey(callee, compile)
    return (scope) => {
      const target = object(scope)
      const name = memberName(key(scope), at)
      if (!isPlainObject(target)) {
        throw new ExpressionError(`cannot call '${name}' of ${kindOf(target)}: only functions the service provides can be called`, at)
      }
      return call(Object.hasOwn(target, name) ? target[name] : undefined, name, target, scope)
    }
  }
  throw new ExpressionError('only named functions can be called, like request.get("id")', at)
}

function compileUnary(operator: string, argument: Evaluate, at: number | undefined): Evaluate {
  if (operator === 'not' || operator === '!') return (scope) => !argument(scope)
  return (scope) => {
    const value = argument(scope)
    if (typeof value !== 'number') throw new ExpressionError(`unary '${operator}' needs a number, got ${kindOf(value)}`, at)
    return operator === '-' ? -value : value
  }
}

function compileBinary(node: jsep.BinaryExpression, compile: (child: jsep.Expression) => Evaluate, at: number | undefined): Evaluate {
  const op = node.operator
  const left = compile(node.left)
  // The pattern of `matches` is a literal, compiled once here; user input never becomes a regex.
  if (op === 'matches') {
    const pattern = compileRegex(node.right, at)
    return (scope) => {
      const subject = left(scope)
      if (typeof subject !== 'string') throw new ExpressionError(`'matches' needs a string on its left, got ${kindOf(subject)}`, at)
      return pattern.test(subject)
    }
  }
  const right = compile(node.right)
  // Short-circuit: the right side is evaluated only when it decides the result.
  if (op === 'and' || op === '&&') return (scope) => Boolean(left(scope)) && Boolean(right(scope))
  if (op === 'or' || op === '||') return (scope) => Boolean(left(scope)) || Boolean(right(scope))
  return (scope) => applyBinary(op, left(scope), right(scope), at)
}

function applyBinary(op: string, left: unknown, right: unknown, at: number | undefined): unknown {
  switch (op) {
    case '==':
      return looseEquals(left, right)
    case '!=':
      return !looseEquals(left, right)
    case '===':
      return left === right
    case '!==':
      return left !== right
    case '<':
    case '<=':
    case '>':
    case '>=':
      return compare(op, left, right, at)
    case 'in':
      return contains(right, left, at)
    case 'not in':
      return !contains(right, left, at)
    case '~':
      if (!isText(left) || !isText(right)) {
        throw new ExpressionError(`'~' joins strings and numbers, got ${kindOf(left)} and ${kindOf(right)}`, at)
      }
      return `${left}${right}`
    default:
      return arithmetic(op, left, right, at)
  }
}

/** Strict, except that a number equals a numeric string of the same value (`"1" == 1`), as in PHP. */
function looseEquals(left: unknown, right: unknown): boolean {
  if (typeof left === 'number' && typeof right === 'string') return NUMERIC_STRING.test(right) && Number(right) === left
  if (typeof left === 'string' && typeof right === 'number') return NUMERIC_STRING.test(left) && Number(left) === right
  return left === right
}

function compare(op: string, left: unknown, right: unknown, at: number | undefined): boolean {
  // A missing value is never greater or smaller than anything, so `payload.amount > 100` is false without an amount.
  if (left === null || right === null) return false
  const bothNumbers = typeof left === 'number' && typeof right === 'number'
  const bothStrings = typeof left === 'string' && typeof right === 'string'
  if (!bothNumbers && !bothStrings) {
    throw new ExpressionError(`'${op}' compares two numbers or two strings, got ${kindOf(left)} and ${kindOf(right)}`, at)
  }
  const [a, b] = [left, right] as [number | string, number | string]
  if (op === '<') return a < b
  if (op === '<=') return a <= b
  if (op === '>') return a > b
  return a >= b
}

/** `in`: an element of an array (strictly, as Symfony's in_array), or an own key of an object. */
function contains(container: unknown, item: unknown, at: number | undefined): boolean {
  if (Array.isArray(container)) return container.includes(item)
  if (isPlainObject(container) && (typeof item === 'string' || typeof item === 'number')) {
    return Object.hasOwn(container, String(item))
  }
  throw new ExpressionError(`'in' needs an array, or a key and an object, on its right, got ${kindOf(container)}`, at)
}

function arithmetic(op: string, left: unknown, right: unknown, at: number | undefined): number {
  if (typeof left !== 'number' || typeof right !== 'number') {
    const hint = op === '+' && (typeof left === 'string' || typeof right === 'string') ? '; use ~ to join strings' : ''
    throw new ExpressionError(`'${op}' needs two numbers, got ${kindOf(left)} and ${kindOf(right)}${hint}`, at)
  }
  if ((op === '/' || op === '%') && right === 0) throw new ExpressionError('division by zero', at)
  if (op === '+') return left + right
  if (op === '-') return left - right
  if (op === '*') return left * right
  if (op === '/') return left / right
  return left % right
}

/** Symfony patterns are PCRE strings with delimiters (`"/^a.+/i"`); flags that make a JS regex stateful are refused. */
function compileRegex(node: jsep.Expression, at: number | undefined): RegExp {
  const literal = node as jsep.CoreExpression
  if (literal.type !== 'Literal' || typeof literal.value !== 'string') {
    throw new ExpressionError(`'matches' needs a string literal pattern like "/^a.+/i", not a computed value`, at)
  }
  const pattern = literal.value
  if (pattern.length > MAX_PATTERN_LENGTH) {
    throw new ExpressionError(`'matches' pattern is ${pattern.length} characters long, the limit is ${MAX_PATTERN_LENGTH}`, at)
  }
  const delimiter = pattern.charAt(0)
  const end = pattern.lastIndexOf(delimiter)
  if (!delimiter || /[\w\s\\]/.test(delimiter) || end <= 0) {
    throw new ExpressionError(`'matches' pattern ${JSON.stringify(pattern)} needs delimiters, like "/^a.+/i"`, at)
  }
  const flags = pattern.slice(end + 1)
  if (!/^[imsu]*$/.test(flags)) throw new ExpressionError(`'matches' pattern flags "${flags}" are not supported; use i, m, s or u`, at)
  try {
    return new RegExp(pattern.slice(1, end), flags)
  } catch (error) {
    throw new ExpressionError(`'matches' pattern ${JSON.stringify(pattern)} is invalid: ${(error as Error).message}`, at)
  }
}

function isText(value: unknown): value is string | number {
  return typeof value === 'string' || typeof value === 'number'
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false
  const prototype = Object.getPrototypeOf(value)
  return prototype === Object.prototype || prototype === null
}

function kindOf(value: unknown): string {
  if (value === null || value === undefined) return 'null'
  if (Array.isArray(value)) return 'array'
  return typeof value
}

/** The object of a member or the callee of a call: the next link down a chain like `a.b().c`. */
function chainTarget(node: jsep.Expression): jsep.Expression | undefined {
  const link = node as jsep.CoreExpression
  if (link.type === 'MemberExpression') return link.object
  if (link.type === 'CallExpression') return link.callee
  return undefined
}

/** Where a node starts: tokens are recorded while parsing; operators start where their left side does. */
function positionOf(input: jsep.Expression | undefined): number | undefined {
  if (!input) return undefined
  const node = input as jsep.CoreExpression
  const recorded = positions.get(node)
  if (recorded !== undefined) return recorded
  if (node.type === 'BinaryExpression') return positionOf(node.left)
  if (node.type === 'ConditionalExpression') return positionOf(node.test)
  return undefined
}
