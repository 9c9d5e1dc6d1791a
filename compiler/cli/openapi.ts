import { writeFileSync } from 'node:fs'
import { Command, Flags } from '@oclif/core'
import { validateOpenApi, type OpenApiVerdict } from '../emit/openapi/validate.js'
import { emitOnly } from '../index.js'
import { jsonFlag, manifestFlag, report } from './shared.js'

export default class OpenApi extends Command {
  static override summary = 'Print the OpenAPI 3.1 document of the manifest, or write it to a file'
  static override description =
    '--validate checks the document against the OpenAPI meta-schema of its version (@seriousme/openapi-schema-validator), each schema against JSON Schema 2020-12, and the rules a schema cannot say (unique operation ids, path parameters that match their paths, references that resolve, declared security schemes and scopes); it prints the verdict on stderr and exits 1 when the document is invalid. --json prints the diagnostics and the verdict instead of the document.'
  static override examples = [
    { description: 'Print the document', command: '<%= config.bin %> openapi > openapi.json' },
    { description: 'Write it into the docs', command: '<%= config.bin %> openapi --output docs/openapi.json' },
    { description: 'Check it in CI: exit 1 with the problems when it is not valid OpenAPI 3.1', command: '<%= config.bin %> openapi --validate --output docs/openapi.json' },
    { description: 'The verdict as JSON', command: '<%= config.bin %> openapi --validate --json' },
  ]
  static override flags = {
    manifest: manifestFlag,
    output: Flags.string({ description: 'file to write instead of printing' }),
    validate: Flags.boolean({ description: 'check the document and exit 1 when it is invalid', default: false }),
    json: jsonFlag,
  }

  async run(): Promise<void> {
    const { flags } = await this.parse(OpenApi)
    const result = await emitOnly({ manifest: flags.manifest })
    const document = result.files?.find((f) => f.path === 'openapi.json')?.contents
    const verdict = flags.validate && document ? await validateOpenApi(JSON.parse(document) as Record<string, unknown>) : undefined
    if (document && flags.output) writeFileSync(flags.output, document)
    else if (document && !flags.json) process.stdout.write(document)
    if (verdict && !flags.json) process.stderr.write(verdictText(verdict))
    report(this, { ...result, ok: result.ok && (verdict?.valid ?? true) }, flags.json, verdict ? { openapi: verdict } : {}, flags.manifest)
  }
}

function verdictText(verdict: OpenApiVerdict): string {
  if (verdict.valid) return `openapi: valid OpenAPI ${verdict.version}\n`
  const lines = verdict.problems.map((p) => `  ${p.path || '/'}: ${p.message}`)
  return `openapi: invalid${verdict.version ? ` OpenAPI ${verdict.version}` : ''}, ${verdict.problems.length} problem${verdict.problems.length === 1 ? '' : 's'}\n${lines.join('\n')}\n`
}
