import { beforeEach, describe, expect, it } from 'vitest'
import { createTestApp, signInAs, type TestApp } from '../helpers/test-app.js'
import { get, post } from '../helpers/requests.js'

let t: TestApp
let cookie: string

beforeEach(async () => {
  t = await createTestApp()
  cookie = (await signInAs(t.db, 'admin')).cookie
})

const count = async (table: 'companies' | 'job_sites' | 'cost_codes' | 'departments') =>
  Number(
    (
      await t.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  )

describe('companies', () => {
  it('creates one with payroll company ticked, and refuses a duplicate name in any case', async () => {
    expect((await post(t.app, '/companies', { name: 'Acme Builders', prefix: 'AB', status: 'active', payroll_company: 'on' }, { cookie })).status).toBe(303)
    const row = await t.db.selectFrom('companies').selectAll().executeTakeFirstOrThrow()
    expect(row).toMatchObject({ name: 'Acme Builders', payroll_company: 1, source_integration: null })
    const dup = await post(t.app, '/companies', { name: 'ACME builders', status: 'active' }, { cookie })
    expect(dup.status).toBe(422)
    expect(await dup.text()).toContain('A company named ACME builders already exists')
    expect(await count('companies')).toBe(1)
  })

  it('refuses a missing name and an unknown status', async () => {
    const res = await post(t.app, '/companies', { name: '', status: 'paused' }, { cookie })
    expect(res.status).toBe(422)
    const html = await res.text()
    expect(html).toContain('Name is required')
    expect(html).toContain('Status must be one of: active, disabled')
    expect(await count('companies')).toBe(0)
  })
})

describe('job sites', () => {
  const site = {
    number: 'J-100',
    name: 'Main St Tower',
    street: '1 Main St',
    city: 'Austin',
    state: 'TX',
    zip: '78701',
    country: 'us',
    start_date: '2026-01-05',
    end_date: '2026-12-20',
    status: 'active',
  }

  it('creates one, upper-casing the country, and refuses a duplicate number', async () => {
    expect((await post(t.app, '/job-sites', site, { cookie })).status).toBe(303)
    expect(await t.db.selectFrom('job_sites').select(['number', 'country']).executeTakeFirstOrThrow()).toEqual({ number: 'J-100', country: 'US' })
    const dup = await post(t.app, '/job-sites', { ...site, number: 'j-100', name: 'Other' }, { cookie })
    expect(dup.status).toBe(422)
    expect(await dup.text()).toContain('Job site number j-100 is already used')
    expect(await count('job_sites')).toBe(1)
  })

  it('refuses an end date before the start date and a bad country', async () => {
    const res = await post(t.app, '/job-sites', { ...site, start_date: '2026-05-01', end_date: '2026-04-30', country: 'USA' }, { cookie })
    expect(res.status).toBe(422)
    const html = await res.text()
    expect(html).toContain('End date must be on or after the start date')
    expect(html).toContain('Country must be a two-letter ISO code')
    expect(await count('job_sites')).toBe(0)
  })

  it('pre-fills the default country from Settings', async () => {
    await post(
      t.app,
      '/settings',
      {
        employeeManualCreation: 'on',
        companyManualCreation: 'on',
        defaultCountry: 'ca',
        companyTimeZone: 'America/Toronto',
        workWeekStart: 'sunday',
        backupSchedule: 'off',
        backupHour: '2',
        backupKeep: '14',
      },
      { cookie },
    )
    expect(await (await get(t.app, '/job-sites/new', { cookie })).text()).toContain('value="CA"')
  })

  it('filters by status', async () => {
    await post(t.app, '/job-sites', site, { cookie })
    await post(t.app, '/job-sites', { ...site, number: 'J-200', status: 'archived' }, { cookie })
    const html = await (await get(t.app, '/job-sites?status=archived', { cookie, htmx: true })).text()
    expect(html).toContain('J-200')
    expect(html).not.toContain('J-100<')
  })
})

describe('cost codes', () => {
  it('allows the same code once as standard and once per job site, never twice in one scope', async () => {
    await post(t.app, '/job-sites', { number: 'J-1', name: 'Site', status: 'active', country: '' }, { cookie })
    const { id: siteId } = await t.db.selectFrom('job_sites').select('id').executeTakeFirstOrThrow()
    expect((await post(t.app, '/cost-codes', { code: '01-100', name: 'Concrete', job_site_id: '' }, { cookie })).status).toBe(303)
    expect((await post(t.app, '/cost-codes', { code: '01-100', name: 'Concrete (J-1)', job_site_id: String(siteId) }, { cookie })).status).toBe(303)
    const dupStandard = await post(t.app, '/cost-codes', { code: '01-100', name: 'Again', job_site_id: '' }, { cookie })
    expect(dupStandard.status).toBe(422)
    expect(await dupStandard.text()).toContain('Cost code 01-100 already exists as a standard cost code')
    const dupSite = await post(t.app, '/cost-codes', { code: '01-100', name: 'Again', job_site_id: String(siteId) }, { cookie })
    expect(await dupSite.text()).toContain('Cost code 01-100 already exists for this job site')
    expect(await count('cost_codes')).toBe(2)
    const standardOnly = await (await get(t.app, '/cost-codes?scope=standard', { cookie, htmx: true })).text()
    expect(standardOnly).toContain('1 cost code')
  })

  it('refuses a job site that does not exist', async () => {
    const res = await post(t.app, '/cost-codes', { code: 'X', name: 'X', job_site_id: '77' }, { cookie })
    expect(res.status).toBe(422)
    expect(await res.text()).toContain('This job site no longer exists')
    expect(await count('cost_codes')).toBe(0)
  })
})

describe('departments', () => {
  it('creates, edits, and refuses a duplicate code', async () => {
    await post(t.app, '/departments', { code: 'FLD', name: 'Field' }, { cookie })
    await post(t.app, '/departments', { code: 'OFF', name: 'Office' }, { cookie })
    const off = await t.db.selectFrom('departments').select('id').where('code', '=', 'OFF').executeTakeFirstOrThrow()
    const dup = await post(t.app, `/departments/${off.id}`, { code: 'fld', name: 'Office' }, { cookie })
    expect(dup.status).toBe(422)
    expect(await dup.text()).toContain('Department code fld is already used')
    expect((await post(t.app, `/departments/${off.id}`, { code: 'ADM', name: 'Administration' }, { cookie })).status).toBe(303)
    expect((await t.db.selectFrom('departments').select('code').where('id', '=', off.id).executeTakeFirstOrThrow()).code).toBe('ADM')
  })

  it('returns the edit form fragment with 422 to htmx', async () => {
    const res = await post(t.app, '/departments', { code: '', name: '' }, { cookie, htmx: true })
    expect(res.status).toBe(422)
    const html = await res.text()
    expect(html.startsWith('<form')).toBe(true)
    expect(html).toContain('Code is required')
  })
})

describe('pay IDs', () => {
  const payId = (code: string) => t.db.selectFrom('pay_ids').selectAll().where('code', '=', code).executeTakeFirst()

  it('adds, renames and removes a leave pay ID', async () => {
    expect((await post(t.app, '/pay-ids', { code: 'pto', name: 'Paid time off' }, { cookie })).status).toBe(303)
    const pto = (await payId('PTO'))!
    expect(pto.kind).toBe('leave')
    expect((await post(t.app, `/pay-ids/${pto.id}`, { code: 'PTO', name: 'PTO' }, { cookie })).status).toBe(303)
    expect((await payId('PTO'))!.name).toBe('PTO')
    expect((await post(t.app, `/pay-ids/${pto.id}/delete`, {}, { cookie })).status).toBe(303)
    expect(await payId('PTO')).toBeUndefined()
  })

  it('keeps fixed pay IDs and VAC', async () => {
    const reg = (await payId('REG'))!
    const vac = (await payId('VAC'))!
    const edit = await post(t.app, `/pay-ids/${reg.id}`, { code: 'REG', name: 'Changed' }, { cookie })
    expect(edit.status).toBe(422)
    expect(await edit.text()).toContain('Only leave pay IDs can be edited')
    await post(t.app, `/pay-ids/${reg.id}/delete`, {}, { cookie })
    await post(t.app, `/pay-ids/${vac.id}/delete`, {}, { cookie })
    expect(await payId('REG')).toMatchObject({ name: 'Regular' })
    expect(await payId('VAC')).toBeDefined()
    const recode = await post(t.app, `/pay-ids/${vac.id}`, { code: 'HOLIDAY', name: 'Vacation' }, { cookie })
    expect(await recode.text()).toContain('The code of VAC cannot change')
    expect((await post(t.app, `/pay-ids/${vac.id}`, { code: 'VAC', name: 'Vacation pay' }, { cookie })).status).toBe(303)
    const page = await (await get(t.app, '/pay-ids', { cookie })).text()
    expect(page).toContain('Vacation pay')
    expect(page).not.toContain(`/pay-ids/${vac.id}/delete`)
  })

  it('refuses a bad or duplicate code', async () => {
    const bad = await post(t.app, '/pay-ids', { code: 'a b', name: '' }, { cookie })
    expect(bad.status).toBe(422)
    expect(await bad.text()).toContain('Code must be 2 to 12 letters')
    const dup = await post(t.app, '/pay-ids', { code: 'sic', name: 'Sick again' }, { cookie })
    expect(await dup.text()).toContain('Pay ID SIC already exists')
    expect(await t.db.selectFrom('pay_ids').select('id').execute()).toHaveLength(12)
  })
})
