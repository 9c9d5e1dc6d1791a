// Renders a benchmark results object (see bench/results/<date>.json) into BENCHMARKS.md at the repository
// root and SVG charts in bench/charts/. Deterministic: the same results give the same bytes (no clock, no
// locale; every figure comes from the results). Charts are vega-lite specs rendered by vega without a
// browser (renderer 'none' → toSVG).
//
//   import { writeReport } from './lib/report.mjs'
//   const written = await writeReport(results, { root })   // absolute paths: BENCHMARKS.md, then the charts
//
//   node bench/lib/report.mjs bench/results/2026-11-23.json  // regenerate from a results file
//
// A section whose field is missing from the results (skipped by the suite) is reduced to a one-line note;
// an implementation missing from a row shows as "—" and is left out of that row's bars.
import { mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as vega from 'vega'
import { compile } from 'vega-lite'

const CHART_DIR = 'bench/charts'
const REPORT_FILE = 'BENCHMARKS.md'

/** Implementations in the order they appear everywhere, and one color each, the same in every chart. */
const IMPLEMENTATIONS = ['generated', 'fastify', 'express', 'node-http']
const IMPL_COLORS = { generated: '#4c78a8', fastify: '#f58518', express: '#54a24b', 'node-http': '#8c8c8c' }
const EXTRA_COLORS = ['#b279a2', '#e45756', '#72b7b2', '#eeca3b', '#9d755d']
const IMPL_TITLES = { generated: 'generated', fastify: 'Fastify', express: 'Express', 'node-http': 'node:http' }
const STAGES = ['load', 'resolve', 'model', 'emit', 'write', 'check', 'bundle']
const STAGE_COLORS = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac']
const BACKENDS = { sqlite: 'SQLite', postgres: 'PostgreSQL', mariadb: 'MariaDB', mysql: 'MySQL' }

// ---------------------------------------------------------------------------------------------------------
// Formatting (no toLocaleString: its output depends on the ICU data and the locale of the machine)

const isNum = (n) => typeof n === 'number' && Number.isFinite(n)
const DASH = '—'

function int(n) {
  if (!isNum(n)) return DASH
  const s = String(Math.round(Math.abs(n))).replace(/\B(?=(\d{3})+(?!\d))/g, ',')
  return Math.round(n) < 0 ? `−${s}` : s
}
/** Milliseconds: integers as they are, fractions to one decimal below 100 ms. */
function ms(n) {
  if (!isNum(n)) return DASH
  if (Number.isInteger(n) || Math.abs(n) >= 100) return int(n)
  return n.toFixed(1)
}
const fixed = (n, digits) => (isNum(n) ? n.toFixed(digits) : DASH)
const ratio = (n) => (isNum(n) ? `${n.toFixed(2)}×` : DASH)
const megabytes = (bytes) => (isNum(bytes) ? (bytes / 1e6).toFixed(2) : DASH)
/** `median (min–max)` */
function spread(median, min, max, format) {
  if (!isNum(median)) return DASH
  return isNum(min) && isNum(max) ? `${format(median)} (${format(min)}–${format(max)})` : format(median)
}
const cell = (s) => String(s ?? DASH).replace(/\r?\n/g, ' ').replace(/\|/g, '\\|')
function table(header, rows, align) {
  const lines = [`| ${header.map(cell).join(' | ')} |`, `|${header.map((_, i) => (align?.[i] === 'r' ? ' ---: ' : ' --- ')).join('|')}|`]
  for (const row of rows) lines.push(`| ${row.map(cell).join(' | ')} |`)
  return lines.join('\n')
}
const plural = (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`

// ---------------------------------------------------------------------------------------------------------
// Reading the results

/** Implementations present in any of the objects, known ones first in their fixed order, others sorted. */
function implementationsIn(objects) {
  const seen = new Set()
  for (const o of objects) for (const [k, v] of Object.entries(o ?? {})) if (v != null) seen.add(k)
  return [...IMPLEMENTATIONS.filter((k) => seen.has(k)), ...[...seen].filter((k) => !IMPLEMENTATIONS.includes(k)).sort()]
}
function colorOf(impl) {
  if (IMPL_COLORS[impl]) return IMPL_COLORS[impl]
  return EXTRA_COLORS[Math.abs([...impl].reduce((h, c) => (h * 31 + c.charCodeAt(0)) | 0, 7)) % EXTRA_COLORS.length]
}
const implTitle = (impl) => IMPL_TITLES[impl] ?? impl

/**
 * Throughput rows, each with a label that is unique and names the backend: `display` for the tables,
 * `chartLabel` for the charts (the label's closing parenthesis, usually the route, on a second line).
 */
function throughputRows(results) {
  const rows = Array.isArray(results.throughput) ? results.throughput.filter((r) => r && typeof r === 'object') : []
  const used = new Map()
  return rows.map((row) => {
    const base = String(row.label ?? row.kind ?? 'route')
    const backend = row.backend ? (BACKENDS[row.backend] ?? String(row.backend)) : null
    const named = backend && (base.toLowerCase().includes(String(row.backend).toLowerCase()) || base.toLowerCase().includes(backend.toLowerCase()))
    let suffix = backend && !named ? ` · ${backend}` : ''
    const n = (used.get(base + suffix) ?? 0) + 1
    used.set(base + suffix, n)
    if (n > 1) suffix += ` #${n}`
    const paren = /^(.*?)\s*\(([^()]*)\)\s*$/.exec(base)
    const chartLabel = paren && paren[1] ? `${paren[1]}${suffix}\n${paren[2]}` : base + suffix
    return { ...row, display: base + suffix, chartLabel, implementations: row.implementations ?? {}, ratios: row.ratios ?? {} }
  })
}
function scaleRows(results) {
  const rows = Array.isArray(results.scale) ? results.scale.filter((r) => r && isNum(r.operations)) : []
  return [...rows].sort((a, b) => a.operations - b.operations)
}
function stagesIn(rows) {
  const seen = new Set()
  for (const r of rows) for (const [k, v] of Object.entries(r.build?.stages ?? {})) if (isNum(v)) seen.add(k)
  return [...STAGES.filter((s) => seen.has(s)), ...[...seen].filter((s) => !STAGES.includes(s)).sort()]
}

