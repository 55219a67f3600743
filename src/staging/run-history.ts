import type { Db } from '../db/database.js'
import { MODULES, isModuleId } from '../connectors/kit/records.js'
import type { ChartBar, ChartView } from '../../views/staging/history-chart.js'

// An integration's sync runs over a window of days, as the History chart and the Overview's
// sparklines draw them: one bar a run while they are few, one a day when they are many.

/** Runs a chart draws one by one; above this many in the window, one bar a day. */
export const RUNS_DRAWN_ONE_BY_ONE = 60

/** One bar (a run, or a day's runs summed) and the chart, as the History chart draws them (views/staging/history-chart.tsx). */
export type RunBar = ChartBar
export type RunChart = ChartView

const DAY_MS = 86_400_000
const dayOf = (iso: string) => iso.slice(0, 10)
const FAILED = new Set(['failed', 'timed_out'])

/** The runs of the last `days` days (UTC), newest last. */
export async function runChart(db: Db, integration: string, days: number, now = new Date()): Promise<RunChart> {
  const from = new Date(now.getTime() - (days - 1) * DAY_MS).toISOString().slice(0, 10)
  const rows = await db
    .selectFrom('sync_runs')
    .select(['id', 'module', 'status', 'created_at', 'started_at', 'finished_at', 'new_count', 'updated_count', 'removed_count', 'error_count'])
    .where('integration', '=', integration)
    .where('created_at', '>=', from)
    .orderBy('id')
    .execute()
  const bars = rows.map((r): RunBar => ({
    key: `run-${r.id}`,
    label: `Run #${r.id} · ${isModuleId(r.module) ? MODULES[r.module].label : r.module} · ${r.created_at.slice(0, 16).replace('T', ' ')} UTC`,
    day: dayOf(r.created_at),
    runId: r.id,
    runs: 1,
    failedRuns: FAILED.has(r.status) ? 1 : 0,
    newCount: r.new_count,
    updated: r.updated_count,
    removed: r.removed_count,
    failed: r.error_count,
    seconds: r.finished_at ? Math.max(0, Math.round((Date.parse(r.finished_at) - Date.parse(r.started_at ?? r.created_at)) / 1000)) : null,
    status: r.status,
  }))
  const base = { days, from, to: now.toISOString().slice(0, 10) }
  return bars.length <= RUNS_DRAWN_ONE_BY_ONE ? { ...base, byDay: false, bars } : { ...base, byDay: true, bars: perDay(bars, from, days) }
}

/** Every day of the window, with or without runs, its runs summed. */
function perDay(runs: RunBar[], from: string, days: number): RunBar[] {
  const byDay = new Map<string, RunBar>()
  for (let i = 0; i < days; i++) {
    const day = new Date(Date.parse(`${from}T00:00:00Z`) + i * DAY_MS).toISOString().slice(0, 10)
    byDay.set(day, {
      key: `day-${day}`,
      label: day,
      day,
      runId: null,
      runs: 0,
      failedRuns: 0,
      newCount: 0,
      updated: 0,
      removed: 0,
      failed: 0,
      seconds: null,
      status: null,
    })
  }
  for (const run of runs) {
    const day = byDay.get(run.day)
    if (!day) continue
    day.runs++
    day.failedRuns += run.failedRuns
    day.newCount += run.newCount
    day.updated += run.updated
    day.removed += run.removed
    day.failed += run.failed
    if (run.seconds !== null) day.seconds = Math.max(day.seconds ?? 0, run.seconds)
  }
  return [...byDay.values()]
}

/** Per integration, the changes its runs brought each of the last `days` days, and its last good sync. */
export type SyncHealth = { daily: number[]; failedDays: boolean[]; lastGoodAt: string | null; lastScheduled: { status: string; at: string } | null }

export async function syncHealth(db: Db, days: number, now = new Date()): Promise<Map<string, SyncHealth>> {
  const from = new Date(now.getTime() - (days - 1) * DAY_MS).toISOString().slice(0, 10)
  const rows = await db
    .selectFrom('sync_runs')
    .select(['integration', 'status', 'trigger', 'created_at', 'finished_at', 'new_count', 'updated_count', 'removed_count', 'error_count'])
    .where('created_at', '>=', from)
    .orderBy('id')
    .execute()
  const health = new Map<string, SyncHealth>()
  const of = (integration: string) => {
    let h = health.get(integration)
    if (!h) health.set(integration, (h = { daily: Array(days).fill(0), failedDays: Array(days).fill(false), lastGoodAt: null, lastScheduled: null }))
    return h
  }
  const start = Date.parse(`${from}T00:00:00Z`)
  for (const r of rows) {
    const h = of(r.integration)
    const i = Math.floor((Date.parse(`${dayOf(r.created_at)}T00:00:00Z`) - start) / DAY_MS)
    if (i >= 0 && i < days) {
      h.daily[i] = h.daily[i]! + r.new_count + r.updated_count + r.removed_count + r.error_count
      if (FAILED.has(r.status)) h.failedDays[i] = true
    }
    if (r.trigger === 'schedule' && r.finished_at) h.lastScheduled = { status: r.status, at: r.finished_at }
  }
  // The last good sync may be older than the window.
  const good = await db
    .selectFrom('sync_runs')
    .select(['integration', (eb) => eb.fn.max('finished_at').as('at')])
    .where('status', 'in', ['succeeded', 'partial'])
    .groupBy('integration')
    .execute()
  for (const g of good) of(g.integration).lastGoodAt = g.at as string | null
  return health
}

/** The last good sync of each module of an integration, for the schedules' promise. */
export async function lastGoodByModule(db: Db, integration: string): Promise<Map<string, string>> {
  const rows = await db
    .selectFrom('sync_runs')
    .select(['module', (eb) => eb.fn.max('finished_at').as('at')])
    .where('integration', '=', integration)
    .where('status', 'in', ['succeeded', 'partial'])
    .groupBy('module')
    .execute()
  return new Map(rows.filter((r) => r.at).map((r) => [r.module, r.at as string]))
}
