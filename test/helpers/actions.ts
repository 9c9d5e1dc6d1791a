/**
 * Runs a built-in action directly (no service around it) on one live connection: how the runtime
 * tests of connections exercise their actions against the real servers.
 */
import type { FastifyBaseLogger } from 'fastify'
import { expect } from 'vitest'
import { FusioError } from '../../runtime-min/errors.js'
import { responseFactory } from '../../runtime-min/response.js'
import type { ActionContext, ActionDefinition, ActionDeps, ActionRequest, Connection } from '../../runtime-min/types.js'

export const silentLog = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {}, child: () => silentLog } as unknown as FastifyBaseLogger

export interface CallInput {
  readonly method?: string
  readonly params?: Record<string, string>
  readonly query?: Record<string, string>
  readonly body?: unknown
  readonly requestId?: string
}

/** The action created with `config`, every connection name resolving to `connection`. */
export function actionOn<Config>(definition: ActionDefinition<Config>, config: Config, connection: Connection): (input?: CallInput) => Promise<unknown> {
  const deps = { connector: { get: () => connection.client }, connections: { get: () => connection }, log: silentLog } as unknown as ActionDeps
  const handle = definition.create(config, deps)
  return async ({ method = 'GET', params = {}, query = {}, body, requestId = 'test-request' } = {}) => {
    const request = { operationId: 'test', method, url: '/test', body, query, params, headers: {}, ip: '127.0.0.1' } as ActionRequest
    const context = { operationId: 'test', requestId, connector: deps.connector, response: responseFactory, log: silentLog } as unknown as ActionContext
    return handle(request, context)
  }
}

/** The FusioError a promise rejects with (the test fails when it resolves or rejects otherwise). */
export async function failure(promise: Promise<unknown>): Promise<FusioError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(FusioError)
  return error as FusioError
}