// ---------------------------------------------------------------------------------------------------------
// Charts

const WIDTH = 700 // whole image, labels included: GitHub shows it at its size in the README column
const FONT = 'Helvetica, Arial, "Liberation Sans", sans-serif'
const CONFIG = {
  background: 'white',
  padding: 10,
  font: FONT,
  title: { anchor: 'start', fontSize: 15, subtitleFontSize: 12, subtitleColor: '#555', offset: 12 },
  axis: { labelFontSize: 12, titleFontSize: 12, titleFontWeight: 'normal', titleColor: '#333', gridColor: '#e6e6e6' },
  legend: { labelFontSize: 12, titleFontSize: 12, titleFontWeight: 'normal', orient: 'bottom', direction: 'horizontal' },
  view: { stroke: null },
}
function spec(body) {
  return { $schema: 'https://vega.github.io/schema/vega-lite/v5.json', width: WIDTH, autosize: { type: 'fit-x', contains: 'padding' }, config: CONFIG, ...body }
}
/**
 * Text widths for layout (label space, truncation, legends). Without a canvas vega guesses 0.8 em per
 * character, which is far wider than real text and truncates the route labels; these are Helvetica's
 * advance widths (Arial and Liberation Sans have the same), in 1/1000 em, for printable ASCII, 0.6 em for the rest. A fixed
 * table keeps the layout the same on every machine, whatever fonts it has.
 */
const HELVETICA = [
  278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
  1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
  333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
]
function textWidth(item, text) {
  const size = item.fontSize != null ? Number(item.fontSize) || 0 : 11
  const value = text == null ? '' : String(text).trim()
  let units = 0
  for (const ch of value) {
    const code = ch.codePointAt(0)
    units += code >= 32 && code <= 126 ? HELVETICA[code - 32] : 600
  }
  const bold = item.fontWeight === 'bold' || Number(item.fontWeight) >= 600
  // +12 %: room for DejaVu Sans, the wider fallback of many Linux desktops
  return (units * size * (bold ? 1.07 : 1) * 1.12) / 1000
}
/** vega-lite's warnings, less the one it gives for every `fit-x` chart with a step height (fit-y is dropped, as meant). */
const vlLogger = Object.assign(vega.logger(vega.Warn), {
  warn: (...args) => {
    if (!String(args[0]).includes('Dropping "fit-y"')) console.warn('vega-lite:', ...args)
    return vlLogger
  },
})
async function renderSvg(vlSpec) {
  const width = vega.textMetrics.width
  vega.textMetrics.width = textWidth
  const view = new vega.View(vega.parse(compile(vlSpec, { logger: vlLogger }).spec), { renderer: 'none' })
  try {
    const svg = await view.toSVG()
    return svg.endsWith('\n') ? svg : `${svg}\n`
  } finally {
    view.finalize()
    vega.textMetrics.width = width
  }
}
const implScale = (impls) => ({ domain: impls, range: impls.map(colorOf) })
const implLegend = { title: null, labelExpr: `${JSON.stringify(IMPL_TITLES)}[datum.label] || datum.label` }

