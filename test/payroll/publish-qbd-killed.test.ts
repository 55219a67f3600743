import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it, onTestFinished } from 'vitest'
import { copiesInQuickBooks, PERIOD, qbdPayrollHub, QBWC_PASSWORD } from '../helpers/qbd.js'
import { actor } from '../helpers/hub.js'
import { createTestApp } from '../helpers/test-app.js'
import { saveMapping } from '../../src/payroll/mapping-service.js'
import { approvePeriod } from '../../src/payroll/period-service.js'
import { publishPeriod } from '../../src/payroll/publish-service.js'
import { quickbooksDesktopConnector } from '../../src/connectors/quickbooks-desktop/connector.js'
import { WebConnectorSimulator } from '../../src/connectors/quickbooks-desktop/simulator/web-connector.js'
import { openDatabase, openPostgres } from '../../src/db/database.js'
import { freshPostgres, testsOnPostgres } from '../helpers/postgres.js'
import { stopHeavyWorker } from '../../src/staging/off-thread.js'
import { exited, startServerProcess } from '../helpers/server-process.js'

// The server process is killed (SIGKILL) right after a set of hours leaves it, while QuickBooks
// adds them: nothing recorded after that point survives. A new process on the same database must
// settle those hours with QuickBooks, not send them again.

const dir = mkdtempSync(join(tmpdir(), 'cb-killed-'))
const file = join(dir, 'clockbridge.db')
/** Where both processes keep the data: the SQLite file, or (TEST_ON_POSTGRES=1) a PostgreSQL database. */
let database: { DATABASE_PATH: string } | { DATABASE_URL: string } = { DATABASE_PATH: file }
afterAll(async () => {
  // The IMPORT worker of this process keeps a connection to this test's database; close it with the test.
  await stopHeavyWorker()
  rmSync(dir, { recursive: true, force: true })
})

const startServer = async () => {
  const { child, port } = await startServerProcess({ DATA_DIR: dir, SECRET_KEY: 'ab'.repeat(32), ...database })
  return { child, url: `http://127.0.0.1:${port}/qbwc` }
}

describe('publishing to QuickBooks Desktop when the server is killed', () => {
  it('a set of hours that left just before SIGKILL is settled by the next process, every line in QuickBooks once', async () => {
    if (testsOnPostgres) {
      const postgres = await freshPostgres()
      onTestFinished(postgres.drop)
      database = { DATABASE_URL: postgres.url }
    }
    const t = await createTestApp(database)
    const { h, group, item, settings, enterWeek } = await qbdPayrollHub(4, t)
    await saveMapping(h.t.db, actor, group.id, { REG: await item('Hourly Rate'), OT: await item('Overtime Rate') })
    await enterWeek()
    await approvePeriod(h.t.db, actor, PERIOD)
    const published = await publishPeriod(h.t.db, actor, settings, PERIOD, quickbooksDesktopConnector)
    const total = published.ok ? published.added : 0
    expect(total).toBeGreaterThan(50)
    await h.t.db.destroy()

    // First process: killed the moment the second set of hours is handed to the Web Connector.
    const first = await startServer()
    let sets = 0
    const killing = new WebConnectorSimulator(first.url, h.qb, async (url, init) => {
      const res = await fetch(url, init)
      const text = await res.text()
      if (text.includes('TimeTrackingAddRq') && ++sets === 2) first.child.kill('SIGKILL')
      return new Response(text, { status: res.status, headers: res.headers })
    })
    await expect(killing.visit({ username: 'clockbridge', password: QBWC_PASSWORD })).rejects.toThrow()
    await exited(first.child)
    expect(h.qb.timeTracking.length).toBe(50)

    // Second process on the same database: the same Web Connector comes back.
    const second = await startServer()
    try {
      const visit = await new WebConnectorSimulator(second.url, h.qb).visit({ username: 'clockbridge', password: QBWC_PASSWORD })
      expect(visit.outcome).toBe('done')
      expect(visit.calls.find((c) => c.method === 'sendRequestXML')!.result).toContain('oldMessageSetID="cb-')
    } finally {
      second.child.kill('SIGTERM')
      await exited(second.child)
    }
    const copies = copiesInQuickBooks(h)
    expect(copies.size).toBe(total)
    expect([...copies.values()].every((n) => n === 1)).toBe(true)
    const db = 'DATABASE_URL' in database ? openPostgres(database.DATABASE_URL, 1) : openDatabase(file).db
    const statuses = await db.selectFrom('publish_lines').select('status').where('target', '=', 'quickbooks-desktop').execute()
    await db.destroy()
    expect(statuses.filter((s) => s.status === 'sent')).toHaveLength(total)
  }, 60_000)
})
