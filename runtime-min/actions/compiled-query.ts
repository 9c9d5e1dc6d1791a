/**
 * A query compiled once and run many times with new values. Building and compiling a kysely query
 * costs about as much as a small request's routing, validation and serialization together, so the
 * SQL actions keep the compiled text of their common shapes. `build` receives stand-ins for the
 * values that change per call; each call runs the compiled query with the real values in their
 * places. A shape whose stand-ins do not come out as parameters is built anew on every call.
 */
import type { Compilable, CompiledQuery, Kysely } from 'kysely'

/** Values no caller passes: the compiled parameters that equal them are the per-call slots. */
const STAND_INS = [-1_234_567_891, -1_234_567_892, -1_234_567_893, -1_234_567_894]

export type PreparedQuery<Row> = (db: Kysely<any>, ...values: number[]) => Promise<Row[]>

export function prepareQuery<Row>(build: (db: Kysely<any>, ...standIns: number[]) => Compilable<Row>, arity: number): PreparedQuery<Row> {
  let compiled: { query: CompiledQuery<Row>; slots: number[] } | null | undefined
  return async (db, ...values) => {
    if (compiled === undefined) {
      const query = build(db, ...STAND_INS.slice(0, arity)).compile()
      const slots = STAND_INS.slice(0, arity).map((standIn) => query.parameters.indexOf(standIn))
      const unique = slots.every((slot, i) => slot >= 0 && query.parameters.lastIndexOf(STAND_INS[i]) === slot)
      compiled = unique ? { query, slots } : null
    }
    if (compiled === null) return (await db.executeQuery<Row>(build(db, ...values).compile())).rows
    const parameters = [...compiled.query.parameters]
    for (let i = 0; i < arity; i++) parameters[compiled.slots[i]!] = values[i]
    return (await db.executeQuery<Row>({ ...compiled.query, parameters })).rows
  }
}
