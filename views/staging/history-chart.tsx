// The History tab's chart, drawn on the server as SVG: per run (or per day when there are many)
// the records new, updated, removed and failed as stacked bars told apart by pattern as well as
// colour, each run's duration as a dot on its own scale, failed runs marked with a cross, each bar a
// link to its runs. The same numbers follow as a table.

/** One bar, as run-history.ts makes it. */
export type ChartBar = {
  key: string
  label: string
  day: string
  runId: number | null
  runs: number
  failedRuns: number
  newCount: number
  updated: number
  removed: number
  failed: number
  seconds: number | null
  status: string | null
}

export type ChartView = { days: number; from: string; to: string; byDay: boolean; bars: ChartBar[] }

const SEGMENTS = [
  { key: 'newCount', label: 'New', fill: 'url(#pattern-new)', swatch: 'swatch-new' },
  { key: 'updated', label: 'Updated', fill: 'url(#pattern-updated)', swatch: 'swatch-updated' },
  { key: 'removed', label: 'Removed at source', fill: 'url(#pattern-removed)', swatch: 'swatch-removed' },
  { key: 'failed', label: 'Failed rows', fill: 'url(#pattern-failed)', swatch: 'swatch-failed' },
] as const

const W = 760
const H = 240
const PAD = { left: 52, right: 52, top: 22, bottom: 30 }
const plotW = W - PAD.left - PAD.right
const plotH = H - PAD.top - PAD.bottom

