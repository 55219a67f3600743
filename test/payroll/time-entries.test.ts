import { beforeEach, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../helpers/test-app.js'
import { actor } from '../helpers/hub.js'
import { deleteTimeEntry, saveTimeEntry } from '../../src/time-entries/service.js'

let t: TestApp
let employeeId: number
let jobSiteId: number
let otherJobCode: number

beforeEach(async () => {
  t = await createTestApp()
  const now = new Date().toISOString()
  employeeId = (
    await t.db
      .insertInto('employees')
      .values({ first_name: 'Ana', last_name: 'Garcia', pay_group: 'HOURLY', status: 'active', created_at: now, updated_at: now })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id
  jobSiteId = (
    await t.db
      .insertInto('job_sites')
      .values({ number: '100', name: 'Harbor View', status: 'active', created_at: now, updated_at: now })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id
  const other = (
    await t.db
      .insertInto('job_sites')
      .values({ number: '200', name: 'Elm St', status: 'active', created_at: now, updated_at: now })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id
  otherJobCode = (
    await t.db
      .insertInto('cost_codes')
      .values({ code: '01-100', name: 'Framing', job_site_id: other, created_at: now, updated_at: now })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id
})

const entry = (over: Record<string, string> = {}) => ({
  employee_id: String(employeeId),
  date: '2024-06-03',
  start_time: '07:00',
  end_time: '15:30',
  hours: '',
  job_site_id: String(jobSiteId),
  cost_code_id: '',
  department_id: '',
  pay_id: 'reg',
  note: '',
  ...over,
})
const save = (over: Record<string, string> = {}, id?: number) => saveTimeEntry(t.db, actor, entry(over), { id, source: 'manual' })
const count = async () => (await t.db.selectFrom('time_entries').select('id').execute()).length

describe('time entries', () => {
  it('saves an entry from start and end, or from hours, and audits it', async () => {
    const a = await save()
    expect(a.ok).toBe(true)
    const b = await save({ start_time: '', end_time: '', hours: '1.25', date: '2024-06-04' })
    expect(b.ok).toBe(true)
    const rows = await t.db.selectFrom('time_entries').select(['minutes', 'pay_id', 'source']).orderBy('id').execute()
    expect(rows).toEqual([
      { minutes: 510, pay_id: 'REG', source: 'manual' },
      { minutes: 75, pay_id: 'REG', source: 'manual' },
    ])
    expect((await t.db.selectFrom('audit_log').select('action').where('action', 'like', 'time_entry.%').execute()).length).toBe(2)
  })

  it('refuses end before start, half a time range, no hours, more than 24 h, with the field and nothing written', async () => {
    expect(await save({ end_time: '06:00' })).toEqual({ ok: false, errors: { end_time: expect.stringContaining('End must be after start') } })
    expect(await save({ end_time: '' })).toEqual({ ok: false, errors: { end_time: expect.stringContaining('both start and end') } })
    expect(await save({ start_time: '', end_time: '', hours: '' })).toEqual({ ok: false, errors: { hours: expect.stringContaining('Give the hours') } })
    expect(await save({ start_time: '', end_time: '', hours: '25' })).toEqual({ ok: false, errors: { hours: 'Hours must be at most 24' } })
    expect(await save({ start_time: '7am' })).toEqual({ ok: false, errors: { start_time: 'Start must be a time such as 07:30' } })
    expect(await save({ date: '2024-02-30' })).toMatchObject({ ok: false, errors: { date: 'Date is not a real calendar date' } })
    expect(await count()).toBe(0)
  })

  it('refuses overlapping entries and a day over 24 h for one employee', async () => {
    await save()
    expect(await save({ start_time: '15:00', end_time: '18:00' })).toEqual({
      ok: false,
      errors: { start_time: 'Overlaps the entry 07:00-15:30 on 2024-06-03' },
    })
    expect((await save({ start_time: '15:30', end_time: '18:00' })).ok).toBe(true)
    expect(await save({ start_time: '', end_time: '', hours: '14' })).toEqual({
      ok: false,
      errors: { hours: 'This makes 25:00 h on 2024-06-03 for this employee: a day holds at most 24 h' },
    })
    expect(await count()).toBe(2)
  })

  it('refuses an unknown employee, pay ID, job site, or a cost code of another job site', async () => {
    expect(await save({ employee_id: '999' })).toMatchObject({ ok: false, errors: { employee_id: 'Employee #999 does not exist' } })
    expect(await save({ pay_id: 'BONUS' })).toMatchObject({ ok: false, errors: { pay_id: 'Pay ID BONUS does not exist; see Payroll > Pay IDs' } })
    expect(await save({ job_site_id: '999' })).toMatchObject({ ok: false, errors: { job_site_id: 'Job site #999 does not exist' } })
    expect(await save({ cost_code_id: String(otherJobCode) })).toMatchObject({
      ok: false,
      errors: { cost_code_id: 'This cost code belongs to another job site' },
    })
    expect(await count()).toBe(0)
  })

  it('nothing enters, changes or leaves an approved period', async () => {
    const saved = await save()
    if (!saved.ok) throw new Error('not saved')
    await t.db
      .insertInto('pay_periods')
      .values({
        start_date: '2024-06-03',
        end_date: '2024-06-09',
        status: 'approved',
        approved_at: new Date().toISOString(),
        updated_at: new Date().toISOString(),
      })
      .execute()
    expect(await save({ date: '2024-06-05' })).toMatchObject({
      ok: false,
      errors: { date: expect.stringContaining('approved period 2024-06-03 to 2024-06-09') },
    })
    expect(await save({ date: '2024-06-12' }, saved.id)).toMatchObject({
      ok: false,
      errors: { date: expect.stringContaining('approved period 2024-06-03 to 2024-06-09') },
    })
    expect(await deleteTimeEntry(t.db, actor, saved.id)).toMatchObject({ ok: false, error: expect.stringContaining('unlock the period') })
    expect(await t.db.selectFrom('time_entries').select(['date', 'minutes']).execute()).toEqual([{ date: '2024-06-03', minutes: 510 }])
  })

  it('edits and deletes an entry in an open period', async () => {
    const saved = await save()
    if (!saved.ok) throw new Error('not saved')
    expect((await save({ end_time: '16:00' }, saved.id)).ok).toBe(true)
    expect((await t.db.selectFrom('time_entries').select('minutes').executeTakeFirstOrThrow()).minutes).toBe(540)
    expect(await deleteTimeEntry(t.db, actor, saved.id)).toEqual({ ok: true })
    expect(await deleteTimeEntry(t.db, actor, saved.id)).toMatchObject({ ok: false })
    expect(await count()).toBe(0)
  })
})

describe('employee pickers that never list the whole company', () => {
  it('offers 20 employees at a time, finds others by name or number, and keeps the chosen one', async () => {
    const now = new Date().toISOString()
    await t.db
      .insertInto('employees')
      .values(
        Array.from({ length: 300 }, (_, i) => ({
          first_name: `Crew${i}`,
          last_name: `Person${String(i).padStart(3, '0')}`,
          employee_number: String(7000 + i),
          pay_group: 'HOURLY',
          status: 'active' as const,
          created_at: now,
          updated_at: now,
        })),
      )
      .execute()
    const { signInAs } = await import('../helpers/test-app.js')
    const { get } = await import('../helpers/requests.js')
    const { cookie } = await signInAs(t.db, 'admin')
    const options = (html: string) => [...html.matchAll(/<option value="(\d*)"[^>]*>([^<]*)</g)].map((m) => m[2]!)
    const first = options(await (await get(t.app, '/employees/choices', { cookie })).text())
    expect(first).toHaveLength(21)
    expect(first[0]).toBe('Choose…')
    const found = options(await (await get(t.app, '/employees/choices?employee_search=7250&empty=Everyone', { cookie })).text())
    expect(found).toEqual(['Everyone', 'Person250, Crew250 (7250)'])
    const keep = options(await (await get(t.app, `/employees/choices?employee_search=Person001&selected=${employeeId}`, { cookie })).text())
    expect(keep.slice(1)).toEqual(['Garcia, Ana', 'Person001, Crew1 (7001)'])
    const page = await (await get(t.app, '/time-entries?period=2024-06-03', { cookie })).text()
    expect(options(page).filter((o) => o.includes('Person')).length).toBeLessThanOrEqual(40)
    expect(page.length).toBeLessThan(100_000)
    expect((await get(t.app, '/employees/choices?employee_search=x')).status).toBe(303)
  })
})

describe('the time entries page of a large company', () => {
  it('shows 200 entries a page, with the total of the whole period', async () => {
    const now = new Date().toISOString()
    const ids = (
      await t.db
        .insertInto('employees')
        .values(
          Array.from({ length: 150 }, (_, i) => ({
            first_name: `Crew${i}`,
            last_name: `Person${String(i).padStart(3, '0')}`,
            employee_number: String(8000 + i),
            pay_group: 'HOURLY',
            status: 'active' as const,
            created_at: now,
            updated_at: now,
          })),
        )
        .returning('id')
        .execute()
    ).map((r) => r.id)
    for (const id of ids)
      for (const day of ['03', '04', '05']) {
        const saved = await saveTimeEntry(
          t.db,
          actor,
          { ...entry(), employee_id: String(id), date: `2024-06-${day}`, start_time: '', end_time: '', hours: '1', job_site_id: '' },
          { source: 'manual' },
        )
        if (!saved.ok) throw new Error(JSON.stringify(saved.errors))
      }
    const { signInAs } = await import('../helpers/test-app.js')
    const { get } = await import('../helpers/requests.js')
    const { cookie } = await signInAs(t.db, 'admin')
    const rows = (html: string) => (html.split('<tbody>')[1]?.split('</tbody>')[0]?.match(/<tr>/g) ?? []).length
    const first = await (await get(t.app, '/time-entries?period=2024-06-03', { cookie })).text()
    expect(rows(first)).toBe(200)
    expect(first).toContain('450 entries in the period')
    expect(first).toContain('<td>450:00</td>')
    expect(first).toContain('Page 1 of 3')
    const last = await (await get(t.app, '/time-entries?period=2024-06-03&page=3', { cookie })).text()
    expect(rows(last)).toBe(50)
  })
})
