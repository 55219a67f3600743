import { describe, expect, it, onTestFinished } from 'vitest'
import { createTestApp, signInAs } from '../helpers/test-app.js'
import { activateSource, actor, employeesCsv, uploadCsv } from '../helpers/hub.js'
import { get, post } from '../helpers/requests.js'
import { activate, saveSettings } from '../../src/integrations/integration-service.js'
import { requestSync } from '../../src/staging/sync-runs.js'
import { runImport } from '../../src/staging/import-service.js'
import { sageIntacctConnector, INTACCT_ID } from '../../src/connectors/sage-intacct/connector.js'
import { IntacctSimulator, SIM_INTACCT } from '../../src/connectors/sage-intacct/simulator/server.js'
import { quickbooksDesktopConnector } from '../../src/connectors/quickbooks-desktop/connector.js'
import { spreadsheetConnector } from '../../src/connectors/spreadsheet/connector.js'
import { saveTimeEntry } from '../../src/time-entries/service.js'
import { approvePeriod } from '../../src/payroll/period-service.js'
import { getPayrollSettings } from '../../src/payroll/payroll-settings.js'
import { groupsOf, saveMapping } from '../../src/payroll/mapping-service.js'
import { checkPublish, publishPeriod, publishState } from '../../src/payroll/publish-service.js'
import { startSending } from '../../src/payroll/publish-sender.js'
import { matchTargetRecords } from '../../src/payroll/target-links.js'

const PERIOD = { start: '2024-06-03', end: '2024-06-09' }