/** The y axis of the per-route charts: one band per route, a two-line label, bars offset by implementation. */
function routeAxis(rows, impls, paddingInner) {
  return {
    y: { field: 'route', type: 'nominal', sort: rows.map((r) => r.chartLabel), title: null, axis: { labelLimit: 300, labelExpr: "split(datum.label, '\\n')", labelLineHeight: 14, ticks: false, domain: false, labelPadding: 6 } },
    yOffset: { field: 'impl', type: 'nominal', sort: impls, scale: { domain: impls, paddingInner } },
  }
}

function throughputChart(rows, results) {
  const impls = implementationsIn(rows.map((r) => r.implementations))
  const values = []
  for (const row of rows) {
    for (const impl of impls) {
      const m = row.implementations[impl]
      if (!isNum(m?.rps)) continue
      values.push({ route: row.chartLabel, impl, rps: m.rps, min: isNum(m.min) ? m.min : m.rps, max: isNum(m.max) ? m.max : m.rps })
    }
  }
  if (!values.length) return null
  const s = results.settings ?? {}
  const rounds = isNum(s.rounds) ? ` of ${plural(s.rounds, 'round')}${isNum(s.seconds) ? ` × ${s.seconds} s` : ''}` : ''
  const x = { type: 'quantitative', title: 'requests per second (higher is better)', axis: { format: ',d', tickCount: 6 } }
  return spec({
    title: {
      text: 'Throughput by route kind',
      subtitle: [`Median req/s${rounds}; whiskers: min–max over the rounds.${isNum(s.connections) ? ` ${s.connections} connections.` : ''} ${results.date ?? ''}`.trim()],
    },
    height: { step: 12 }, // per bar: with an offset channel the step applies to the offset scale
    data: { values },
    encoding: routeAxis(rows, impls, 0.1),
    layer: [
      { mark: { type: 'bar', height: { band: 1 } }, encoding: { x: { ...x, field: 'rps' }, color: { field: 'impl', type: 'nominal', scale: implScale(impls), legend: implLegend } } },
      { mark: { type: 'rule', color: '#222', strokeWidth: 1.2 }, encoding: { x: { ...x, field: 'min' }, x2: { field: 'max' } } },
    ],
  })
}

function ratioChart(rows, results) {
  const others = ['fastify', 'express'].filter((impl) => rows.some((r) => isNum(r.ratios[impl]) && r.ratios[impl] > 0))
  const values = []
  for (const row of rows) {
    for (const impl of others) if (isNum(row.ratios[impl]) && row.ratios[impl] > 0) values.push({ route: row.chartLabel, impl, ratio: row.ratios[impl], label: ratio(row.ratios[impl]) })
  }
  if (!values.length) return null
  const TICKS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 4, 5, 7.5, 10, 15, 20, 30, 50, 100]
  const low = Math.min(1, ...values.map((v) => v.ratio)) / 1.15
  const high = Math.max(1, ...values.map((v) => v.ratio)) * 1.3 // room for the value labels
  const lo = TICKS.filter((t) => t <= low).at(-1) ?? low
  const ticks = TICKS.filter((t) => t >= lo && t <= high)
  const x = {
    field: 'ratio',
    type: 'quantitative',
    title: 'generated req/s ÷ hand-written req/s (log scale)',
    scale: { type: 'log', domain: [lo, high], nice: false },
    axis: { values: ticks, format: '.2~f', grid: true },
  }
  const axis = routeAxis(rows, others, 0.15)
  const text = (filter, align, dx) => ({
    transform: [{ filter }],
    mark: { type: 'text', align, dx, baseline: 'middle', fontSize: 11, color: '#222' },
    encoding: { ...axis, x, text: { field: 'label' } },
  })
  const legend = { ...implLegend, labelExpr: `'generated ÷ ' + (${JSON.stringify(IMPL_TITLES)}[datum.label] || datum.label)` }
  return spec({
    title: {
      text: 'Generated service relative to hand-written',
      subtitle: [
        `Median req/s of the generated service ÷ that of hand-written ${others.map(implTitle).join(' and ')}, per route kind.`,
        `Right of 1.0 the generated service is faster. ${results.date ?? ''}`.trim(),
      ],
    },
    height: { step: 15 },
    data: { values },
    layer: [
      { mark: { type: 'bar', height: { band: 1 } }, encoding: { ...axis, x, x2: { datum: 1 }, color: { field: 'impl', type: 'nominal', scale: implScale(others), legend } } },
      text('datum.ratio >= 1', 'left', 4),
      text('datum.ratio < 1', 'right', -4),
      { mark: { type: 'rule', color: '#222', strokeWidth: 1.2, strokeDash: [4, 3] }, encoding: { x: { datum: 1, type: 'quantitative', scale: x.scale } } },
    ],
  })
}

