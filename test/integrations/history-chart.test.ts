import { beforeEach, describe, expect, it } from 'vitest'
import { createTestApp, signInAs, type TestApp } from '../helpers/test-app.js'
import { get } from '../helpers/requests.js'
import { activateSource } from '../helpers/hub.js'
import { runChart } from '../../src/staging/run-history.js'

// The History tab's chart and the Overview's sparklines and flags, from the sync runs as stored.

let t: TestApp
let cookie: string
const HISTORY = '/integrations/spreadsheet/history'
const DAY = 86_400_000

type RunSeed = { daysAgo: number; status?: string; trigger?: 'manual' | 'schedule'; module?: string; newCount?: number; seconds?: number }

/** Sync runs as the hub stores them, `daysAgo` before now. */
async function runs(seeds: RunSeed[], now = Date.now()) {
  const rows = seeds.map((s, i) => {
    const start = new Date(now - s.daysAgo * DAY - i * 1000)
    return {
      integration: 'spreadsheet',
      module: s.module ?? 'employees',
      trigger: s.trigger ?? 'manual',
      mode: 'full' as const,
      status: (s.status ?? 'succeeded') as 'succeeded',
      requested_by: null,
      new_count: s.newCount ?? 3,
      updated_count: 1,
      removed_count: 0,
      error_count: s.status === 'partial' ? 2 : 0,
      records: 10,
      error: s.status === 'failed' ? 'The sheet could not be read' : null,
      created_at: start.toISOString(),
      started_at: start.toISOString(),
      finished_at: new Date(start.getTime() + (s.seconds ?? 4) * 1000).toISOString(),
      held_by: null,
      heartbeat_at: null,
    }
  })
  for (let i = 0; i < rows.length; i += 500)
    await t.db
      .insertInto('sync_runs')
      .values(rows.slice(i, i + 500))
      .execute()
}

beforeEach(async () => {
  t = await createTestApp()
  await activateSource(t.db)
  cookie = (await signInAs(t.db, 'admin')).cookie
})

