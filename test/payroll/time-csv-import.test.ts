import { beforeEach, describe, expect, it } from 'vitest'
import { createTestApp, signInAs, type TestApp } from '../helpers/test-app.js'
import { actor } from '../helpers/hub.js'
import { importTimeCsv } from '../../src/time-entries/csv-import.js'

let t: TestApp

beforeEach(async () => {
  t = await createTestApp()
  const now = new Date().toISOString()
  await t.db
    .insertInto('employees')
    .values([
      { first_name: 'Ana', last_name: 'Garcia', employee_number: '1001', pay_group: 'HOURLY', status: 'active', created_at: now, updated_at: now },
      { first_name: 'Ken', last_name: 'Ito', employee_number: '1002', pay_group: 'HOURLY', status: 'active', created_at: now, updated_at: now },
    ])
    .execute()
  const job = (
    await t.db
      .insertInto('job_sites')
      .values({ number: '100', name: 'Harbor View', status: 'active', created_at: now, updated_at: now })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id
  await t.db
    .insertInto('cost_codes')
    .values([
      { code: '01-100', name: 'Framing', job_site_id: null, created_at: now, updated_at: now },
      { code: '02-200', name: 'Drywall', job_site_id: job, created_at: now, updated_at: now },
    ])
    .execute()
})

const csv = (...rows: string[]) => ({
  filename: 'time.csv',
  content: Buffer.from(['Employee number,Date,Start,End,Hours,Job site,Cost code,Department,Pay ID,Note', ...rows].join('\n')),
})
const count = async () => (await t.db.selectFrom('time_entries').select('id').execute()).length

describe('importing time from a file', () => {
  it('imports every row, resolving employees, job sites and cost codes by number and code', async () => {
    const result = await importTimeCsv(
      t.db,
      actor,
      csv('1001,2024-06-03,07:00,15:30,,100,02-200,,REG,', '1002,2024-06-03,,,8,,01-100,,reg,rain day', '1001,2024-06-04,,,8,,,,VAC,'),
    )
    expect(result).toEqual({ ok: true, imported: 3 })
    const rows = await t.db.selectFrom('time_entries').select(['minutes', 'pay_id', 'source', 'note']).orderBy('id').execute()
    expect(rows).toEqual([
      { minutes: 510, pay_id: 'REG', source: 'csv', note: null },
      { minutes: 480, pay_id: 'REG', source: 'csv', note: 'rain day' },
      { minutes: 480, pay_id: 'VAC', source: 'csv', note: null },
    ])
  })

  it('imports nothing when a row is bad, and lists every bad row with its reason', async () => {
    const result = await importTimeCsv(
      t.db,
      actor,
      csv(
        '1001,2024-06-03,07:00,15:30,,,,,REG,',
        '9999,2024-06-03,,,8,,,,REG,',
        '1001,2024-06-03,15:00,16:00,,,,,REG,',
        '1002,2024-06-03,,,8,,02-200,,REG,',
        '1002,2024-06-04,,,8,,,,PTO,',
        '1002,2024-13-01,,,8,,,,REG,',
      ),
    )
    expect(result).toEqual({
      ok: false,
      errors: [
        { row: 3, message: 'No employee has the number "9999"' },
        { row: 4, message: 'Start: Overlaps the entry 07:00-15:30 on 2024-06-03' },
        { row: 5, message: 'Cost code "02-200" does not exist' },
        { row: 6, message: 'Pay ID: Pay ID PTO does not exist; see Payroll > Pay IDs' },
        { row: 7, message: 'Date: Date is not a real calendar date' },
      ],
    })
    expect(await count()).toBe(0)
  })

  it('refuses a file without the needed columns, an empty one, or one that is not CSV', async () => {
    expect(await importTimeCsv(t.db, actor, { filename: 'x.csv', content: Buffer.from('Name,Hours\nAna,8') })).toEqual({
      ok: false,
      errors: [{ row: 1, message: expect.stringContaining('no Employee number, Date, Pay ID column') }],
    })
    expect(await importTimeCsv(t.db, actor, csv())).toEqual({ ok: false, errors: [{ row: 0, message: expect.stringMatching(/no rows|no data|empty/i) }] })
    expect((await importTimeCsv(t.db, actor, { filename: 'x.pdf', content: Buffer.from('%PDF') })).ok).toBe(false)
    expect(await count()).toBe(0)
  })

  it('takes the file through the Time entries page', async () => {
    const { cookie } = await signInAs(t.db, 'admin')
    const form = new FormData()
    form.append('file', new File(['Employee number,Date,Hours,Pay ID\n1001,2024-06-03,8,REG\n'], 'time.csv', { type: 'text/csv' }))
    const res = await t.app.request('http://localhost/time-entries/import?period=2024-06-03', {
      method: 'POST',
      body: form,
      headers: { cookie, 'sec-fetch-site': 'same-origin' },
    })
    expect(res.status).toBe(303)
    expect(await count()).toBe(1)
    const bad = new FormData()
    bad.append('file', new File(['Employee number,Date,Hours,Pay ID\n7777,2024-06-03,8,REG\n'], 'time.csv', { type: 'text/csv' }))
    const refused = await t.app.request('http://localhost/time-entries/import?period=2024-06-03', {
      method: 'POST',
      body: bad,
      headers: { cookie, 'sec-fetch-site': 'same-origin' },
    })
    expect(refused.status).toBe(422)
    expect(await refused.text()).toContain('Row 2: No employee has the number &quot;7777&quot;')
    expect(await count()).toBe(1)
  })
})
