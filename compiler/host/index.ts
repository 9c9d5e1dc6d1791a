export type { Host } from './host.js'
export { createNodeHost } from './node-host.js'
export { createMemoryHost, type MemoryHost } from './memory-host.js'
export { openGitRevision, GitRevisionError, type GitRevision } from './git-host.js'