describe('the History chart', () => {
  it('says there was no run, rather than drawing an empty chart', async () => {
    const html = await (await get(t.app, HISTORY, { cookie })).text()
    expect(html).toContain('Sync runs, last 30 days')
    expect(html).toContain('No sync run in the last 30 days.')
    expect(html).not.toContain('<svg')
  })

  it('draws one run as one bar linking to it, with its numbers in words and in the table', async () => {
    await runs([{ daysAgo: 1, newCount: 7, seconds: 65 }])
    const html = await (await get(t.app, HISTORY, { cookie })).text()
    const [run] = await t.db.selectFrom('sync_runs').select(['id', 'created_at']).execute()
    expect(html).toContain(`href="${HISTORY}?on=${run!.created_at.slice(0, 10)}#run-${run!.id}"`)
    expect(html).toMatch(/aria-label="Run #\d+ · Employees · [\d-]+ [\d:]+ UTC: succeeded, 7 new, 1 updated, 0 removed, 0 failed rows, took 1 min 5 s"/)
    expect(html).toContain('1 run(s) from')
    expect(html).toContain('The chart as a table')
    expect(html).toContain(`id="run-${run!.id}"`)
  })

  it('marks failed runs with a cross, not colour alone', async () => {
    await runs([{ daysAgo: 2 }, { daysAgo: 1, status: 'failed' }])
    const html = await (await get(t.app, HISTORY, { cookie })).text()
    expect(html.match(/class="bar bar-failed"/g)).toHaveLength(1)
    expect(html).toContain('class="failed-mark">✕</text>')
    expect(html).toContain(', 1 failed; one bar a run')
  })

  it("sums 5,000 runs by day over 30 or 90 days, and lists one day's runs where its bar leads", async () => {
    // Noon UTC today: the 5,000 runs spread over 83 minutes of each day never cross a midnight, whenever the test runs.
    const today = new Date()
    const now = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate(), 12)
    await runs(
      Array.from({ length: 5000 }, (_, i) => ({ daysAgo: i % 80, status: i % 97 === 0 ? 'failed' : 'succeeded' })),
      now,
    )
    const chart = await runChart(t.db, 'spreadsheet', 30, new Date(now))
    expect(chart.byDay).toBe(true)
    expect(chart.bars).toHaveLength(30)
    expect(chart.bars.reduce((s, b) => s + b.runs, 0)).toBe(Array.from({ length: 5000 }, (_, i) => i % 80).filter((d) => d < 30).length)
    const ninety = await runChart(t.db, 'spreadsheet', 90, new Date(now))
    expect(ninety.bars.reduce((s, b) => s + b.runs, 0)).toBe(5000)
    const html = await (await get(t.app, `${HISTORY}?days=90`, { cookie })).text()
    expect(html).toContain('Sync runs, last 90 days')
    expect(html).toContain('one bar a day')
    expect(html.match(/<a href="\/integrations\/spreadsheet\/history\?on=[\d-]+#runs"/g)).toHaveLength(90)
    const day = new Date(now - 3 * DAY).toISOString().slice(0, 10)
    const dayPage = await (await get(t.app, `${HISTORY}?on=${day}`, { cookie })).text()
    expect(dayPage).toContain(`Sync runs of ${day} (UTC)`)
    const listed = dayPage.match(/<tr id="run-\d+"/g) ?? []
    expect(listed.length).toBe(
      await t.db
        .selectFrom('sync_runs')
        .select('id')
        .where('created_at', '>=', day)
        .where('created_at', '<', `${day}T99`)
        .execute()
        .then((r) => r.length),
    )
  })

  it('takes only 30 or 90 days and a real date; anything else falls back, never an error', async () => {
    for (const q of ['days=7', 'days=abc', 'on=2026-02-30', 'on=yesterday']) {
      const res = await get(t.app, `${HISTORY}?${q}`, { cookie })
      expect(res.status, q).toBe(200)
      const html = await res.text()
      expect(html, q).toContain('Sync runs, last 30 days')
      expect(html, q).toContain('<h2 id="runs">Sync runs</h2>')
    }
  })
})

describe('the Overview', () => {
  it('shows 14 days of changes and the last good sync of each activated integration', async () => {
    await runs([
      { daysAgo: 3, newCount: 10 },
      { daysAgo: 1, status: 'failed' },
    ])
    const html = await (await get(t.app, '/integrations', { cookie })).text()
    expect(html).toMatch(
      /<svg viewBox="0 0 70 24" class="sparkline" role="img" aria-label="Spreadsheet, last 14 days: 15 records changed, failed runs on 1 day\(s\)"/,
    )
    expect(html).toContain('Last good sync ')
    expect(html).not.toContain('activity-alert')
  })

  it('flags an integration whose last scheduled run failed, and one whose schedule has not given a good sync for two periods', async () => {
    await runs([{ daysAgo: 0.5, trigger: 'schedule', status: 'failed' }])
    let html = await (await get(t.app, '/integrations', { cookie })).text()
    expect(html).toContain('The last scheduled sync failed (')
    await runs([{ daysAgo: 3, module: 'departments' }])
    await t.db
      .insertInto('sync_schedules')
      .values({
        integration: 'spreadsheet',
        module: 'departments',
        cron: '0 * * * *',
        time_zone: 'UTC',
        auto_import_new: 0,
        auto_import_updated: 0,
        updated_at: new Date(Date.now() - 5 * DAY).toISOString(),
      })
      .execute()
    await t.deps.scheduler.start(t.deps)
    try {
      html = await (await get(t.app, '/integrations', { cookie })).text()
      expect(html).toMatch(/Departments: no good sync since [\d-]+ [\d:]+ UTC, though scheduled every 1 h\./)
    } finally {
      t.deps.scheduler.stop()
    }
  })
})