function coldStartChart(rows, results) {
  const impls = implementationsIn(rows.map((r) => r.coldStartMs))
  const values = []
  for (const row of rows) {
    for (const impl of impls) {
      const c = row.coldStartMs?.[impl]
      if (!isNum(c?.median)) continue
      values.push({ operations: row.operations, impl, median: c.median, min: isNum(c.min) ? c.min : c.median, max: isNum(c.max) ? c.max : c.median, label: `${ms(c.median)} ms` })
    }
  }
  if (!values.length) return null
  const ops = [...new Set(values.map((v) => v.operations))].sort((a, b) => a - b)
  const xScale = { type: 'log', domain: [ops[0] / 1.6, ops.at(-1) * 2], nice: false } // right: room for the labels
  const x = { field: 'operations', type: 'quantitative', title: 'operations in the manifest (log scale)', scale: xScale, axis: { values: ops, format: ',d', grid: false } }
  const starts = results.settings?.coldStarts
  return spec({
    title: {
      text: 'Cold start by service size',
      subtitle: [`Spawn to first 200 response, median${isNum(starts) ? ` of ${plural(starts, 'start')}` : ''}; whiskers: min–max. Lower is better. ${results.date ?? ''}`.trim()],
    },
    height: 260,
    data: { values },
    encoding: { x, color: { field: 'impl', type: 'nominal', scale: implScale(impls), legend: implLegend } },
    layer: [
      { mark: { type: 'line', strokeWidth: 2 }, encoding: { y: { field: 'median', type: 'quantitative', title: 'cold start (ms)', scale: { zero: true } } } },
      { mark: { type: 'rule', strokeWidth: 1.5 }, encoding: { y: { field: 'min', type: 'quantitative' }, y2: { field: 'max' } } },
      { mark: { type: 'point', filled: true, size: 50, opacity: 1 }, encoding: { y: { field: 'median', type: 'quantitative' } } },
      // value labels below right of the points (lines that grow rise to the right), on a white halo
      { mark: { type: 'text', align: 'left', dx: 7, dy: 12, fontSize: 11, stroke: 'white', strokeWidth: 4, strokeJoin: 'round' }, encoding: { y: { field: 'median', type: 'quantitative' }, text: { field: 'label' } } },
      { mark: { type: 'text', align: 'left', dx: 7, dy: 12, fontSize: 11 }, encoding: { y: { field: 'median', type: 'quantitative' }, text: { field: 'label' } } },
    ],
  })
}

function buildChart(rows, results) {
  const stages = stagesIn(rows).filter((s) => rows.some((r) => r.build?.stages?.[s] > 0))
  const values = []
  const totals = []
  for (const row of rows) {
    const st = row.build?.stages
    if (!st) continue
    const size = `${int(row.operations)} operations`
    let total = 0
    stages.forEach((stage, index) => {
      if (!isNum(st[stage])) return
      total += st[stage]
      values.push({ size, stage, index, ms: st[stage] })
    })
    totals.push({ size, total, label: `${int(isNum(row.build.pipelineMs) ? row.build.pipelineMs : total)} ms` })
  }
  if (!values.length) return null
  const sizes = totals.map((t) => t.size)
  const max = Math.max(...totals.map((t) => t.total))
  const y = { field: 'size', type: 'nominal', sort: sizes, title: null, axis: { ticks: false, domain: false } }
  const xScale = { domain: [0, max * 1.14], nice: false }
  return spec({
    title: { text: 'Build time by stage (fusio build)', subtitle: [`Pipeline time per stage (wall time of the whole process: see the table). Lower is better. ${results.date ?? ''}`.trim()] },
    height: { step: 40 },
    layer: [
      {
        data: { values },
        mark: { type: 'bar', height: { band: 0.7 } },
        encoding: {
          y,
          x: { field: 'ms', type: 'quantitative', aggregate: 'sum', stack: 'zero', title: 'milliseconds', scale: xScale, axis: { format: ',d', tickCount: 6 } },
          color: { field: 'stage', type: 'nominal', title: 'stage', scale: { domain: stages, range: stages.map((_, i) => STAGE_COLORS[i % STAGE_COLORS.length]) } },
          order: { field: 'index', type: 'quantitative' },
        },
      },
      {
        data: { values: totals },
        mark: { type: 'text', align: 'left', dx: 5, baseline: 'middle', fontSize: 11, color: '#222' },
        encoding: { y, x: { field: 'total', type: 'quantitative', scale: xScale }, text: { field: 'label' } },
      },
    ],
  })
}

