import { beforeEach, describe, expect, it } from 'vitest'
import { createTestApp, signInAs, type TestApp } from '../helpers/test-app.js'
import { get, post } from '../helpers/requests.js'
import { activateSource } from '../helpers/hub.js'

let t: TestApp
let cookie: string

const valid = {
  first_name: 'Maria',
  last_name: 'Lopez',
  employee_number: 'E-1001',
  email: 'maria@example.com',
  phone: '555-0100',
  pay_group: 'HOURLY',
  status: 'active',
  hire_date: '2024-03-01',
  company_id: '',
  department_id: '',
}

const employees = () => t.db.selectFrom('employees').selectAll().execute()
const audits = (action: string) => t.db.selectFrom('audit_log').selectAll().where('action', '=', action).execute()

async function insertEmployees(n: number, source: string | null = null) {
  const now = new Date().toISOString()
  const rows = Array.from({ length: n }, (_, i) => ({
    first_name: `First${i}`,
    last_name: `Last${String(i).padStart(3, '0')}`,
    employee_number: `${source ?? 'M'}-${i}`,
    pay_group: 'HOURLY' as const,
    status: 'active' as const,
    source_integration: source,
    external_id: source ? `ext-${i}` : null,
    created_at: now,
    updated_at: now,
  }))
  await t.db.insertInto('employees').values(rows).execute()
}

beforeEach(async () => {
  t = await createTestApp()
  cookie = (await signInAs(t.db, 'admin')).cookie
})

