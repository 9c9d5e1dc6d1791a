import { build, renderDiagnostics } from '../compiler/index.js'
const r = await build({ manifest: process.argv[2] })
console.log(renderDiagnostics(r.diagnostics))
console.log(r.ok, r.timings, r.bundle)
