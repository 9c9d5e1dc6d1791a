/** Every connection kind, listed once; the compiler reads names, aliases and config schemas from here. */
import type { ConnectionDefinition } from '../types.js'
import { httpConnection } from './http.js'
import { sqlConnection } from './sql.js'

export const CONNECTIONS: readonly ConnectionDefinition[] = [httpConnection, sqlConnection]