/** Employees kept in a spreadsheet (the sync source); hours published to Sage Intacct and QuickBooks Desktop. */
async function setUp() {
  const sim = new IntacctSimulator({ employees: 3 }) // Olivia Hart (E1001), Mateo Hart (E1002), Aiko Hart (E1003)
  const server = await sim.listen()
  onTestFinished(() => server.close())
  const t = await createTestApp({ INTACCT_ENDPOINT_URL: server.endpoint, VENDOR_RETRY_BASE_MS: '1' })
  await activateSource(t.db, spreadsheetConnector, t.deps.connectors)
  await uploadCsv(
    t.db,
    'employees',
    employeesCsv([
      ['S1', '7001', 'Olivia', 'Hart'],
      ['S2', '7002', 'Mateo', 'Hart', 'mateo.hart@example.com'],
      ['S3', '7003', 'Nobody', 'There'],
    ]),
  )
  const start = await requestSync(t.deps, { integration: 'spreadsheet', module: 'employees', trigger: 'manual', userId: null })
  if (!start.ok) throw new Error(start.message)
  await start.done
  const ids = (await t.db.selectFrom('staged_records').select('id').execute()).map((r) => r.id)
  expect(
    (
      await runImport(t.deps, actor, {
        integration: 'spreadsheet',
        integrationName: 'Spreadsheet',
        module: 'employees',
        ids,
        trigger: 'manual',
        defaultTimeZone: 'UTC',
      })
    ).failed,
  ).toEqual([])
  await activate(t.db, actor, sageIntacctConnector)
  await activate(t.db, actor, quickbooksDesktopConnector)
  const { senderPassword, userPassword, ...plain } = SIM_INTACCT
  await saveSettings(t.deps, actor, sageIntacctConnector, { ...plain, endpointUrl: '', weekStartsOn: 'monday', senderPassword, userPassword })
  const now = new Date().toISOString()
  const item = async (name: string) =>
    (
      await t.db
        .insertInto('payroll_items')
        .values({ name, description: null, note: null, source_integration: null, external_id: null, created_at: now, updated_at: now })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id
  const regular = await item('Regular')
  for (const target of [INTACCT_ID, 'quickbooks-desktop']) await saveMapping(t.db, actor, (await groupsOf(t.db, target))[0]!.id, { REG: regular })
  const employee = async (first: string) => (await t.db.selectFrom('employees').select('id').where('first_name', '=', first).executeTakeFirstOrThrow()).id
  for (const first of ['Olivia', 'Mateo']) {
    const saved = await saveTimeEntry(
      t.db,
      actor,
      { employee_id: String(await employee(first)), date: '2024-06-04', hours: '8', pay_id: 'REG' },
      { source: 'manual' },
    )
    if (!saved.ok) throw new Error(JSON.stringify(saved.errors))
  }
  await approvePeriod(t.db, actor, PERIOD)
  return { t, sim, settings: await getPayrollSettings(t.db, 'UTC'), employee }
}

describe('publishing to integrations that are not the sync source', () => {
  it("matches the target's records by natural key, then publishes with the target's ids", async () => {
    const { t, sim, settings } = await setUp()
    let check = await checkPublish(t.db, settings, PERIOD, sageIntacctConnector)
    expect(check.blocking.map((b) => b.message).sort()).toEqual([
      'Mateo Hart is not linked to Sage Intacct: match records with Sage Intacct (Payroll tab) or IMPORT employees from there',
      'Olivia Hart is not linked to Sage Intacct: match records with Sage Intacct (Payroll tab) or IMPORT employees from there',
    ])
    const result = await matchTargetRecords(t.deps, actor, sageIntacctConnector)
    if (!result.ok) throw new Error(result.message)
    const employees = result.results.find((r) => r.module === 'employees')!
    expect(employees).toEqual({ module: 'employees', matched: 2, unmatched: ['Nobody There'] })
    expect(result.results.find((r) => r.module === 'payroll_items')!.matched).toBe(1)
    const links = await t.db.selectFrom('publish_links').select(['module', 'external_id', 'matched_by']).orderBy('external_id').execute()
    expect(links).toEqual([
      { module: 'employees', external_id: 'E1001', matched_by: 'name' },
      { module: 'employees', external_id: 'E1002', matched_by: 'email' },
      { module: 'payroll_items', external_id: 'Regular', matched_by: 'name' },
    ])
    check = await checkPublish(t.db, settings, PERIOD, sageIntacctConnector)
    expect(check.blocking).toEqual([])
    const { cookie } = await signInAs(t.db, 'admin')
    const olivia = await t.db.selectFrom('employees').select('id').where('first_name', '=', 'Olivia').executeTakeFirstOrThrow()
    expect(await (await get(t.app, `/employees/${olivia.id}`, { cookie })).text()).toContain('Sage Intacct: E1001 (matched by name)')
    expect(await publishPeriod(t.db, actor, settings, PERIOD, sageIntacctConnector)).toMatchObject({ ok: true, added: 2 })
    expect(await startSending(t.deps, sageIntacctConnector)).toMatchObject({ sent: 2, failed: 0 })
    expect(sim.timesheets.map((s) => s.employeeId).sort()).toEqual(['E1001', 'E1002'])
  })

  it('a name shared by two records on either side links neither', async () => {
    const { t, sim } = await setUp()
    const rows = sim.objects.get('EMPLOYEE')!
    rows.push({ ...rows[0]!, RECORDNO: '99', EMPLOYEEID: 'E9999' })
    const result = await matchTargetRecords(t.deps, actor, sageIntacctConnector)
    if (!result.ok) throw new Error(result.message)
    expect(result.results.find((r) => r.module === 'employees')).toEqual({ module: 'employees', matched: 1, unmatched: ['Olivia Hart', 'Nobody There'] })
  })

  it('QuickBooks Desktop takes unlinked employees by name: a warning, not a block', async () => {
    const { t, settings } = await setUp()
    const check = await checkPublish(t.db, settings, PERIOD, quickbooksDesktopConnector)
    expect(check.blocking).toEqual([])
    expect(check.warnings.map((w) => w.message)).toContain(
      'Olivia Hart is not linked to QuickBooks Desktop; the hours are sent under this name, which must match exactly there',
    )
  })

  it('from the Payroll tab: match, then publish to both targets', async () => {
    const { t, sim } = await setUp()
    const { cookie } = await signInAs(t.db, 'admin')
    let html = await (await get(t.app, '/payroll?period=2024-06-03', { cookie })).text()
    expect(html).toContain('Match records with Sage Intacct')
    expect(html).not.toContain('Match records with QuickBooks Desktop')
    const matched = await post(t.app, '/payroll/publish/sage-intacct/match?period=2024-06-03', {}, { cookie })
    expect(matched.status).toBe(303)
    for (const target of ['sage-intacct', 'quickbooks-desktop'])
      expect((await post(t.app, `/payroll/publish/${target}?period=2024-06-03`, {}, { cookie })).status).toBe(303)
    await t.deps.runs.idle()
    expect(sim.timesheets).toHaveLength(2)
    expect((await publishState(t.db, 'quickbooks-desktop', PERIOD)).lines.map((l) => l.status)).toEqual(['pending', 'pending'])
    html = await (await get(t.app, '/payroll?period=2024-06-03', { cookie })).text()
    expect(html).toMatch(/Sage Intacct[\s\S]*Lines: 2 sent · 0 pending · 0 failed/)
  })
})
