import { describe, expect, it } from 'vitest'
import { qbdHub } from '../helpers/qbd.js'
import { actor } from '../helpers/hub.js'
import { runImport } from '../../src/staging/import-service.js'
import { quickbooksDesktopConnector } from '../../src/connectors/quickbooks-desktop/connector.js'
import { saveTimeEntry } from '../../src/time-entries/service.js'
import { approvePeriod, unlockPeriod } from '../../src/payroll/period-service.js'
import { getPayrollSettings } from '../../src/payroll/payroll-settings.js'
import { groupsOf, saveMapping } from '../../src/payroll/mapping-service.js'
import { checkPublish, publishPeriod, publishState, retryFailed } from '../../src/payroll/publish-service.js'
import type { ModuleId } from '../../src/integrations/modules.js'

const PERIOD = { start: '2024-06-03', end: '2024-06-09' }

/** QuickBooks Desktop as sync source with employees, jobs, items, classes and wage items imported, and REG/OT mapped. */
async function setUp() {
  const h = await qbdHub({ employees: 3, customers: 2 })
  for (const m of ['payroll_items', 'departments', 'job_sites', 'cost_codes', 'employees'] as ModuleId[]) await h.sync(m)
  await h.visit()
  for (const m of ['payroll_items', 'departments', 'job_sites', 'cost_codes', 'employees'] as ModuleId[]) {
    const ids = (await h.staged(m)).map((r) => r.id)
    const r = await runImport(h.t.deps, actor, { integration: 'quickbooks-desktop', integrationName: 'QuickBooks Desktop', module: m, ids, trigger: 'manual', defaultTimeZone: 'UTC' })
    expect(r.failed).toEqual([])
  }
  const item = async (name: string) => (await h.t.db.selectFrom('payroll_items').select('id').where('name', '=', name).executeTakeFirstOrThrow()).id
  const [group] = await groupsOf(h.t.db, 'quickbooks-desktop')
  const employee = await h.t.db.selectFrom('employees').select('id').where('first_name', '=', 'Maria').executeTakeFirstOrThrow()
  const job = await h.t.db.selectFrom('job_sites').select('id').where('number', 'like', '%:%').executeTakeFirst()
  const framing = await h.t.db.selectFrom('cost_codes').select('id').where('code', '=', 'Framing').executeTakeFirstOrThrow()
  const settings = await getPayrollSettings(h.t.db, 'UTC')
  const enter = async (date: string, hours: string) => {
    const saved = await saveTimeEntry(h.t.db, actor, { employee_id: String(employee.id), date, hours, pay_id: 'REG', job_site_id: job ? String(job.id) : '', cost_code_id: String(framing.id) }, { source: 'manual' })
    if (!saved.ok) throw new Error(JSON.stringify(saved.errors))
    return saved.id
  }
  return { h, group: group!, item, employee, settings, enter }
}

