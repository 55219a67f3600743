import type { Db } from '../db/database.js'
import { recordAudit, type Actor } from '../audit/audit-log.js'
import { classify, workWeekOf, type WorkedEntry } from './pay-policy.js'
import type { Period } from './pay-periods.js'
import type { PayrollSettings } from './payroll-settings.js'

// A pay period as payroll sees it: each employee's hours per pay ID, worked hours split by the pay
// policy, and its lines per day, job site and cost code; and its approval, which locks it.

/** One line of payroll: minutes of one pay ID, for one employee, day, job site and cost code. */
export type PayrollLine = {
  entryId: number
  date: string
  payId: string
  minutes: number
  jobSite: string | null
  jobNumber: string | null
  costCode: string | null
  department: string | null
  jobSiteId: number | null
  costCodeId: number | null
  departmentId: number | null
}

export type EmployeePayroll = { employeeId: number; name: string; number: string | null; totals: Record<string, number>; minutes: number; lines: PayrollLine[] }

export type PeriodSummary = { period: Period; status: 'open' | 'approved'; approvedAt: string | null; employees: EmployeePayroll[]; payIds: string[] }

/** Entries entered as REG are worked time the policy splits; every other pay ID is paid as entered. */
const WORKED = 'REG'

export async function periodSummary(db: Db, settings: PayrollSettings, period: Period): Promise<PeriodSummary> {
  // Overtime is counted per work week, in time order: the days of the week before the period
  // count towards it (a semi-monthly period starts mid-week); the days after it cannot.
  const from = workWeekOf(period.start, settings.policy.workWeekStart)
  const to = period.end
  // The entries alone, and names from small lookups: joining them into 40,000 rows costs more.
  const rows = await db
    .selectFrom('time_entries')
    .select(['id', 'employee_id', 'date', 'start_time', 'minutes', 'pay_id', 'job_site_id', 'cost_code_id', 'department_id'])
    .where('date', '>=', from)
    .where('date', '<=', to)
    .orderBy('date') // the (date, employee_id) index's own order: no sort
    .execute()
  const people = new Map((await db.selectFrom('employees').select(['id', 'first_name', 'last_name', 'employee_number']).execute()).map((e) => [e.id, e]))
  const jobs = new Map(
    (await db.selectFrom('job_sites').select(['id', 'number', 'name']).execute()).map((j) => [j.id, { number: j.number, label: `${j.number} ${j.name}` }]),
  )
  const codes = new Map((await db.selectFrom('cost_codes').select(['id', 'code']).execute()).map((c) => [c.id, c.code]))
  const departments = new Map((await db.selectFrom('departments').select(['id', 'code']).execute()).map((d) => [d.id, d.code]))
  const byEmployee = new Map<number, typeof rows>()
  for (const r of rows) {
    const list = byEmployee.get(r.employee_id)
    if (list) list.push(r)
    else byEmployee.set(r.employee_id, [r])
  }
  const payIds = new Set<string>()
  const employees: EmployeePayroll[] = []
  for (const [employeeId, entries] of byEmployee) {
    const worked: WorkedEntry[] = entries.filter((e) => e.pay_id === WORKED).map((e) => ({ id: e.id, date: e.date, start: e.start_time, minutes: e.minutes }))
    const splits = classify(worked, settings.policy)
    const lines: PayrollLine[] = []
    for (const e of entries) {
      if (e.date < period.start || e.date > period.end) continue
      const job = e.job_site_id ? jobs.get(e.job_site_id) : undefined
      const costCode = e.cost_code_id ? (codes.get(e.cost_code_id) ?? null) : null
      const department = e.department_id ? (departments.get(e.department_id) ?? null) : null
      const add = (payId: string, minutes: number) => {
        if (minutes > 0)
          lines.push({
            entryId: e.id,
            date: e.date,
            payId,
            minutes,
            jobSite: job?.label ?? null,
            jobNumber: job?.number ?? null,
            costCode,
            department,
            jobSiteId: e.job_site_id,
            costCodeId: e.cost_code_id,
            departmentId: e.department_id,
          })
      }
      if (e.pay_id !== WORKED) add(e.pay_id, e.minutes)
      else {
        const split = splits.get(e.id)!
        add('REG', split.REG)
        add('OT', split.OT)
        add('DT', split.DT)
      }
    }
    if (lines.length === 0) continue
    const totals: Record<string, number> = {}
    for (const l of lines) {
      totals[l.payId] = (totals[l.payId] ?? 0) + l.minutes
      payIds.add(l.payId)
    }
    const person = people.get(employeeId)!
    employees.push({
      employeeId,
      name: `${person.last_name}, ${person.first_name}`,
      number: person.employee_number,
      totals,
      minutes: lines.reduce((s, l) => s + l.minutes, 0),
      lines,
    })
  }
  employees.sort((a, b) => a.name.localeCompare(b.name))
  const state = await db.selectFrom('pay_periods').selectAll().where('start_date', '=', period.start).executeTakeFirst()
  const order = ['REG', 'OT', 'DT']
  return {
    period,
    status: state?.status ?? 'open',
    approvedAt: state?.approved_at ?? null,
    employees,
    payIds: [...payIds].sort((a, b) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99) || a.localeCompare(b)),
  }
}

/** Approves and locks a period: its time can no longer be added, changed or deleted. */
export async function approvePeriod(db: Db, actor: Actor, period: Period): Promise<{ ok: true } | { ok: false; error: string }> {
  return db.transaction().execute(async (trx) => {
    const state = await trx.selectFrom('pay_periods').select('status').where('start_date', '=', period.start).executeTakeFirst()
    if (state?.status === 'approved') return { ok: false, error: `The period ${period.start} to ${period.end} is already approved.` }
    const now = new Date().toISOString()
    const values = { status: 'approved' as const, approved_by: actor.userId, approved_at: now, updated_at: now }
    await trx
      .insertInto('pay_periods')
      .values({ start_date: period.start, end_date: period.end, ...values })
      .onConflict((oc) => oc.column('start_date').doUpdateSet(values))
      .execute()
    await recordAudit(trx, actor, {
      action: 'payroll.approve',
      entityType: 'pay_period',
      entityId: period.start,
      summary: `Approved and locked the pay period ${period.start} to ${period.end}`,
    })
    return { ok: true }
  })
}

/** Unlocks an approved period so its time can be corrected; the reason goes into the audit log. */
export async function unlockPeriod(db: Db, actor: Actor, period: Period, reason: string): Promise<{ ok: true } | { ok: false; error: string }> {
  const why = reason.trim()
  if (why.length < 5) return { ok: false, error: 'Say why the period is unlocked (at least 5 characters); it is kept in the audit log.' }
  if (why.length > 500) return { ok: false, error: 'The reason must be at most 500 characters.' }
  return db.transaction().execute(async (trx) => {
    const state = await trx.selectFrom('pay_periods').select('status').where('start_date', '=', period.start).executeTakeFirst()
    if (state?.status !== 'approved') return { ok: false, error: `The period ${period.start} to ${period.end} is not approved.` }
    await trx.updateTable('pay_periods').set({ status: 'open', updated_at: new Date().toISOString() }).where('start_date', '=', period.start).execute()
    await recordAudit(trx, actor, {
      action: 'payroll.unlock',
      entityType: 'pay_period',
      entityId: period.start,
      summary: `Unlocked the pay period ${period.start} to ${period.end}: ${why}`,
      after: { reason: why },
    })
    return { ok: true }
  })
}
