import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp } from '../helpers/test-app.js'
import { activateSource, actor, employeesCsv, uploadCsv } from '../helpers/hub.js'
import { requestSync } from '../../src/staging/sync-runs.js'
import { runImport, undoBatch } from '../../src/staging/import-service.js'
import { stopHeavyWorker } from '../../src/staging/off-thread.js'
import { spreadsheetConnector } from '../../src/connectors/spreadsheet/connector.js'

// On a database file, IMPORT and Undo run on a worker thread with its own connection: the same
// results as in-process (the rest of the suite, on in-memory databases), while the server answers.

const dir = mkdtempSync(join(tmpdir(), 'cb-off-thread-'))
// A fresh worker: one left by an earlier file of this test process (another database) must not serve this one.
beforeAll(() => stopHeavyWorker())
afterAll(async () => {
  await stopHeavyWorker()
  rmSync(dir, { recursive: true, force: true })
})

describe('IMPORT and Undo on a worker thread', () => {
  it('imports 3,000 records and undoes them on the worker, all or nothing, while /healthz keeps answering', async () => {
    const t = await createTestApp({ DATABASE_PATH: join(dir, 'clockbridge.db') }, [spreadsheetConnector])
    await activateSource(t.db, spreadsheetConnector, t.deps.connectors)
    const rows = Array.from(
      { length: 3000 },
      (_, i) => [`E${i}`, String(5000 + i), `First${i}`, `Last${i}`, `p${i}@example.com`, '2024-01-15'] as [string, string, string, string, string, string],
    )
    await uploadCsv(t.db, 'employees', employeesCsv(rows))
    const start = await requestSync(t.deps, { integration: 'spreadsheet', module: 'employees', trigger: 'manual', userId: null })
    if (!start.ok) throw new Error(start.message)
    await start.done
    const ids = (await t.db.selectFrom('staged_records').select('id').execute()).map((r) => r.id)
    let answered = 0
    let working = true
    const probe = (async () => {
      while (working) {
        expect((await t.app.request('/healthz')).status).toBe(200)
        answered++
        await new Promise((r) => setTimeout(r, 2))
      }
    })()
    const result = await runImport(t.deps, actor, {
      integration: 'spreadsheet',
      integrationName: 'Spreadsheet',
      module: 'employees',
      ids,
      trigger: 'manual',
      defaultTimeZone: 'UTC',
    }).finally(() => (working = false))
    await probe
    expect(result).toMatchObject({ created: 3000, updated: 0, failed: [] })
    expect(answered).toBeGreaterThan(0)
    const employees = await t.db
      .selectFrom('employees')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow()
    expect(Number(employees.n)).toBe(3000)
    expect(await t.db.selectFrom('staged_records').select('status').distinct().execute()).toEqual([{ status: 'imported' }])
    const audit = await t.db.selectFrom('audit_log').select('summary').where('action', '=', 'integration.import').execute()
    expect(audit[0]!.summary).toContain('3000 created')

    const undone = await undoBatch(t.deps, actor, result.batchId!)
    expect(undone).toEqual({ removed: 3000, kept: [] })
    expect(await t.db.selectFrom('employees').select('id').execute()).toEqual([])
    expect(await t.db.selectFrom('staged_records').select('status').distinct().execute()).toEqual([{ status: 'new' }])
    expect(await undoBatch(t.deps, actor, result.batchId!)).toEqual({ error: expect.stringContaining('already undone') })
    await t.db.destroy()
  }, 60_000)
})
