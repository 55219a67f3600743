import { describe, expect, it } from 'vitest'
import { qbdPayrollHub as setUp, copiesInQuickBooks, PERIOD } from '../helpers/qbd.js'
import { actor } from '../helpers/hub.js'
import { quickbooksDesktopConnector } from '../../src/connectors/quickbooks-desktop/connector.js'
import { saveTimeEntry } from '../../src/time-entries/service.js'
import { approvePeriod, unlockPeriod } from '../../src/payroll/period-service.js'
import { saveMapping } from '../../src/payroll/mapping-service.js'
import { checkPublish, publishPeriod, publishState, retryFailed } from '../../src/payroll/publish-service.js'

describe('publishing a period to QuickBooks Desktop', () => {
  it('blocks until approved and mapped, then sends each line once, and a second publish sends nothing', async () => {
    const { h, group, item, settings, enter } = await setUp()
    for (const d of ['03', '04', '05', '06', '07']) await enter(`2024-06-${d}`, '9')
    let check = await checkPublish(h.t.db, settings, PERIOD, quickbooksDesktopConnector)
    expect(check.blocking.map((b) => b.message)).toEqual([
      'The period 2024-06-03 to 2024-06-09 is not approved',
      expect.stringContaining('REG has no payroll item of QuickBooks Desktop'),
      expect.stringContaining('OT has no payroll item'),
    ])
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
    expect(await publishPeriod(h.t.db, actor, settings, PERIOD, quickbooksDesktopConnector)).toEqual({
      ok: true,
      added: 0,
      corrected: 0,
      removed: 0,
      unchanged: 6,
    })
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
    const employee = await h.t.db.selectFrom('time_entries').selectAll().where('id', '=', monday).executeTakeFirstOrThrow()
    await saveTimeEntry(
      h.t.db,
      actor,
      {
        employee_id: String(employee.employee_id),
        date: '2024-06-03',
        hours: '9.5',
        pay_id: 'REG',
        job_site_id: String(employee.job_site_id ?? ''),
        cost_code_id: String(employee.cost_code_id ?? ''),
      },
      { id: monday, source: 'manual' },
    )
    await approvePeriod(h.t.db, actor, PERIOD)
    expect(await publishPeriod(h.t.db, actor, settings, PERIOD, quickbooksDesktopConnector)).toEqual({
      ok: true,
      added: 0,
      corrected: 1,
      removed: 0,
      unchanged: 1,
    })
    await h.visit()
    expect(h.qb.timeTracking.map((t) => [t.date, t.duration]).sort()).toEqual([
      ['2024-06-03', 'PT9H30M'],
      ['2024-06-04', 'PT8H0M'],
    ])
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
    expect((await publishState(h.t.db, 'quickbooks-desktop', PERIOD)).lines[0]).toMatchObject({
      status: 'unconfirmed',
      attempt_id: expect.stringMatching(/^cb-/),
    })
    // The same Web Connector signs in again at once: it takes over, asks QuickBooks for the answer it kept, and sends nothing twice.
    const next = await h.visit()
    expect(next.outcome).toBe('done')
    expect(next.calls.find((c) => c.method === 'sendRequestXML')!.result).toContain('oldMessageSetID="cb-')
    expect(h.qb.timeTracking).toHaveLength(1)
    expect((await publishState(h.t.db, 'quickbooks-desktop', PERIOD)).lines[0]).toMatchObject({ status: 'sent', external_ref: h.qb.timeTracking[0]!.txnId })
  })

  it('a publish of 300+ lines with the answer lost after each request in turn ends with every line in QuickBooks exactly once', async () => {
    const { h, group, item, settings, enterWeek } = await setUp(15)
    await saveMapping(h.t.db, actor, group.id, { REG: await item('Hourly Rate'), OT: await item('Overtime Rate') })
    await enterWeek()
    await approvePeriod(h.t.db, actor, PERIOD)
    const published = await publishPeriod(h.t.db, actor, settings, PERIOD, quickbooksDesktopConnector)
    expect(published.ok && published.added).toBeGreaterThanOrEqual(300)
    const total = published.ok ? published.added : 0
    // Visit k loses the answer of its k-th request, whatever it is: a set of hours, a recovery check or a lookup.
    let visits = 0
    for (let k = 1; visits < 60; k++, visits++) {
      const visit = await h.visit({ faults: { crashAfterProcessingRequest: k } })
      if (visit.outcome !== 'dropped') break
    }
    expect((await h.visit()).outcome).toBe('none')
    const copies = copiesInQuickBooks(h)
    expect(copies.size).toBe(total)
    expect([...copies.values()].every((n) => n === 1)).toBe(true)
    const lines = (await publishState(h.t.db, 'quickbooks-desktop', PERIOD)).lines
    expect(lines.filter((l) => l.status === 'sent')).toHaveLength(total)
    expect(new Set(lines.map((l) => l.external_ref)).size).toBe(total)
    expect(h.t.logs.join('')).toContain('"event":"qbwc_recovered"')
  })

  it('losing the answer of a recovery check or a lookup changes nothing: the next visit asks again', async () => {
    const { h, group, item, settings, enter } = await setUp()
    await saveMapping(h.t.db, actor, group.id, { REG: await item('Hourly Rate') })
    await enter('2024-06-03', '8')
    await enter('2024-06-04', '8')
    await approvePeriod(h.t.db, actor, PERIOD)
    await publishPeriod(h.t.db, actor, settings, PERIOD, quickbooksDesktopConnector)
    // The set never reaches QuickBooks: the Web Connector dies after receiving it.
    const lost = await h.visit({ faults: { hresultOnRequest: { request: 1, hresult: '0x80040410', message: 'The company file is open in another mode.' } } })
    expect(lost.outcome).toBe('error')
    expect(lost.lastError).toContain('checks these hours with QuickBooks')
    let state = await publishState(h.t.db, 'quickbooks-desktop', PERIOD)
    expect(state.lines.map((l) => l.status)).toEqual(['unconfirmed', 'unconfirmed'])
    // Recovery check answered, then lost; then the lookup answered, then lost.
    expect((await h.visit({ faults: { crashAfterProcessingRequest: 1 } })).outcome).toBe('dropped')
    expect((await h.visit({ faults: { crashAfterProcessingRequest: 1 } })).outcome).toBe('dropped')
    expect(h.qb.timeTracking).toHaveLength(0)
    expect((await h.visit()).outcome).toBe('done')
    state = await publishState(h.t.db, 'quickbooks-desktop', PERIOD)
    expect(state.lines.map((l) => l.status)).toEqual(['sent', 'sent'])
    expect(h.qb.timeTracking).toHaveLength(2)
  })

  it("an HRESULT for a set of hours is settled and sent on the next visit; after three refusals the lines fail with QuickBooks' reason", async () => {
    const { h, group, item, settings, enter } = await setUp()
    await saveMapping(h.t.db, actor, group.id, { REG: await item('Hourly Rate') })
    await enter('2024-06-03', '8')
    await approvePeriod(h.t.db, actor, PERIOD)
    await publishPeriod(h.t.db, actor, settings, PERIOD, quickbooksDesktopConnector)
    const parseError = { parseErrorOnRequest: 1 }
    expect((await h.visit({ faults: parseError })).lastError).toMatch(/0x80040400.*checks these hours with QuickBooks on the Web Connector's next visit/)
    expect((await publishState(h.t.db, 'quickbooks-desktop', PERIOD)).lines[0]!.status).toBe('unconfirmed')
    // Next visit: the recovery check (request 1) and the lookup (request 2) find nothing, and the hours go again.
    expect((await h.visit()).outcome).toBe('done')
    expect((await publishState(h.t.db, 'quickbooks-desktop', PERIOD)).lines[0]).toMatchObject({ status: 'sent', attempts: 2 })
    expect(h.qb.timeTracking).toHaveLength(1)

    // A second line QuickBooks refuses three times: only then is it failed, with the reason and what to do.
    await unlockPeriod(h.t.db, actor, PERIOD, 'one more day')
    await enter('2024-06-04', '8')
    await approvePeriod(h.t.db, actor, PERIOD)
    await publishPeriod(h.t.db, actor, settings, PERIOD, quickbooksDesktopConnector)
    await h.visit({ faults: { parseErrorOnRequest: 1 } })
    await h.visit({ faults: { parseErrorOnRequest: 3 } })
    await h.visit({ faults: { parseErrorOnRequest: 3 } })
    await h.visit()
    const second = (await publishState(h.t.db, 'quickbooks-desktop', PERIOD)).lines.find((l) => l.date === '2024-06-04')!
    expect(second).toMatchObject({ status: 'failed', attempts: 3 })
    expect(second.message).toMatch(/0x80040400.*Tried 3 times; QuickBooks holds none of it/)
    expect(h.qb.timeTracking).toHaveLength(1)
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
