import type { Db } from '../db/database.js'
import { employeeChoices } from '../employees/choices.js'

// What the Time entries pages read: a period's entries a page at a time, one entry, and the form's choices.

/** Time entries shown per page. */
const ENTRIES_PAGE_SIZE = 200

export const getTimeEntry = (db: Db, id: number) => db.selectFrom('time_entries').selectAll().where('id', '=', id).executeTakeFirst()

/** A period's entries (of one employee, if given), a page at a time, with the count and minutes of all of them. */
export async function periodEntries(db: Db, period: { start: string; end: string }, filter: { employeeId: number | null; page: number }) {
  let q = db
    .selectFrom('time_entries as t')
    .innerJoin('employees as e', 'e.id', 't.employee_id')
    .leftJoin('job_sites as j', 'j.id', 't.job_site_id')
    .leftJoin('cost_codes as cc', 'cc.id', 't.cost_code_id')
    .leftJoin('departments as d', 'd.id', 't.department_id')
    .select([
      't.id',
      't.date',
      't.start_time',
      't.end_time',
      't.minutes',
      't.pay_id',
      't.note',
      'e.first_name',
      'e.last_name',
      'j.number as job_number',
      'j.name as job_name',
      'cc.code as cost_code',
      'd.code as department',
    ])
    .where('t.date', '>=', period.start)
    .where('t.date', '<=', period.end)
  if (filter.employeeId) q = q.where('t.employee_id', '=', filter.employeeId)
  // The period's time, a page at a time (a large company enters more than a page can hold); the total is of all of it.
  const all = await q
    .clearSelect()
    .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.sum<number>('t.minutes').as('minutes')])
    .executeTakeFirstOrThrow()
  const pages = Math.max(1, Math.ceil(Number(all.n) / ENTRIES_PAGE_SIZE))
  const page = Math.min(Math.max(1, filter.page), pages)
  const rows = (
    await q
      .orderBy('t.date')
      .orderBy('e.last_name')
      .orderBy('t.start_time')
      .orderBy('t.id')
      .limit(ENTRIES_PAGE_SIZE)
      .offset((page - 1) * ENTRIES_PAGE_SIZE)
      .execute()
  ).map((r) => ({
    ...r,
    employee: `${r.last_name}, ${r.first_name}`,
    job_site: r.job_number ? `${r.job_number} ${r.job_name}` : null,
  }))
  return { rows, page, pages, entries: Number(all.n), minutes: Number(all.minutes ?? 0) }
}

/** The form's choices; employees are a few (the picker finds the others), the chosen ones among them. */
export async function entryOptions(db: Db, selectedEmployee?: string) {
  const employees = await employeeChoices(db, { selected: selectedEmployee })
  const jobSites = await db.selectFrom('job_sites').select(['id', 'number', 'name']).where('status', '=', 'active').orderBy('number').execute()
  const costCodes = await db
    .selectFrom('cost_codes')
    .leftJoin('job_sites', 'job_sites.id', 'cost_codes.job_site_id')
    .select(['cost_codes.id', 'cost_codes.code', 'cost_codes.name', 'job_sites.number as job'])
    .orderBy('cost_codes.code')
    .execute()
  const departments = await db.selectFrom('departments').select(['id', 'code', 'name']).orderBy('code').execute()
  const payIds = await db.selectFrom('pay_ids').select(['code', 'name']).orderBy('position').execute()
  return {
    employees,
    jobSites: jobSites.map((j) => ({ value: String(j.id), label: `${j.number} ${j.name}` })),
    costCodes: costCodes.map((cc) => ({ value: String(cc.id), label: `${cc.code} ${cc.name}${cc.job ? ` (job ${cc.job})` : ''}` })),
    departments: departments.map((d) => ({ value: String(d.id), label: `${d.code} ${d.name}` })),
    payIds: payIds.map((p) => ({ value: p.code, label: `${p.code} ${p.name}` })),
  }
}
