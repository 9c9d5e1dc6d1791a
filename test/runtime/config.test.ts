/** Start-up configuration: every missing variable is named in one error, wherever the manifest uses it. */
import { describe, expect, it } from 'vitest'
import { createService } from '../../runtime-min/index.js'
import type { ServiceDefinition } from '../../runtime-min/types.js'

const service: ServiceDefinition = {
  title: 'Config test',
  version: '1.0.0',
  basePath: '',
  routes: [],
  actions: { Banner: { class: 'static-response', config: { headers: { 'x-banner': { $env: 'FUSIO_TEST_BANNER' } } } } },
  connections: {
    First: { class: 'sql', config: { url: { $template: ['sqlite:///', { $env: 'FUSIO_TEST_FIRST_DB' }] } } },
    Second: { class: 'sql', config: { url: 'sqlite::memory:' } },
  },
  migrations: {},
}

describe('createService configuration', () => {
  it('names every missing variable of connections and actions together', async () => {
    await expect(createService(service, { logger: false, env: {} })).rejects.toThrow(
      'missing environment variables FUSIO_TEST_BANNER, FUSIO_TEST_FIRST_DB',
    )
  })

  it('starts once they are set, reading them case-insensitively as Fusio does', async () => {
    const app = await createService(service, { logger: false, env: { fusio_test_banner: 'hi', FUSIO_TEST_FIRST_DB: ':memory:' } })
    await app.ready()
    expect((await app.inject({ url: '/ready' })).json()).toEqual({ status: 'ready', connections: { First: 'ok', Second: 'ok' } })
    await app.close()
  })
})