// ---------------------------------------------------------------------------------------------------------
// Markdown

const skipped = (what) => `Skipped in this run (no ${what} in the results).`
const image = (alt, file) => `![${alt}](${CHART_DIR}/${file})`

function methodSection(results) {
  const s = results.settings ?? {}
  const load = [isNum(s.connections) && `${s.connections} connections`, isNum(s.pipelining) && `pipelining ${s.pipelining}`].filter(Boolean).join(', ')
  const rounds =
    isNum(s.rounds) && isNum(s.seconds)
      ? `${isNum(s.warmupSeconds) ? `${s.warmupSeconds} s of warm-up, then ` : 'a warm-up, then '}${plural(s.rounds, 'round')} of ${s.seconds} s`
      : 'a warm-up, then several rounds'
  return [
    `Each service runs in its own Node.js process; load comes from [autocannon](https://github.com/mcollina/autocannon) in a separate process over loopback (127.0.0.1)${load ? `, ${load}` : ''}. ` +
      `For each route kind: ${rounds}, alternating the implementations round by round so that drift on the machine affects all of them alike; ` +
      `the tables give the median round and, in parentheses, the min–max over the rounds. ` +
      `*generated* is the service \`fusio build\` emits ([bench/projects/throughput/](bench/projects/throughput/)); *Fastify*, *Express* and *node:http* are the same API written by hand ([bench/baselines/](bench/baselines/)). ` +
      `Cold start is the time from spawning the process to its first 200 response${isNum(s.coldStarts) ? `, median of ${plural(s.coldStarts, 'start')}` : ''}. ` +
      `All figures come from one run on the machine below: read them as ratios between implementations measured side by side, not as absolute numbers to compare with another machine's.`,
  ]
}

function machineSection(results) {
  const m = results.machine
  if (!m || typeof m !== 'object') return ['## Machine', '', 'Not recorded in this run\'s results.']
  const loads = (l) => (Array.isArray(l) && l.every(isNum) ? `${l.map((n) => n.toFixed(2)).join(' / ')} (1 / 5 / 15 min)` : DASH)
  const rows = [
    ['CPU', m.cpu ?? DASH],
    ['Cores', isNum(m.cpus) ? String(m.cpus) : DASH],
    ['Memory', isNum(m.memoryGb) ? `${m.memoryGb} GB` : DASH],
    ['OS', m.os ?? DASH],
    ['Node.js', m.node ?? DASH],
    ['NODE_OPTIONS of the services', m.flags == null ? DASH : m.flags === '' ? 'none' : `\`${m.flags}\``],
    ['PostgreSQL', m.postgres ?? DASH],
    ['Redis', m.redis ?? DASH],
    ['Load average before', loads(m.loadBefore)],
    ['Load average after', loads(m.loadAfter)],
  ]
  return ['## Machine', '', table(['', ''], rows)]
}

function targetsSection(results) {
  const targets = Array.isArray(results.targets) ? results.targets : null
  if (!targets) return ['## Targets', '', 'No targets in this run\'s results.']
  if (!targets.length) return ['## Targets', '', 'No targets in this run.']
  const met = targets.filter((t) => t.met === true).length
  const rows = targets.map((t) => [t.met === true ? '✅' : t.met === false ? '❌' : '–', t.name ?? DASH, t.target ?? DASH, t.measured ?? DASH])
  return ['## Targets', '', `${met} of ${targets.length} met.`, '', table(['', 'Target', 'Goal', 'Measured'], rows, ['', '', 'r', 'r'])]
}

