import { formatMinutes } from '../lib/format.js'
import { z } from 'zod'
import type { Db } from '../db/database.js'
import type { TimeEntrySource } from '../db/schema.js'
import { recordAudit, type Actor } from '../audit/audit-log.js'
import { field, type FieldErrors, type FormValues } from '../lib/validation.js'

// Time entries: an employee's hours on a day, with where (job site, cost code, department) and as
// what (pay ID). Every save checks the whole day of that employee: no overlap, no more than 24 h,
// nothing in an approved (locked) period.

const TIME = /^([01]\d|2[0-3]):[0-5]\d$/
const toMinutes = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5))

const optionalTime = (label: string) =>
  z
    .preprocess(
      (v) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined),
      z.string().regex(TIME, `${label} must be a time such as 07:30`).optional(),
    )
    .transform((v) => v ?? null)

export const timeEntrySchema = z
  .object({
    employee_id: z.coerce.number({ error: 'Choose an employee' }).int().positive('Choose an employee'),
    date: field.optionalDate('Date').refine((v) => v !== null, 'Date is required'),
    start_time: optionalTime('Start'),
    end_time: optionalTime('End'),
    hours: z
      .preprocess(
        (v) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined),
        z.coerce.number({ error: 'Hours must be a number such as 7.5' }).positive('Hours must be more than 0').max(24, 'Hours must be at most 24').optional(),
      )
      .transform((v) => v ?? null),
    job_site_id: field.optionalId('job site'),
    cost_code_id: field.optionalId('cost code'),
    department_id: field.optionalId('department'),
    pay_id: field.required('Pay ID', 20).transform((v) => v.toUpperCase()),
    note: field.optional('Note', 500),
  })
  .superRefine((v, ctx) => {
    if ((v.start_time === null) !== (v.end_time === null))
      ctx.addIssue({ code: 'custom', path: [v.start_time ? 'end_time' : 'start_time'], message: 'Give both start and end, or neither and the hours' })
    else if (v.start_time && v.end_time && toMinutes(v.end_time) <= toMinutes(v.start_time))
      ctx.addIssue({ code: 'custom', path: ['end_time'], message: 'End must be after start (an entry past midnight is two entries, one per day)' })
    else if (!v.start_time && v.hours === null) ctx.addIssue({ code: 'custom', path: ['hours'], message: 'Give the hours, or a start and an end' })
  })

export type TimeEntryInput = z.output<typeof timeEntrySchema>

/** The minutes an entry counts: from its start and end, else from its hours (to the minute). */
export function minutesOf(input: Pick<TimeEntryInput, 'start_time' | 'end_time' | 'hours'>): number {
  if (input.start_time && input.end_time) return toMinutes(input.end_time) - toMinutes(input.start_time)
  return Math.round((input.hours ?? 0) * 60)
}

export type SaveResult = { ok: true; id: number } | { ok: false; errors: FieldErrors }

/** Reads, checks and saves an entry (new, or `id` to change one); every refusal says which field and why. */
export async function saveTimeEntry(
  db: Db,
  actor: Actor,
  values: FormValues | Record<string, unknown>,
  opts: { id?: number; source: TimeEntrySource },
): Promise<SaveResult> {
  const parsed = timeEntrySchema.safeParse(values)
  if (!parsed.success) return { ok: false, errors: fieldErrors(parsed.error.issues) }
  return db.transaction().execute((trx) => saveParsed(trx, actor, parsed.data, opts))
}

/** Saves an entry inside the caller's transaction (an import saves many in one). */
export async function saveInTransaction(
  trx: Db,
  actor: Actor,
  values: FormValues | Record<string, unknown>,
  opts: { id?: number; source: TimeEntrySource },
): Promise<SaveResult> {
  const parsed = timeEntrySchema.safeParse(values)
  if (!parsed.success) return { ok: false, errors: fieldErrors(parsed.error.issues) }
  return saveParsed(trx, actor, parsed.data, opts)
}

function fieldErrors(issues: { path: PropertyKey[]; message: string }[]): FieldErrors {
  const errors: FieldErrors = {}
  for (const issue of issues) errors[String(issue.path[0] ?? '_form')] ??= issue.message
  return errors
}

