/**
 * A query compiled once and run many times with new values. Building and compiling a kysely query
 * costs about as much as a small request's routing, validation and serialization together, so the
 * SQL actions keep the compiled text of their common shapes. `build` receives stand-ins for the
 * values that change per call; each call runs the compiled query with the real values in their
 * places. A shape whose stand-ins do not come out as parameters is built anew on every call.
 */
import type { Compilable, CompiledQuery, Kysely, QueryResult } from 'kysely'

/** A value no caller passes: the compiled parameter equal to it is the slot of value `i`. */
const standIn = (i: number): never => `\u0000fusio-slot-${i}` as never

export type PreparedQuery<Row> = (db: Kysely<any>, ...values: unknown[]) => Promise<QueryResult<Row>>

export function prepareQuery<Row>(build: (db: Kysely<any>, ...standIns: never[]) => Compilable<Row>, arity: number): PreparedQuery<Row> {
  const standIns = Array.from({ length: arity }, (_, i) => standIn(i))
  let compiled: { query: CompiledQuery<Row>; slots: number[] } | null | undefined
  return (db, ...values) => {
    if (compiled === undefined) {
      const query = build(db, ...standIns).compile()
      // Each parameter's position, or -1 for a value that stands in more than one place.
      const position = new Map<unknown, number>()
      query.parameters.forEach((value, index) => position.set(value, position.has(value) ? -1 : index))
      const slots = standIns.map((value) => position.get(value) ?? -1)
      compiled = slots.every((slot) => slot >= 0) ? { query, slots } : null
    }
    if (compiled === null) return db.executeQuery<Row>(build(db, ...(values as never[])).compile())
    const parameters = [...compiled.query.parameters]
    compiled.slots.forEach((slot, i) => (parameters[slot] = values[i]))
    return db.executeQuery<Row>({ ...compiled.query, parameters })
  }
}
