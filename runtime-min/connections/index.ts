/** Every connection kind, listed once; the compiler reads names, aliases and config schemas from here. */
import type { ConnectionDefinition } from '../types.js'
import { amqpConnection } from './amqp.js'
import { beanstalkConnection } from './beanstalk.js'
import { httpConnection } from './http.js'
import { redisConnection } from './redis.js'
import { sqlConnection } from './sql.js'

export const CONNECTIONS: readonly ConnectionDefinition[] = [amqpConnection, beanstalkConnection, httpConnection, redisConnection, sqlConnection]