function throughputSection(results, charts) {
  const out = ['## Throughput', '']
  const rows = throughputRows(results)
  if (!rows.length) return [...out, skipped('`throughput`')]
  const impls = implementationsIn(rows.map((r) => r.implementations))
  const ratioKeys = implementationsIn(rows.map((r) => r.ratios)).filter((k) => k !== 'generated')
  out.push(
    `Requests per second, median round (min–max). A ratio is generated req/s ÷ the other's req/s: above 1.00 the generated service is faster. ${DASH} means the implementation was not measured for that route.`,
    '',
  )
  const header = ['Route', ...impls.map((i) => `${implTitle(i)} req/s`), ...ratioKeys.map((k) => `÷ ${implTitle(k)}`)]
  const body = rows.map((row) => [
    row.display,
    ...impls.map((i) => {
      const m = row.implementations[i]
      return spread(m?.rps, m?.min, m?.max, int)
    }),
    ...ratioKeys.map((k) => ratio(row.ratios[k])),
  ])
  out.push(table(header, body, ['', ...impls.map(() => 'r'), ...ratioKeys.map(() => 'r')]))
  if (charts.has('throughput.svg')) out.push('', image('Grouped bars: median requests per second of each implementation per route kind, with min–max whiskers', 'throughput.svg'))
  if (charts.has('throughput-ratio.svg')) out.push('', image('Bars from 1.0 on a log scale: generated req/s divided by hand-written Fastify and Express req/s per route kind', 'throughput-ratio.svg'))
  return out
}

function latencySection(results) {
  const out = ['## Latency', '']
  const rows = throughputRows(results)
  if (!rows.length) return [...out, 'Skipped in this run: latency is measured with throughput.']
  const impls = implementationsIn(rows.map((r) => r.implementations))
  out.push(`p50 / p99 latency in ms as reported by autocannon, under the load of the throughput runs above.`, '')
  const body = rows.map((row) => [
    row.display,
    ...impls.map((i) => {
      const m = row.implementations[i]
      return isNum(m?.p50) || isNum(m?.p99) ? `${ms(m?.p50)} / ${ms(m?.p99)}` : DASH
    }),
  ])
  out.push(table(['Route', ...impls.map((i) => `${implTitle(i)} p50 / p99`)], body, ['', ...impls.map(() => 'r')]))
  return out
}

/** Server CPU time per request: steadier than req/s on a busy machine, as it leaves out waiting. */
function cpuSection(results) {
  const rows = throughputRows(results).filter((row) => Object.values(row.implementations).some((m) => isNum(m?.cpuUs)))
  if (!rows.length) return []
  const impls = implementationsIn(rows.map((r) => r.implementations))
  const out = ['## CPU time per request', '']
  out.push('User + system CPU time of the server process (from /proc) divided by the requests it answered, median of the rounds, in µs: the cost of a request without the time spent waiting for the CPU.', '')
  const body = rows.map((row) => [row.display, ...impls.map((i) => (isNum(row.implementations[i]?.cpuUs) ? row.implementations[i].cpuUs.toFixed(1) : DASH))])
  out.push(table(['Route', ...impls.map((i) => `${implTitle(i)} µs`)], body, ['', ...impls.map(() => 'r')]))
  return out
}

function coldStartSection(results, charts) {
  const out = ['## Cold start', '']
  const rows = scaleRows(results).filter((r) => r.coldStartMs)
  if (!rows.length) return [...out, skipped(results.scale ? 'cold starts' : '`scale`')]
  const impls = implementationsIn(rows.map((r) => r.coldStartMs))
  const hasRatio = rows.some((r) => isNum(r.coldStartRatio))
  out.push(
    `\`node dist/server.mjs\` of a generated manifest with the given number of operations, next to a hand-written Fastify service with the same routes and schemas (which compiles its schemas when it starts): ms from spawn to the first 200 response, median (min–max).`,
    '',
  )
  const body = rows.map((r) => [
    int(r.operations),
    ...impls.map((i) => {
      const c = r.coldStartMs[i]
      return spread(c?.median, c?.min, c?.max, ms)
    }),
    ...(hasRatio ? [ratio(r.coldStartRatio)] : []),
  ])
  const header = ['Operations', ...impls.map((i) => `${implTitle(i)} ms`), ...(hasRatio ? ['generated ÷ Fastify'] : [])]
  out.push(table(header, body, header.map(() => 'r')))
  if (charts.has('cold-start.svg')) out.push('', image('Lines: cold start in ms by number of operations, generated and hand-written Fastify, with min–max whiskers', 'cold-start.svg'))
  return out
}

