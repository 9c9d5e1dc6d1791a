// A custom handler: `fusio build` type-checks it against the types generated for the `hello` operation.
import type { HelloHandler } from '../generated/types.js'

export const handler: HelloHandler = async (request) => {
  return { message: `Hello, ${request.params.name}!` }
}
