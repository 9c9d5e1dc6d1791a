/** Every built-in action, listed once; the compiler reads names, aliases and config schemas from here. */
import type { ActionDefinition } from '../types.js'
import { fileAction } from './file.js'
import { httpComposition } from './http-composition.js'
import { httpLoadBalancer } from './http-load-balancer.js'
import { httpProcessor } from './http-processor.js'
import { httpRaw } from './http-raw.js'
import { mqPublish } from './mq-publish.js'
import { redisHashDelete, redisHashGet, redisHashGetAll, redisHashSet } from './redis-hash.js'
import { sqlDelete } from './sql-delete.js'
import { sqlInsert } from './sql-insert.js'
import { sqlQueryAll, sqlQueryRow } from './sql-query.js'
import { sqlSelectAll } from './sql-select-all.js'
import { sqlSelectRow } from './sql-select-row.js'
import { sqlUpdate } from './sql-update.js'
import { staticResponse } from './static-response.js'
import { utilCache } from './util-cache.js'
import { utilChain } from './util-chain.js'
import { utilCondition } from './util-condition.js'
import { utilJsonPatch } from './util-json-patch.js'
import { utilRedirect } from './util-redirect.js'
import { utilTemplate } from './util-template.js'

export const ACTIONS: readonly ActionDefinition[] = [
  fileAction,
  httpComposition,
  httpLoadBalancer,
  httpProcessor,
  httpRaw,
  mqPublish,
  redisHashDelete,
  redisHashGet,
  redisHashGetAll,
  redisHashSet,
  sqlDelete,
  sqlInsert,
  sqlQueryAll,
  sqlQueryRow,
  sqlSelectAll,
  sqlSelectRow,
  sqlUpdate,
  staticResponse,
  utilCache,
  utilChain,
  utilCondition,
  utilJsonPatch,
  utilRedirect,
  utilTemplate,
]