function buildSection(results, charts) {
  const out = ['## Build time', '']
  const rows = scaleRows(results).filter((r) => r.build)
  if (!rows.length) return [...out, skipped(results.scale ? 'build times' : '`scale`')]
  const stages = stagesIn(rows)
  out.push(
    `\`fusio build\` of the generated manifests. *Wall* is the whole CLI process; *pipeline* is the sum of its stages. ` +
      `*ms per operation* is pipeline ÷ operations; *added ms per added operation* is the growth in pipeline time since the previous size divided by the operations added: a steady figure means linear growth, a falling one a fixed cost being spread. ` +
      `*Rebuild* is a second build after changing one operation.`,
    '',
  )
  const hasIncremental = rows.some((r) => isNum(r.incrementalMs))
  const growth = rows.map((r, i) => {
    const prev = rows[i - 1]
    const p = r.build.pipelineMs
    const added = prev && isNum(p) && isNum(prev.build.pipelineMs) && r.operations > prev.operations ? (p - prev.build.pipelineMs) / (r.operations - prev.operations) : null
    return [int(r.operations), int(r.build.wallMs), int(p), isNum(p) && r.operations > 0 ? fixed(p / r.operations, 1) : DASH, fixed(added, 1), ...(hasIncremental ? [int(r.incrementalMs)] : [])]
  })
  const growthHeader = ['Operations', 'Wall ms', 'Pipeline ms', 'ms per operation', 'added ms per added operation', ...(hasIncremental ? ['Rebuild ms'] : [])]
  out.push(table(growthHeader, growth, growthHeader.map(() => 'r')))
  if (stages.length) {
    const stageRows = rows.map((r) => [
      int(r.operations),
      ...stages.map((s) => {
        const v = r.build.stages?.[s]
        const share = r.build.share?.[s]
        return isNum(v) ? `${int(v)}${isNum(share) ? ` (${share} %)` : ''}` : DASH
      }),
    ])
    out.push('', 'Time per stage, ms (share of the pipeline):', '', table(['Operations', ...stages], stageRows, ['r', ...stages.map(() => 'r')]))
  }
  if (charts.has('build-stages.svg')) {
    const zero = stages.filter((s) => !rows.some((r) => r.build.stages?.[s] > 0))
    out.push('', image('Stacked bars: build pipeline time per stage for each manifest size', 'build-stages.svg'))
    if (zero.length) out.push('', `(${zero.map((s) => `\`${s}\``).join(', ')} took 0 ms at every size and ${zero.length === 1 ? 'is' : 'are'} left out of the chart.)`)
  }
  return out
}

function devSection(results) {
  const out = ['## fusio dev', '']
  const rows = Array.isArray(results.dev) ? results.dev.filter((r) => r && isNum(r.operations)) : []
  if (!rows.length) return [...out, skipped('`dev`')]
  const stages = [...new Set(rows.flatMap((r) => Object.keys(r.stages ?? {})))]
  out.push(
    '`fusio dev` on the generated manifests: one operation moved to a new path, then the time from writing the manifest until the new path answers 200 ' +
      `(median of ${rows[0].edits} edits after a warm-up edit, min–max). *Build* is dev's in-process rebuild, *restart* from stopping the old service to the new one answering \`/health\`.`,
    '',
  )
  const header = ['Operations', 'Change → served ms', 'Build ms', ...stages, 'Restart ms', 'First build ms']
  const body = rows.map((r) => [
    int(r.operations),
    spread(r.servedMs?.median, r.servedMs?.min, r.servedMs?.max, int),
    int(r.buildMs?.median),
    ...stages.map((stage) => int(r.stages?.[stage])),
    int(r.restartMs?.median),
    int(r.firstBuildMs),
  ])
  out.push(table(header, body, header.map(() => 'r')))
  return out
}

function memorySection(results) {
  const out = ['## Memory and bundle size', '']
  const tput = throughputRows(results)
  const scale = scaleRows(results)
  const idle = scale.filter((r) => r.idleRssMb)
  const bundles = scale.filter((r) => r.bundleBytes)
  const underLoad = tput.filter((r) => Object.values(r.implementations).some((m) => isNum(m?.rssMb)))
  if (!idle.length && !bundles.length && !underLoad.length) return [...out, skipped('RSS or bundle sizes')]
  if (idle.length) {
    const impls = implementationsIn(idle.map((r) => r.idleRssMb))
    out.push('Resident set size (RSS, MB) of the idle service after start-up, by manifest size:', '')
    out.push(table(['Operations', ...impls.map(implTitle)], idle.map((r) => [int(r.operations), ...impls.map((i) => fixed(r.idleRssMb[i], 1))]), ['r', ...impls.map(() => 'r')]))
  } else {
    out.push('Idle RSS: not measured in this run.')
  }
  out.push('')
  if (underLoad.length) {
    const impls = implementationsIn(underLoad.map((r) => r.implementations)).filter((i) => underLoad.some((r) => isNum(r.implementations[i]?.rssMb)))
    out.push('RSS (MB) under load, per route kind of the throughput runs:', '')
    out.push(table(['Route', ...impls.map(implTitle)], underLoad.map((r) => [r.display, ...impls.map((i) => fixed(r.implementations[i]?.rssMb, 1))]), ['', ...impls.map(() => 'r')]))
  } else {
    out.push('RSS under load: not measured in this run.')
  }
  out.push('')
  if (bundles.length) {
    out.push('Size of the build output of the generated manifests, MB (10⁶ bytes): `dist/server.mjs` alone and the whole `dist/` directory.', '')
    out.push(table(['Operations', 'server.mjs', 'dist/'], bundles.map((r) => [int(r.operations), megabytes(r.bundleBytes.serverMjs), megabytes(r.bundleBytes.dist)]), ['r', 'r', 'r']))
  } else {
    out.push('Bundle size: not measured in this run.')
  }
  return out
}

