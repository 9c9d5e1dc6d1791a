/** Every command of `fusio`, for oclif's explicit command strategy (package.json `oclif.commands`). */
import Build from './build.js'
import Client from './client.js'
import Dev from './dev.js'
import Diff from './diff.js'
import Generate from './generate.js'
import Init from './init.js'
import Migrate from './migrate.js'
import OpenApi from './openapi.js'
import Serve from './serve.js'
import UserAdd from './user-add.js'
import Validate from './validate.js'

export const COMMANDS = {
  build: Build,
  client: Client,
  dev: Dev,
  diff: Diff,
  generate: Generate,
  init: Init,
  migrate: Migrate,
  openapi: OpenApi,
  serve: Serve,
  'user:add': UserAdd,
  validate: Validate,
}
