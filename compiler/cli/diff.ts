import { Args, Command, Flags } from '@oclif/core'
import { renderDiagnostics, summarize } from '../diagnostics/render.js'
import { renderComparison, type SideReport } from '../diff/index.js'
import { compareManifests, type ManifestComparison } from '../index.js'
import { jsonFlag, manifestFlag, useColor } from './shared.js'

/** Exit status when a side could not be loaded, apart from 1 (the changes --fail-on names). */
const LOAD_FAILED = 2

export default class Diff extends Command {
  static override summary = 'Report the API changes between two versions of a manifest, each marked breaking or not'
  static override description =
    'Report the API changes between two versions of a manifest (operations, parameters, request and response schemas, access), each marked breaking or not, and how the generated code changes. Each side is a manifest file or a git revision of --manifest; head defaults to the working tree. Exits 1 when changes named by --fail-on are found, 2 when a side does not load'
  static override examples = [
    { description: 'What the working tree changes since the last commit', command: '<%= config.bin %> diff HEAD' },
    { description: 'A pull request: the target branch against its head, failing CI on breaking changes', command: '<%= config.bin %> diff origin/main HEAD --manifest api/.fusio.yml' },
    { description: 'Two manifest files, failing on any change', command: '<%= config.bin %> diff v1/.fusio.yml v2/.fusio.yml --fail-on any' },
    { description: 'Machine-readable report for a bot comment', command: '<%= config.bin %> diff v1.2 --json --fail-on none' },
  ]
  static override args = {
    base: Args.string({ description: 'the old version: a manifest file or a git revision (branch, tag, commit, HEAD~1)', required: true }),
    head: Args.string({ description: 'the new version, the same way (default: the manifest in the working tree)' }),
  }
  static override flags = {
    manifest: manifestFlag,
    json: jsonFlag,
    'fail-on': Flags.string({ description: 'which changes make the exit status 1', options: ['breaking', 'any', 'none'], default: 'breaking' }),
    generated: Flags.boolean({ description: 'also compare the generated code (--no-generated skips emitting both sides)', default: true, allowNo: true }),
  }

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Diff)
    const comparison = await compareManifests({ base: args.base, ...(args.head ? { head: args.head } : {}), manifest: flags.manifest, generated: flags.generated })
    if (flags.json) this.log(JSON.stringify(jsonReport(comparison), null, 2))
    if (!comparison.ok) {
      if (!flags.json) for (const side of [comparison.base, comparison.head]) printDiagnostics(side)
      return this.exit(LOAD_FAILED)
    }
    if (!flags.json) this.log(renderComparison(comparison, { color: useColor(process.stdout) }))
    const failing = flags['fail-on'] === 'any' ? comparison.changes.length : flags['fail-on'] === 'breaking' ? comparison.changes.filter((c) => c.breaking).length : 0
    if (failing > 0) this.exit(1)
  }
}

function jsonReport(comparison: ManifestComparison) {
  const side = (report: SideReport) => ({ label: report.label, diagnostics: report.diagnostics })
  return {
    ok: comparison.ok,
    breaking: comparison.changes.filter((c) => c.breaking).length,
    changes: comparison.changes,
    generated: comparison.generated,
    base: side(comparison.base),
    head: side(comparison.head),
    timings: comparison.timings,
  }
}

function printDiagnostics(side: SideReport): void {
  if (side.diagnostics.length === 0) return
  const rendered = renderDiagnostics(side.diagnostics, { color: useColor(), ...(side.readSource ? { readSource: side.readSource } : {}) })
  process.stderr.write(`${side.label}:\n${rendered}\n${summarize(side.diagnostics)}\n`)
}