function reproduceSection(results) {
  const file = results.file ?? `bench/results/${results.date ?? '<date>'}.json`
  return [
    '## How to reproduce',
    '',
    '```sh',
    'npm run bench              # the whole suite: writes bench/results/<date>.json, then this file and bench/charts/',
    'npm run bench -- --quick   # a short run to check that the suite works; its figures are noisier',
    'npm run bench -- --only dev   # one part (throughput, scale or dev), merged into the day\'s results file',
    `node bench/lib/report.mjs ${file}   # regenerate BENCHMARKS.md and bench/charts/ from a results file`,
    '```',
    '',
    'This file is generated by `bench/lib/report.mjs`: edit that, not this. Run the suite on an otherwise idle machine; the load averages in the machine table show how busy it was.',
  ]
}

function markdown(results, charts) {
  const sections = [
    ['# Benchmarks', '', `Results of ${results.date ? `the run of ${results.date}` : 'one run'} (\`${results.file ?? `bench/results/${results.date ?? '<date>'}.json`}\`).`, '', ...methodSection(results)],
    machineSection(results),
    targetsSection(results),
    throughputSection(results, charts),
    latencySection(results),
    cpuSection(results),
    coldStartSection(results, charts),
    buildSection(results, charts),
    devSection(results),
    memorySection(results),
    reproduceSection(results),
  ]
  return `${sections.filter((lines) => lines.length > 0).map((lines) => lines.join('\n')).join('\n\n')}\n`
}

// ---------------------------------------------------------------------------------------------------------

/**
 * Writes `<root>/BENCHMARKS.md` and the charts in `<root>/bench/charts/` (SVG files there that this run
 * does not write are removed). Returns the absolute paths written: BENCHMARKS.md first, then the charts.
 */
export async function writeReport(results, { root }) {
  if (!results || typeof results !== 'object') throw new TypeError('writeReport: results must be an object')
  if (!root) throw new TypeError('writeReport: { root } is required')
  const tput = throughputRows(results)
  const scale = scaleRows(results)
  const specs = [
    ['throughput.svg', tput.length ? throughputChart(tput, results) : null],
    ['throughput-ratio.svg', tput.length ? ratioChart(tput, results) : null],
    ['cold-start.svg', scale.length ? coldStartChart(scale, results) : null],
    ['build-stages.svg', scale.length ? buildChart(scale, results) : null],
  ].filter(([, s]) => s)

  const chartDir = join(root, CHART_DIR)
  mkdirSync(chartDir, { recursive: true })
  const charts = new Map()
  for (const [file, s] of specs) charts.set(file, await renderSvg(s))

  const written = []
  const reportPath = join(root, REPORT_FILE)
  writeFileSync(reportPath, markdown(results, charts))
  written.push(reportPath)
  for (const [file, svg] of charts) {
    const path = join(chartDir, file)
    writeFileSync(path, svg)
    written.push(path)
  }
  for (const file of readdirSync(chartDir).sort()) if (file.endsWith('.svg') && !charts.has(file)) rmSync(join(chartDir, file))
  return written
}

const isMain = (() => {
  if (!process.argv[1]) return false
  try {
    return realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url))
  } catch {
    return false
  }
})()

if (isMain) {
  const file = process.argv[2]
  if (!file) {
    console.error('usage: node bench/lib/report.mjs bench/results/<date>.json')
    process.exit(2)
  }
  const root = resolve(import.meta.dirname, '../..')
  const results = JSON.parse(readFileSync(resolve(file), 'utf8'))
  const written = await writeReport(results, { root })
  for (const path of written) console.log(relative(root, path))
}