async function saveParsed(trx: Db, actor: Actor, input: TimeEntryInput, opts: { id?: number; source: TimeEntrySource }): Promise<SaveResult> {
  const existing = opts.id ? await trx.selectFrom('time_entries').selectAll().where('id', '=', opts.id).executeTakeFirst() : undefined
  if (opts.id && !existing) return { ok: false, errors: { _form: 'This time entry does not exist (it may have been deleted).' } }
  const errors = await checkEntry(trx, input, opts.id ?? null)
  if (existing && !errors.date) {
    const locked = await lockedPeriod(trx, existing.date)
    if (locked) errors.date = `The entry is in the approved period ${locked}; unlock the period on the Payroll tab to change it`
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors }
  const now = new Date().toISOString()
  const row = {
    employee_id: input.employee_id,
    date: input.date!,
    start_time: input.start_time,
    end_time: input.end_time,
    minutes: minutesOf(input),
    job_site_id: input.job_site_id,
    cost_code_id: input.cost_code_id,
    department_id: input.department_id,
    pay_id: input.pay_id,
    note: input.note,
    updated_at: now,
  }
  let id: number
  if (existing) {
    await trx.updateTable('time_entries').set(row).where('id', '=', existing.id).execute()
    id = existing.id
  } else {
    id = (
      await trx
        .insertInto('time_entries')
        .values({ ...row, source: opts.source, created_by: actor.userId, created_at: now })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id
  }
  await recordAudit(trx, actor, {
    action: existing ? 'time_entry.update' : 'time_entry.create',
    entityType: 'time_entry',
    entityId: id,
    summary: `${existing ? 'Changed' : 'Entered'} ${formatMinutes(row.minutes)} h of ${row.pay_id} on ${row.date} for employee #${row.employee_id}`,
    before: existing,
    after: row,
  })
  return { ok: true, id }
}

/** What is wrong with an entry against the rest of the data: references, the locked period, the employee's day. */
async function checkEntry(db: Db, input: TimeEntryInput, selfId: number | null): Promise<FieldErrors> {
  const errors: FieldErrors = {}
  const employee = await db.selectFrom('employees').select(['id', 'status']).where('id', '=', input.employee_id).executeTakeFirst()
  if (!employee) errors.employee_id = `Employee #${input.employee_id} does not exist`
  const payId = await db.selectFrom('pay_ids').select('code').where('code', '=', input.pay_id).executeTakeFirst()
  if (!payId) errors.pay_id = `Pay ID ${input.pay_id} does not exist; see Payroll > Pay IDs`
  if (input.job_site_id && !(await db.selectFrom('job_sites').select('id').where('id', '=', input.job_site_id).executeTakeFirst()))
    errors.job_site_id = `Job site #${input.job_site_id} does not exist`
  if (input.department_id && !(await db.selectFrom('departments').select('id').where('id', '=', input.department_id).executeTakeFirst()))
    errors.department_id = `Department #${input.department_id} does not exist`
  if (input.cost_code_id) {
    const code = await db.selectFrom('cost_codes').select(['id', 'job_site_id']).where('id', '=', input.cost_code_id).executeTakeFirst()
    if (!code) errors.cost_code_id = `Cost code #${input.cost_code_id} does not exist`
    else if (code.job_site_id !== null && code.job_site_id !== input.job_site_id) errors.cost_code_id = 'This cost code belongs to another job site'
  }
  const locked = await lockedPeriod(db, input.date!)
  if (locked) errors.date = `${input.date} is in the approved period ${locked}; unlock the period on the Payroll tab to add or change time in it`
  if (!employee || errors.date) return errors
  const day = await db
    .selectFrom('time_entries')
    .select(['id', 'start_time', 'end_time', 'minutes'])
    .where('employee_id', '=', input.employee_id)
    .where('date', '=', input.date!)
    .execute()
  const others = day.filter((e) => e.id !== selfId)
  const minutes = minutesOf(input)
  const total = others.reduce((s, e) => s + e.minutes, 0) + minutes
  if (total > 24 * 60) errors.hours = `This makes ${formatMinutes(total)} h on ${input.date} for this employee: a day holds at most 24 h`
  if (input.start_time && input.end_time) {
    const [a, b] = [toMinutes(input.start_time), toMinutes(input.end_time)]
    const clash = others.find((e) => e.start_time && e.end_time && toMinutes(e.start_time) < b && a < toMinutes(e.end_time))
    if (clash) errors.start_time = `Overlaps the entry ${clash.start_time}-${clash.end_time} on ${input.date}`
  }
  return errors
}

/** The approved period holding a date, as "start to end", or null when the date is open. */
export async function lockedPeriod(db: Db, date: string): Promise<string | null> {
  const p = await db
    .selectFrom('pay_periods')
    .select(['start_date', 'end_date'])
    .where('status', '=', 'approved')
    .where('start_date', '<=', date)
    .where('end_date', '>=', date)
    .executeTakeFirst()
  return p ? `${p.start_date} to ${p.end_date}` : null
}

export async function deleteTimeEntry(db: Db, actor: Actor, id: number): Promise<{ ok: true } | { ok: false; error: string }> {
  return db.transaction().execute(async (trx) => {
    const entry = await trx.selectFrom('time_entries').selectAll().where('id', '=', id).executeTakeFirst()
    if (!entry) return { ok: false, error: 'This time entry does not exist (it may have been deleted already).' }
    const locked = await lockedPeriod(trx, entry.date)
    if (locked) return { ok: false, error: `The entry is in the approved period ${locked}; unlock the period on the Payroll tab to delete it.` }
    await trx.deleteFrom('time_entries').where('id', '=', id).execute()
    await recordAudit(trx, actor, {
      action: 'time_entry.delete',
      entityType: 'time_entry',
      entityId: id,
      summary: `Deleted ${formatMinutes(entry.minutes)} h of ${entry.pay_id} on ${entry.date}`,
      before: entry,
    })
    return { ok: true }
  })
}