describe('employees', () => {
  it('creates an employee by hand, shows it as Manual, and audits it', async () => {
    const res = await post(t.app, '/employees', valid, { cookie })
    expect(res.status).toBe(303)
    const [row] = await employees()
    expect(row).toMatchObject({ first_name: 'Maria', employee_number: 'E-1001', email: 'maria@example.com', source_integration: null, external_id: null })
    expect(res.headers.get('location')).toBe(`/employees/${row!.id}`)
    const detail = await (await get(t.app, `/employees/${row!.id}`, { cookie })).text()
    expect(detail).toContain('Synced status')
    expect(detail).toContain('Manual')
    const [audit] = await audits('employee.create')
    expect(audit).toMatchObject({ entity_type: 'employee', entity_id: String(row!.id), actor: 'admin@example.com' })
  })

  it('refuses invalid input with 422, keeps the values, writes nothing', async () => {
    const bad = { ...valid, first_name: ' ', email: 'maria-at-example', pay_group: 'WEEKLY', hire_date: '2024-02-30', company_id: 'abc' }
    const res = await post(t.app, '/employees', bad, { cookie })
    expect(res.status).toBe(422)
    const html = await res.text()
    expect(html).toContain('First name is required')
    expect(html).toContain('Email must be an email address')
    expect(html).toContain('Pay group must be one of: HOURLY, SALARY')
    expect(html).toContain('Hire date is not a real calendar date')
    expect(html).toContain('Choose a valid company')
    expect(html).toContain('value="maria-at-example"')
    expect(html).toContain('value="E-1001"')
    expect(await employees()).toEqual([])
    expect(await audits('employee.create')).toEqual([])
  })

  it('names the employee who already holds a number, whatever the case; an e-mail address may be shared', async () => {
    await post(t.app, '/employees', valid, { cookie })
    const res = await post(t.app, '/employees', { ...valid, first_name: 'Other', employee_number: 'e-1001', email: 'MARIA@example.com' }, { cookie })
    expect(res.status).toBe(422)
    const html = await res.text()
    expect(html).toContain('Employee number e-1001 is already used by Maria Lopez')
    expect(html).not.toContain('already used by Maria Lopez</')
    expect(await employees()).toHaveLength(1)
    // A family or an office shares one mailbox: a second employee with it is saved.
    const shared = await post(t.app, '/employees', { ...valid, first_name: 'Rosa', employee_number: '1002', email: 'MARIA@example.com' }, { cookie })
    expect(shared.status).toBe(303)
    expect((await employees()).map((e) => e.email)).toEqual(['maria@example.com', 'maria@example.com'])
  })

  it('shows the fields a synced employee gets from its source read-only, saying who manages them; a hand-entered one stays editable', async () => {
    await activateSource(t.db)
    await insertEmployees(1, 'spreadsheet')
    await insertEmployees(1)
    const [synced, manual] = await employees()
    const form = await (await get(t.app, `/employees/${synced!.id}/edit`, { cookie })).text()
    expect(form).toMatch(/<input id="field-first_name" name="first_name" type="text" value="First0" readonly=""/)
    expect(form).toContain('Managed by <a href="/integrations/spreadsheet">Spreadsheet</a>')
    expect(form).toContain('the fields it sends are read-only here')
    // A select cannot be read-only: it is disabled, and its value goes along unchanged.
    expect(form).toMatch(/<input type="hidden" name="pay_group" value="HOURLY"\/>/)
    expect(form).toMatch(/<select id="field-pay_group" required="" disabled=""/)
    const handForm = await (await get(t.app, `/employees/${manual!.id}/edit`, { cookie })).text()
    expect(handForm).not.toContain('readonly')
    expect(handForm).not.toContain('Managed by')
  })

  it('refuses a change to a field the source owns with 422, and writes nothing; the same values save as before', async () => {
    await activateSource(t.db)
    await insertEmployees(1, 'spreadsheet')
    const [before] = await employees()
    const stored = {
      first_name: 'First0',
      last_name: 'Last000',
      employee_number: 'spreadsheet-0',
      email: '',
      phone: '',
      pay_group: 'HOURLY',
      status: 'active',
      hire_date: '',
      company_id: '',
      department_id: '',
    }
    const res = await post(t.app, `/employees/${before!.id}`, { ...stored, first_name: 'Changed', phone: '555-0199' }, { cookie })
    expect(res.status).toBe(422)
    const html = await res.text()
    expect(html).toContain('This record is synced from Spreadsheet, which owns the fields it sends; nothing was saved.')
    expect(html).toContain('Managed by Spreadsheet: change it there, then SYNC and IMPORT. Your change was not saved.')
    // The form comes back with the stored values, not the refused ones.
    expect(html).toContain('value="First0"')
    expect(await employees()).toEqual([before])
    expect(await audits('employee.update')).toEqual([])
    const same = await post(t.app, `/employees/${before!.id}`, stored, { cookie })
    expect(same.status).toBe(303)
    expect(await employees()).toEqual([before])
  })

  it('frees the fields of a record synced from an earlier source: nothing imports over them any more', async () => {
    await insertEmployees(1, 'quickbooks-online')
    await activateSource(t.db)
    const [row] = await employees()
    const form = await (await get(t.app, `/employees/${row!.id}/edit`, { cookie })).text()
    expect(form).not.toContain('readonly')
    const res = await post(t.app, `/employees/${row!.id}`, { ...valid, employee_number: 'quickbooks-online-0', email: '' }, { cookie })
    expect(res.status).toBe(303)
    expect((await employees())[0]).toMatchObject({ first_name: 'Maria', source_integration: 'quickbooks-online' })
  })

  it('refuses a company that does not exist', async () => {
    const res = await post(t.app, '/employees', { ...valid, company_id: '42' }, { cookie })
    expect(res.status).toBe(422)
    expect(await res.text()).toContain('This company no longer exists')
    expect(await employees()).toEqual([])
  })

  it('edits an employee, audits only the changed fields, and an unchanged save writes nothing', async () => {
    await post(t.app, '/employees', valid, { cookie })
    const [row] = await employees()
    const res = await post(t.app, `/employees/${row!.id}`, { ...valid, phone: '555-0199', status: 'disabled' }, { cookie })
    expect(res.status).toBe(303)
    const [audit] = await audits('employee.update')
    expect(JSON.parse(audit!.before!)).toEqual({ phone: '555-0100', status: 'active' })
    expect(JSON.parse(audit!.after!)).toEqual({ phone: '555-0199', status: 'disabled' })
    await post(t.app, `/employees/${row!.id}`, { ...valid, phone: '555-0199', status: 'disabled' }, { cookie })
    expect(await audits('employee.update')).toHaveLength(1)
  })

  it('answers 404 for an unknown or malformed id', async () => {
    expect((await get(t.app, '/employees/999', { cookie })).status).toBe(404)
    expect((await get(t.app, '/employees/abc', { cookie })).status).toBe(404)
    expect((await post(t.app, '/employees/999', valid, { cookie })).status).toBe(404)
  })

  it('lists with search, sort and pagination, as a page and as an htmx fragment', async () => {
    await insertEmployees(60)
    const page = await (await get(t.app, '/employees', { cookie })).text()
    expect(page).toContain('<html')
    expect(page).toContain('60 employees · page 1 of 3')
    expect(page).toContain('Last000')
    const fragment = await get(t.app, '/employees?q=Last05&sort=name&dir=desc', { cookie, htmx: true })
    expect(fragment.headers.get('Vary')).toContain('HX-Request')
    const html = await fragment.text()
    expect(html).not.toContain('<html')
    expect(html.startsWith('<div id="list-results"')).toBe(true)
    expect(html).toContain('10 employees')
    expect(html.indexOf('Last059')).toBeLessThan(html.indexOf('Last050'))
    const page3 = await (await get(t.app, '/employees?page=3', { cookie })).text()
    expect(page3).toContain('Last059')
    expect(page3).not.toContain('Last000')
    const beyond = await (await get(t.app, '/employees?page=99', { cookie })).text()
    expect(beyond).toContain('page 3 of 3')
  })

  it('treats search text literally', async () => {
    await insertEmployees(3)
    const html = await (await get(t.app, '/employees?q=%25', { cookie, htmx: true })).text()
    expect(html).toContain('No employees match')
  })

  it('filters by Synced status: Manual, Synced, or one integration', async () => {
    await insertEmployees(2, null)
    await insertEmployees(3, 'qbd')
    await insertEmployees(4, 'spreadsheet')
    const count = async (q: string) => (await (await get(t.app, `/employees?${q}`, { cookie, htmx: true })).text()).match(/(\d+) employees?/)?.[1]
    expect(await count('synced=manual')).toBe('2')
    expect(await count('synced=synced')).toBe('7')
    expect(await count('synced=integration%3Aqbd')).toBe('3')
    expect(await count('synced=integration%3Aunknown')).toBe('9')
    const page = await (await get(t.app, '/employees', { cookie })).text()
    expect(page).toContain('value="integration:spreadsheet"')
    expect(page).toContain('Synced from qbd')
  })

  it('hides New employee and refuses the POST when Employee Manual Creation is off', async () => {
    expect(await (await get(t.app, '/employees', { cookie })).text()).toContain('New employee')
    const off = await post(
      t.app,
      '/settings',
      {
        companyManualCreation: 'on',
        defaultCountry: 'US',
        companyTimeZone: 'UTC',
        workWeekStart: 'monday',
        backupSchedule: 'off',
        backupHour: '2',
        backupKeep: '14',
      },
      { cookie },
    )
    expect(off.status).toBe(303)
    const list = await (await get(t.app, '/employees', { cookie })).text()
    expect(list).not.toContain('New employee')
    expect(list).toContain('Employee Manual Creation is off')
    const res = await post(t.app, '/employees', valid, { cookie })
    expect(res.status).toBe(403)
    expect(await employees()).toEqual([])
    expect((await get(t.app, '/employees/new', { cookie })).status).toBe(403)
    expect((await post(t.app, '/companies', { name: 'Acme', status: 'active' }, { cookie })).status).toBe(303)
  })

  it('escapes what users typed wherever it is shown', async () => {
    await post(t.app, '/employees', { ...valid, first_name: '<script>alert(1)</script>' }, { cookie })
    const html = await (await get(t.app, '/employees', { cookie })).text()
    expect(html).not.toContain('<script>alert(1)</script>')
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
  })
})
