/**
 * Login through identity providers (the manifest's `identity` section): OpenID Connect with any
 * provider, GitHub and Google as presets.
 */
import { FusioError } from '../../errors.js'
import { collection } from '../context.js'
import type { ProductHandlers } from './handlers.js'

export const identityHandlers: ProductHandlers = {
  async 'consumer.identity.getAll'(_request, _reply, context) {
    const entry = context.settings.identities.map((i) => ({ name: i.name, class: i.class, redirect: `${context.basePath}/consumer/identity/${encodeURIComponent(i.name)}/redirect` }))
    return collection(entry, entry.length, { startIndex: 0, count: entry.length })
  },
  async 'consumer.identity.redirect'() {
    throw new FusioError('FUSIO_ERR_IDENTITY_FAILED', 'identity login is being built')
  },
  async 'consumer.identity.exchange'() {
    throw new FusioError('FUSIO_ERR_IDENTITY_FAILED', 'identity login is being built')
  },
}