const total = (b: ChartBar) => b.newCount + b.updated + b.removed + b.failed
const n = (x: number) => x.toLocaleString('en-US')
/** A round top for an axis: 1, 2 or 5 times a power of ten, at least `max`. */
function niceMax(max: number): number {
  if (max <= 0) return 1
  const power = 10 ** Math.floor(Math.log10(max))
  return [1, 2, 5, 10].map((m) => m * power).find((v) => v >= max)!
}
const duration = (s: number | null) => (s === null ? 'still running' : s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`)

/** What a bar says to a screen reader and in its tooltip. */
function describe(b: ChartBar): string {
  const counts = `${n(b.newCount)} new, ${n(b.updated)} updated, ${n(b.removed)} removed, ${n(b.failed)} failed rows`
  if (b.runId !== null) return `${b.label}: ${b.status ?? ''}, ${counts}, took ${duration(b.seconds)}`
  return `${b.day}: ${b.runs} run(s)${b.failedRuns ? `, ${b.failedRuns} failed` : ''}, ${counts}${b.seconds !== null ? `, longest ${duration(b.seconds)}` : ''}`
}

function Patterns() {
  return (
    <defs>
      <pattern id='pattern-new' width='6' height='6' patternUnits='userSpaceOnUse'>
        <rect width='6' height='6' fill='#1d4ed8' />
      </pattern>
      <pattern id='pattern-updated' width='6' height='6' patternUnits='userSpaceOnUse' patternTransform='rotate(45)'>
        <rect width='6' height='6' fill='#fdba74' />
        <rect width='2.5' height='6' fill='#9a3412' />
      </pattern>
      <pattern id='pattern-removed' width='6' height='6' patternUnits='userSpaceOnUse'>
        <rect width='6' height='6' fill='#e5e7eb' />
        <circle cx='3' cy='3' r='1.6' fill='#374151' />
      </pattern>
      <pattern id='pattern-failed' width='6' height='6' patternUnits='userSpaceOnUse'>
        <rect width='6' height='6' fill='#fecaca' />
        <path d='M0 0L6 6M6 0L0 6' stroke='#991b1b' stroke-width='1.4' />
      </pattern>
    </defs>
  )
}

export function HistoryChart(props: { chart: ChartView; historyPath: string }) {
  const { chart } = props
  const ranges = [30, 90].map((d) => (
    <a href={`${props.historyPath}?days=${d}`} aria-current={chart.days === d ? 'true' : undefined}>
      {d} days
    </a>
  ))
  const header = (
    <header class='chart-header'>
      <h2 id='chart-title'>Sync runs, last {chart.days} days</h2>
      <nav aria-label='Chart range' class='chart-range'>
        {ranges[0]}
        {' · '}
        {ranges[1]}
      </nav>
    </header>
  )
  const runs = chart.bars.reduce((s, b) => s + b.runs, 0)
  if (runs === 0)
    return (
      <section class='history-chart' aria-labelledby='chart-title'>
        {header}
        <p class='muted'>No sync run in the last {chart.days} days.</p>
      </section>
    )
  const failedRuns = chart.bars.reduce((s, b) => s + b.failedRuns, 0)
  const yMax = niceMax(Math.max(...chart.bars.map(total)))
  const sMax = niceMax(Math.max(1, ...chart.bars.map((b) => b.seconds ?? 0)))
  const slot = plotW / chart.bars.length
  const barW = Math.max(1, Math.min(40, slot * 0.7))
  const x = (i: number) => PAD.left + i * slot + (slot - barW) / 2
  const y = (v: number) => PAD.top + plotH - (v / yMax) * plotH
  const ys = (s: number) => PAD.top + plotH - (s / sMax) * plotH
  const dots = chart.bars.flatMap((b, i) => (b.seconds === null || b.runs === 0 ? [] : [{ cx: x(i) + barW / 2, cy: ys(b.seconds) }]))
  const summary = `${n(runs)} run(s) from ${chart.from} to ${chart.to}${failedRuns ? `, ${failedRuns} failed` : ''}; ${chart.byDay ? 'one bar a day' : 'one bar a run'}. The table below has every number.`
  const labelEvery = Math.max(1, Math.ceil(chart.bars.length / 6))
  return (
    <section class='history-chart' aria-labelledby='chart-title'>
      {header}
      <p id='chart-summary' class='muted'>
        {summary}
      </p>
      <ul class='chart-legend' aria-label='Legend'>
        {SEGMENTS.map((s) => (
          <li>
            <span class={`swatch ${s.swatch}`} aria-hidden='true'></span>
            {s.label}
          </li>
        ))}
        <li>
          <span class='swatch swatch-duration' aria-hidden='true'></span>Duration (right axis)
        </li>
        <li>
          <span aria-hidden='true' class='failed-mark'>
            ✕
          </span>{' '}
          Failed run
        </li>
      </ul>
      <div class='chart-box'>
        <svg viewBox={`0 0 ${W} ${H}`} class='chart' role='group' aria-labelledby='chart-title' aria-describedby='chart-summary'>
          <Patterns />
          {[0, 0.5, 1].map((f) => (
            <g aria-hidden='true'>
              <line x1={PAD.left} x2={W - PAD.right} y1={y(yMax * f)} y2={y(yMax * f)} class='gridline' />
              <text x={PAD.left - 6} y={y(yMax * f) + 4} text-anchor='end' class='axis-label'>
                {n(yMax * f)}
              </text>
              <text x={W - PAD.right + 6} y={ys(sMax * f) + 4} class='axis-label'>
                {duration(Math.round(sMax * f))}
              </text>
            </g>
          ))}
          <text x={PAD.left - 6} y={12} text-anchor='end' class='axis-title' aria-hidden='true'>
            records
          </text>
          <text x={W - 2} y={12} text-anchor='end' class='axis-title' aria-hidden='true'>
            duration
          </text>
          {chart.bars.map((b, i) => {
            let top = PAD.top + plotH
            const href = b.runId !== null ? `${props.historyPath}?on=${b.day}#run-${b.runId}` : `${props.historyPath}?on=${b.day}#runs`
            return (
              <a href={href} aria-label={describe(b)} class={b.failedRuns ? 'bar bar-failed' : 'bar'}>
                <title>{describe(b)}</title>
                {/* The whole slot is the link's target, so a day without records can be reached too. */}
                <rect x={PAD.left + i * slot} y={PAD.top} width={slot} height={plotH} class='bar-hit' />
                {SEGMENTS.map((s) => {
                  const v = b[s.key]
                  if (v <= 0) return null
                  const h = Math.max(1, (v / yMax) * plotH)
                  top -= h
                  return <rect x={x(i)} y={top} width={barW} height={h} fill={s.fill} />
                })}
                {b.failedRuns > 0 && (
                  <text x={x(i) + barW / 2} y={Math.min(top, PAD.top + plotH) - 4} text-anchor='middle' class='failed-mark'>
                    ✕
                  </text>
                )}
              </a>
            )
          })}
          {dots.length > 1 && <polyline points={dots.map((d) => `${d.cx},${d.cy}`).join(' ')} class='duration-line' aria-hidden='true' />}
          {dots.map((d) => (
            <circle cx={d.cx} cy={d.cy} r='3' class='duration-dot' aria-hidden='true' />
          ))}
          {chart.bars.map((b, i) =>
            i % labelEvery === 0 || i === chart.bars.length - 1 ? (
              <text x={x(i) + barW / 2} y={H - 10} text-anchor='middle' class='axis-label' aria-hidden='true'>
                {b.runId !== null ? `#${b.runId}` : b.day.slice(5)}
              </text>
            ) : null,
          )}
        </svg>
      </div>
      <details class='chart-table'>
        <summary>The chart as a table</summary>
        <div class='table-scroll'>
          <table class='striped'>
            <caption class='visually-hidden'>Sync runs, last {chart.days} days</caption>
            <thead>
              <tr>
                <th scope='col'>{chart.byDay ? 'Day' : 'Run'}</th>
                {chart.byDay && <th scope='col'>Runs</th>}
                <th scope='col'>{chart.byDay ? 'Failed runs' : 'Status'}</th>
                <th scope='col'>New</th>
                <th scope='col'>Updated</th>
                <th scope='col'>Removed</th>
                <th scope='col'>Failed rows</th>
                <th scope='col'>{chart.byDay ? 'Longest' : 'Duration'}</th>
              </tr>
            </thead>
            <tbody>
              {chart.bars
                .filter((b) => b.runs > 0)
                .map((b) => (
                  <tr>
                    <th scope='row'>{b.label}</th>
                    {chart.byDay && <td>{b.runs}</td>}
                    <td>{chart.byDay ? b.failedRuns : b.status}</td>
                    <td>{n(b.newCount)}</td>
                    <td>{n(b.updated)}</td>
                    <td>{n(b.removed)}</td>
                    <td>{n(b.failed)}</td>
                    <td>{b.seconds === null ? '—' : duration(b.seconds)}</td>
                  </tr>
                ))}
            </tbody>
          </table>
        </div>
      </details>
    </section>
  )
}

/** Fourteen days of an integration's changes as a tiny bar chart; a day with a failed run is marked. */
export function Sparkline(props: { daily: number[]; failedDays: boolean[]; label: string }) {
  const max = Math.max(1, ...props.daily)
  const w = 4
  const gap = 1
  const h = 20
  return (
    <svg viewBox={`0 0 ${props.daily.length * (w + gap)} ${h + 4}`} class='sparkline' role='img' aria-label={props.label}>
      {props.daily.map((v, i) => {
        const bh = v > 0 ? Math.max(2, (v / max) * h) : 1
        return <rect x={i * (w + gap)} y={h - bh + 2} width={w} height={bh} class={props.failedDays[i] ? 'spark-failed' : v > 0 ? 'spark-bar' : 'spark-none'} />
      })}
    </svg>
  )
}
