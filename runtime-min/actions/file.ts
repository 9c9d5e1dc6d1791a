/** A custom handler module (`class: file` or `action: file://path`), imported by the generated actions.ts. */
import { FusioError } from '../errors.js'
import type { ActionDefinition, ActionHandler } from '../types.js'

export interface FileConfig {
  readonly path: string
}

export const fileAction: ActionDefinition<FileConfig> = {
  name: 'file',
  aliases: ['File', 'Fusio\\Adapter\\File\\Action\\FileProcessor', 'File-Processor'],
  description: 'A TypeScript or JavaScript module exporting a typed `handler`',
  configSchema: {
    type: 'object',
    properties: { path: { type: 'string', pattern: '\\.(ts|mts|js|mjs)$', description: 'handler module, relative to the manifest' } },
    required: ['path'],
    additionalProperties: false,
  },
  create(config, deps) {
    if (!deps.handler) throw new FusioError('FUSIO_ERR_CONFIG_INVALID', `handler module ${config.path} was not bundled`)
    return deps.handler as ActionHandler
  },
}
