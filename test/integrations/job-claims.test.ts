import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { createTestApp } from '../helpers/test-app.js'
import { freshPostgres, testsOnPostgres } from '../helpers/postgres.js'
import { activateSource, actor, employeesCsv, uploadCsv } from '../helpers/hub.js'
import { saveSchedule } from '../../src/integrations/schedules.js'
import { spreadsheetConnector } from '../../src/connectors/spreadsheet/connector.js'
import { MODULES } from '../../src/connectors/kit/records.js'
import { claimOccurrence, claimOf, forgetOldClaims } from '../../src/integrations/job-claims.js'
import { THIS_INSTANCE } from '../../src/runtime/instance-id.js'

// Several instances on one database keep the same timers; each occurrence of a scheduled job runs
// on the one that claims it. Here two apps in this process share one database file, as two servers would.

async function twoInstances() {
  // One database for both: a SQLite file, or (TEST_ON_POSTGRES=1) one PostgreSQL database.
  const shared: Record<string, string> = testsOnPostgres
    ? { DATABASE_URL: (await freshPostgres()).url }
    : { DATABASE_PATH: join(mkdtempSync(join(tmpdir(), 'cb-claims-')), 'clockbridge.db') }
  const first = await createTestApp(shared)
  const second = await createTestApp(shared)
  for (const t of [first, second]) await t.deps.scheduler.start(t.deps)
  onTestFinished(async () => {
    first.deps.scheduler.stop()
    second.deps.scheduler.stop()
    await first.deps.runs.idle()
    await second.deps.runs.idle()
    await first.db.destroy()
    await second.db.destroy()
  })
  return [first, second] as const
}

describe('scheduled jobs across instances', () => {
  it('runs a schedule due at the same minute once, whichever instance fires first, and the next occurrence again', async () => {
    const [first, second] = await twoInstances()
    await activateSource(first.db)
    await uploadCsv(first.db, 'employees', employeesCsv([['E1', '1001', 'Maria', 'Lopez']]))
    const due = new Date('2026-12-07T06:00:00.000Z')
    // The second instance's clock fires a few seconds later: the same occurrence.
    const ran = await Promise.all([
      first.deps.scheduler.tick('spreadsheet', 'employees', due),
      second.deps.scheduler.tick('spreadsheet', 'employees', new Date(due.getTime() + 4_000)),
    ])
    expect(ran.filter(Boolean)).toHaveLength(1)
    expect(await first.db.selectFrom('sync_runs').select(['trigger', 'status']).execute()).toEqual([{ trigger: 'schedule', status: 'succeeded' }])
    expect(await claimOf(first.db, 'sync:spreadsheet:employees', due)).toBe(THIS_INSTANCE)

    const next = new Date('2026-12-07T07:00:00.000Z')
    expect(await second.deps.scheduler.tick('spreadsheet', 'employees', next)).toBe(true)
    expect(await first.deps.scheduler.tick('spreadsheet', 'employees', next)).toBe(false)
    expect(await first.db.selectFrom('sync_runs').select('status').execute()).toHaveLength(2)
  })

  it('tells apart the occurrences of a schedule with seconds within one minute, each still run once', async () => {
    const [first, second] = await twoInstances()
    await activateSource(first.db)
    await uploadCsv(first.db, 'employees', employeesCsv([['E1', '1001', 'Maria', 'Lopez']]))
    const at = (second: number) => new Date(`2026-12-07T06:00:${String(second).padStart(2, '0')}.000Z`)
    for (const s of [0, 20, 40]) {
      const ran = await Promise.all([
        first.deps.scheduler.tick('spreadsheet', 'employees', at(s), true),
        second.deps.scheduler.tick('spreadsheet', 'employees', at(s), true),
      ])
      expect(ran.filter(Boolean)).toHaveLength(1)
    }
    expect(await first.db.selectFrom('sync_runs').select('status').execute()).toHaveLength(3)
    expect(await claimOf(first.db, 'sync:spreadsheet:employees', at(20), true)).toBe(THIS_INSTANCE)
  })

  it('a schedule saved on one instance is picked up by the other at its next refresh', async () => {
    const [first, second] = await twoInstances()
    await activateSource(first.db)
    expect(await second.deps.scheduler.refreshIfChanged()).toBe(false)
    await saveSchedule(first.db, actor, spreadsheetConnector, MODULES.employees, {
      cron: '30 6 * * *',
      time_zone: 'UTC',
      auto_import_new: 0,
      auto_import_updated: 0,
    })
    await first.deps.scheduler.reload()
    expect(second.deps.scheduler.nextRun('spreadsheet', 'employees')).toBeNull()
    expect(await second.deps.scheduler.refreshIfChanged()).toBe(true)
    expect(second.deps.scheduler.nextRun('spreadsheet', 'employees')?.getUTCHours()).toBe(6)
    expect(await second.deps.scheduler.refreshIfChanged()).toBe(false)
  })

  it('claims each occurrence once per job, and forgets claims after a week', async () => {
    const [first, second] = await twoInstances()
    const due = new Date('2026-12-07T03:17:00.000Z')
    const claims = await Promise.all(Array.from({ length: 10 }, (_, i) => claimOccurrence(i % 2 ? first.db : second.db, 'backup', due)))
    expect(claims.filter(Boolean)).toHaveLength(1)
    expect(await claimOccurrence(first.db, 'connections', due)).toBe(true)
    expect(await claimOccurrence(first.db, 'backup', new Date('2026-12-08T03:17:00.000Z'))).toBe(true)
    await forgetOldClaims(first.db, '2026-12-15')
    expect(await first.db.selectFrom('job_claims').select(['job', 'due_at']).orderBy('due_at').execute()).toEqual([
      { job: 'backup', due_at: '2026-12-08T03:17' },
    ])
  })
})