describe('publishing a period to QuickBooks Desktop', () => {
  it('blocks until approved and mapped, then sends each line once, and a second publish sends nothing', async () => {
    const { h, group, item, settings, enter } = await setUp()
    for (const d of ['03', '04', '05', '06', '07']) await enter(`2024-06-${d}`, '9')
    let check = await checkPublish(h.t.db, settings, PERIOD, quickbooksDesktopConnector)
    expect(check.blocking.map((b) => b.message)).toEqual(['The period 2024-06-03 to 2024-06-09 is not approved', expect.stringContaining('REG has no payroll item of QuickBooks Desktop'), expect.stringContaining('OT has no payroll item')])
    await approvePeriod(h.t.db, actor, PERIOD)
    expect((await publishPeriod(h.t.db, actor, settings, PERIOD, quickbooksDesktopConnector)).ok).toBe(false)
    await saveMapping(h.t.db, actor, group.id, { REG: await item('Hourly Rate'), OT: await item('Overtime Rate') })
    check = await checkPublish(h.t.db, settings, PERIOD, quickbooksDesktopConnector)
    expect(check.blocking).toEqual([])
    const first = await publishPeriod(h.t.db, actor, settings, PERIOD, quickbooksDesktopConnector)
    expect(first).toEqual({ ok: true, added: 6, corrected: 0, removed: 0, unchanged: 0 })
    const visit = await h.visit()
    expect(visit.outcome).toBe('done')
    expect(h.qb.timeTracking).toHaveLength(6)
    expect(h.qb.timeTracking.map((t) => [t.date, t.duration, t.wageItem])).toContainEqual(['2024-06-07', 'PT5H0M', 'Overtime Rate'])
    const state = await publishState(h.t.db, 'quickbooks-desktop', PERIOD)
    expect(state.lines.every((l) => l.status === 'sent' && l.external_ref)).toBe(true)
    expect(await publishPeriod(h.t.db, actor, settings, PERIOD, quickbooksDesktopConnector)).toEqual({ ok: true, added: 0, corrected: 0, removed: 0, unchanged: 6 })
    expect((await h.visit()).outcome).toBe('none')
    expect(h.qb.timeTracking).toHaveLength(6)
  })

  it('sends a correction after an approved line is edited and the period re-approved: the old entry is deleted, the new one added', async () => {
    const { h, group, item, settings, enter } = await setUp()
    await saveMapping(h.t.db, actor, group.id, { REG: await item('Hourly Rate'), OT: await item('Overtime Rate') })
    const monday = await enter('2024-06-03', '8')
    await enter('2024-06-04', '8')
    await approvePeriod(h.t.db, actor, PERIOD)
    await publishPeriod(h.t.db, actor, settings, PERIOD, quickbooksDesktopConnector)
    await h.visit()
    expect(h.qb.timeTracking.map((t) => t.duration)).toEqual(['PT8H0M', 'PT8H0M'])
    await unlockPeriod(h.t.db, actor, PERIOD, 'Maria stayed late on Monday')
    const employee = (await h.t.db.selectFrom('time_entries').selectAll().where('id', '=', monday).executeTakeFirstOrThrow())
    await saveTimeEntry(h.t.db, actor, { employee_id: String(employee.employee_id), date: '2024-06-03', hours: '9.5', pay_id: 'REG', job_site_id: String(employee.job_site_id ?? ''), cost_code_id: String(employee.cost_code_id ?? '') }, { id: monday, source: 'manual' })
    await approvePeriod(h.t.db, actor, PERIOD)
    expect(await publishPeriod(h.t.db, actor, settings, PERIOD, quickbooksDesktopConnector)).toEqual({ ok: true, added: 0, corrected: 1, removed: 0, unchanged: 1 })
    await h.visit()
    expect(h.qb.timeTracking.map((t) => [t.date, t.duration]).sort()).toEqual([['2024-06-03', 'PT9H30M'], ['2024-06-04', 'PT8H0M']])
  })

  it('a crash between QuickBooks adding the hours and Clockbridge recording it never doubles them', async () => {
    const { h, group, item, settings, enter } = await setUp()
    await saveMapping(h.t.db, actor, group.id, { REG: await item('Hourly Rate') })
    await enter('2024-06-03', '8')
    await approvePeriod(h.t.db, actor, PERIOD)
    await publishPeriod(h.t.db, actor, settings, PERIOD, quickbooksDesktopConnector)
    const crashed = await h.visit({ faults: { crashAfterProcessingRequest: 1 } })
    expect(crashed.outcome).toBe('dropped')
    expect(h.qb.timeTracking).toHaveLength(1)
    expect((await publishState(h.t.db, 'quickbooks-desktop', PERIOD)).lines[0]!.status).toBe('pending')
    await h.t.db.updateTable('qbwc_sessions').set({ last_seen_at: '2000-01-01T00:00:00.000Z' }).execute()
    expect((await h.visit()).outcome).toBe('done')
    expect(h.qb.timeTracking).toHaveLength(1)
    expect((await publishState(h.t.db, 'quickbooks-desktop', PERIOD)).lines[0]).toMatchObject({ status: 'sent', external_ref: h.qb.timeTracking[0]!.txnId })
  })

  it('a line QuickBooks refuses is failed with its message; retry sends only the failed lines', async () => {
    const { h, group, item, settings, enter } = await setUp()
    await saveMapping(h.t.db, actor, group.id, { REG: await item('Hourly Rate') })
    await enter('2024-06-03', '8')
    await enter('2024-06-04', '8')
    await approvePeriod(h.t.db, actor, PERIOD)
    await publishPeriod(h.t.db, actor, settings, PERIOD, quickbooksDesktopConnector)
    const wage = h.qb.lists.PayrollItemWage.find((w) => w.name === 'Hourly Rate')!
    h.qb.lists.PayrollItemWage.splice(h.qb.lists.PayrollItemWage.indexOf(wage), 1)
    await h.visit()
    let state = await publishState(h.t.db, 'quickbooks-desktop', PERIOD)
    expect(state.lines.map((l) => [l.status, l.message])).toEqual([
      ['failed', expect.stringContaining('QuickBooks 3120')],
      ['failed', expect.stringContaining('does not exist in QuickBooks')],
    ])
    h.qb.lists.PayrollItemWage.push(wage)
    expect(await retryFailed(h.t.db, actor, 'quickbooks-desktop', PERIOD)).toBe(2)
    await h.visit()
    state = await publishState(h.t.db, 'quickbooks-desktop', PERIOD)
    expect(state.lines.map((l) => l.status)).toEqual(['sent', 'sent'])
    expect(h.qb.timeTracking).toHaveLength(2)
  })
})

describe('publishing from the Payroll tab', () => {
  it('shows what blocks, publishes, and shows the lines sent after the Web Connector visit', async () => {
    const { h, group, item, enter } = await setUp()
    const { signInAs } = await import('../helpers/test-app.js')
    const { get, post } = await import('../helpers/requests.js')
    const { cookie } = await signInAs(h.t.db, 'admin')
    await enter('2024-06-03', '8')
    await post(h.t.app, '/payroll/approve?period=2024-06-03', {}, { cookie })
    let html = await (await get(h.t.app, '/payroll?period=2024-06-03', { cookie })).text()
    expect(html).toContain('Nothing is sent while these stand')
    expect(html).toContain('href="/payroll/mapping?target=quickbooks-desktop"')
    expect(html).toMatch(/<button type="submit" disabled="">Publish to QuickBooks Desktop<\/button>/)
    await saveMapping(h.t.db, actor, group.id, { REG: await item('Hourly Rate') })
    const published = await post(h.t.app, '/payroll/publish/quickbooks-desktop?period=2024-06-03', {}, { cookie })
    expect(published.status).toBe(303)
    html = await (await get(h.t.app, '/payroll?period=2024-06-03', { cookie })).text()
    expect(html).toContain('1 pending (sent on the QuickBooks Web Connector&#39;s next visit)')
    await h.visit()
    html = await (await get(h.t.app, '/payroll?period=2024-06-03', { cookie })).text()
    expect(html).toContain('Lines: 1 sent · 0 pending · 0 failed')
    expect((await post(h.t.app, '/payroll/publish/nowhere?period=2024-06-03', {}, { cookie })).status).toBe(404)
  })
})
