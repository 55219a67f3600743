import { beforeEach, describe, expect, it } from 'vitest'
import { createTestApp, signInAs, type TestApp } from '../helpers/test-app.js'
import { get, post } from '../helpers/requests.js'

let t: TestApp
let cookie: string
let ana: number

beforeEach(async () => {
  t = await createTestApp()
  ;({ cookie } = await signInAs(t.db, 'admin'))
  const now = new Date().toISOString()
  ana = (
    await t.db
      .insertInto('employees')
      .values({ first_name: 'Ana', last_name: 'Garcia', employee_number: '1001', pay_group: 'HOURLY', status: 'active', created_at: now, updated_at: now })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id
})

const addTime = (form: Record<string, string>) =>
  post(t.app, '/time-entries?period=2024-06-03', { employee_id: String(ana), pay_id: 'REG', ...form }, { cookie, htmx: true })

describe('time entries and the Payroll tab over HTTP', () => {
  it('adds time through the form, shows it in its period, and answers 422 beside the field for a bad entry', async () => {
    const ok = await addTime({ date: '2024-06-03', start_time: '07:00', end_time: '17:00' })
    expect(ok.status).toBe(204)
    expect(ok.headers.get('HX-Redirect')).toBe('/time-entries?period=2024-06-03')
    const bad = await addTime({ date: '2024-06-03', start_time: '16:00', end_time: '18:00' })
    expect(bad.status).toBe(422)
    expect(await bad.text()).toContain('Overlaps the entry 07:00-17:00 on 2024-06-03')
    const list = await (await get(t.app, '/time-entries?period=2024-06-05', { cookie })).text()
    expect(list).toContain('2024-06-03 to 2024-06-09')
    expect(list).toContain('Garcia, Ana')
    expect(list).toContain('10:00')
    expect((await t.db.selectFrom('time_entries').selectAll().execute()).length).toBe(1)
  })

  it('splits worked time by the pay policy on the Payroll tab, and follows a changed policy', async () => {
    for (const d of ['03', '04', '05', '06']) await addTime({ date: `2024-06-${d}`, hours: '12' })
    await addTime({ date: '2024-06-07', hours: '8', pay_id: 'VAC' })
    let html = await (await get(t.app, '/payroll?period=2024-06-03', { cookie })).text()
    const cells = (h: string) => [...h.matchAll(/<td class="number">([^<]*)<\/td>/g)].map((m) => m[1])
    // Weekly only: 40 REG, 8 OT, and VAC as entered; 56 h in all.
    expect(html).toMatch(/<th scope="col" class="number">REG<\/th><th scope="col" class="number">OT<\/th><th scope="col" class="number">VAC<\/th>/)
    expect(cells(html).slice(-4)).toEqual(['40:00', '8:00', '8:00', '56:00'])
    const saved = await post(
      t.app,
      '/payroll/settings',
      { weeklyOvertimeHours: '40', dailyOvertime: 'on', dailyOvertimeHours: '8', dailyDoubleTimeHours: '12', frequency: 'weekly', anchor: '2024-01-01' },
      { cookie },
    )
    expect(saved.status).toBe(303)
    html = await (await get(t.app, '/payroll?period=2024-06-03', { cookie })).text()
    // Daily OT after 8 h: 4 x 4 h OT, 32 h regular.
    expect(cells(html).slice(-4)).toEqual(['32:00', '16:00', '8:00', '56:00'])
    expect(html).toContain('overtime after 40 h a week, after 8 h a day')
  })

  it('refuses a pay policy that makes no sense, changing nothing', async () => {
    const res = await post(
      t.app,
      '/payroll/settings',
      {
        weeklyOvertimeHours: '0',
        dailyOvertime: 'on',
        dailyOvertimeHours: '10',
        dailyDoubleTime: 'on',
        dailyDoubleTimeHours: '9',
        frequency: 'biweekly',
        anchor: '',
      },
      { cookie, htmx: true },
    )
    expect(res.status).toBe(422)
    const html = await res.text()
    expect(html).toContain('Weekly overtime after must be more than 0')
    expect(await t.db.selectFrom('settings').select('key').where('key', '=', 'payroll').executeTakeFirst()).toBeUndefined()
  })

  it('approving locks the period; unlocking needs a reason and is audited', async () => {
    await addTime({ date: '2024-06-03', hours: '8' })
    expect((await post(t.app, '/payroll/approve?period=2024-06-03', {}, { cookie })).status).toBe(303)
    const refused = await addTime({ date: '2024-06-04', hours: '8' })
    expect(refused.status).toBe(422)
    expect(await refused.text()).toContain('approved period 2024-06-03 to 2024-06-09')
    expect(await (await get(t.app, '/time-entries?period=2024-06-03', { cookie })).text()).toContain('This period is approved and locked')
    const noReason = await post(t.app, '/payroll/unlock?period=2024-06-03', { reason: ' ' }, { cookie })
    expect(noReason.status).toBe(422)
    expect(await noReason.text()).toContain('Say why the period is unlocked')
    expect((await post(t.app, '/payroll/unlock?period=2024-06-03', { reason: 'Ana forgot Tuesday' }, { cookie })).status).toBe(303)
    expect((await addTime({ date: '2024-06-04', hours: '8' })).status).toBe(204)
    const audit = await t.db.selectFrom('audit_log').select('summary').where('action', '=', 'payroll.unlock').executeTakeFirstOrThrow()
    expect(audit.summary).toContain('Ana forgot Tuesday')
  })

  it('lets a PM enter time and approve, but not an employee', async () => {
    const pm = (await signInAs(t.db, 'pm')).cookie
    expect(
      (await post(t.app, '/time-entries', { employee_id: String(ana), date: '2024-06-03', hours: '8', pay_id: 'REG' }, { cookie: pm, htmx: true })).status,
    ).toBe(204)
    const employee = (await signInAs(t.db, 'employee')).cookie
    expect(
      (await post(t.app, '/time-entries', { employee_id: String(ana), date: '2024-06-04', hours: '8', pay_id: 'REG' }, { cookie: employee, htmx: true }))
        .status,
    ).toBe(403)
    expect((await t.db.selectFrom('time_entries').select('id').execute()).length).toBe(1)
  })
})

describe('payroll files from the Payroll tab', () => {
  it('makes the IIF file of an approved period once the mapping and settings are there, and says what is missing before', async () => {
    const now = new Date().toISOString()
    const hourly = (
      await t.db.insertInto('payroll_items').values({ name: 'Hourly Rate', created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow()
    ).id
    const job = (
      await t.db
        .insertInto('job_sites')
        .values({ number: 'Smith Residence:Kitchen Remodel', name: 'Kitchen Remodel', status: 'active', created_at: now, updated_at: now })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id
    await addTime({ date: '2024-06-03', hours: '8.5', job_site_id: String(job) })
    const early = await get(t.app, '/payroll/files/iif?period=2024-06-03', { cookie })
    expect(early.status).toBe(422)
    expect(await early.text()).toContain('is not approved')
    await post(t.app, '/payroll/approve?period=2024-06-03', {}, { cookie })
    const missing = await (await get(t.app, '/payroll/files/iif?period=2024-06-03', { cookie })).text()
    expect(missing).toContain('The QuickBooks company name is missing')
    expect(missing).toContain('REG is not mapped to a payroll item')
    await post(
      t.app,
      '/payroll/files/settings',
      {
        iifCompanyName: 'Ridgeline Builders LLC',
        iifCompanyCreateTime: '1405767000',
        iifEmployeeName: 'last-first',
        adpCoCode: '',
        adpRunIid: '',
        paychexClientId: '',
      },
      { cookie },
    )
    // The page's form for a default group not stored yet posts group=0: the save stores it.
    expect(await (await get(t.app, '/payroll/mapping?target=file:iif', { cookie })).text()).toContain('group=0')
    await post(t.app, '/payroll/mapping/save?target=file:iif&group=0', { pay_REG: String(hourly) }, { cookie })
    const res = await get(t.app, '/payroll/files/iif?period=2024-06-03', { cookie })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="timer-activities-2024-06-03-2024-06-09.iif"')
    expect(await res.text()).toContain('TIMEACT\t06/03/24\tSmith Residence:Kitchen Remodel\tGarcia, Ana\t\tHourly Rate\t8:30\t\t\tY\t0\r\n')
    expect(
      (
        await post(
          t.app,
          '/payroll/files/settings',
          { iifCompanyName: '', iifCompanyCreateTime: 'abc', iifEmployeeName: 'first-last', adpCoCode: 'TOOLONG', adpRunIid: '', paychexClientId: '' },
          { cookie, htmx: true },
        )
      ).status,
    ).toBe(422)
    expect((await get(t.app, '/payroll/files/pdf?period=2024-06-03', { cookie })).status).toBe(404)
  })
})
