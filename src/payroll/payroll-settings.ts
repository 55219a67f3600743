import { z } from 'zod'
import type { Db } from '../db/database.js'
import { recordAudit, type Actor } from '../audit/audit-log.js'
import { field } from '../lib/validation.js'
import { getSettings } from '../settings/service.js'
import { DEFAULT_PAY_POLICY, type PayPolicy } from './pay-policy.js'
import { PAY_FREQUENCIES, type PaySchedule } from './pay-periods.js'

// The pay policy and the pay schedule, kept as one JSON value under the key "payroll" of the
// settings table. The work week's first day is the general setting of that name.

const KEY = 'payroll'

export type PayrollSettings = { policy: PayPolicy; schedule: PaySchedule }

const hours = (label: string, max: number) =>
  z.coerce
    .number({ error: `${label} must be a number of hours` })
    .positive(`${label} must be more than 0`)
    .max(max, `${label} must be at most ${max}`)

/** The Payroll settings form: hours as the admin types them. */
export const payrollSettingsSchema = z
  .object({
    weeklyOvertimeHours: hours('Weekly overtime after', 168),
    dailyOvertime: field.checkbox(),
    dailyOvertimeHours: hours('Daily overtime after', 24),
    dailyDoubleTime: field.checkbox(),
    dailyDoubleTimeHours: hours('Daily double time after', 24),
    seventhDayRule: field.checkbox(),
    frequency: field.choice('Pay frequency', PAY_FREQUENCIES),
    anchor: field.optionalDate('First day of a pay period'),
  })
  .superRefine((v, ctx) => {
    if (v.dailyOvertime && v.dailyDoubleTime && v.dailyDoubleTimeHours <= v.dailyOvertimeHours)
      ctx.addIssue({ code: 'custom', path: ['dailyDoubleTimeHours'], message: 'Daily double time must start after daily overtime' })
    if (v.frequency !== 'semi-monthly' && !v.anchor)
      ctx.addIssue({ code: 'custom', path: ['anchor'], message: 'Give the first day of any weekly or biweekly pay period' })
  })

export type PayrollSettingsForm = z.output<typeof payrollSettingsSchema>

const DEFAULT_SCHEDULE: PaySchedule = { frequency: 'weekly', anchor: '2024-01-01' }

export async function getPayrollSettings(db: Db, defaultTimeZone: string): Promise<PayrollSettings> {
  const general = await getSettings(db, defaultTimeZone)
  const row = await db.selectFrom('settings').select('value').where('key', '=', KEY).executeTakeFirst()
  const stored = row ? (JSON.parse(row.value) as Partial<PayrollSettings>) : {}
  return { policy: { ...DEFAULT_PAY_POLICY, ...stored.policy, workWeekStart: general.workWeekStart }, schedule: { ...DEFAULT_SCHEDULE, ...stored.schedule } }
}

/** The form's values for the current settings. */
export function formValues(s: PayrollSettings): Record<string, string> {
  const p = s.policy
  return {
    weeklyOvertimeHours: String(p.weeklyOvertimeAfter / 60),
    dailyOvertime: p.dailyOvertimeAfter !== null ? 'on' : '',
    dailyOvertimeHours: String((p.dailyOvertimeAfter ?? 480) / 60),
    dailyDoubleTime: p.dailyDoubleTimeAfter !== null ? 'on' : '',
    dailyDoubleTimeHours: String((p.dailyDoubleTimeAfter ?? 720) / 60),
    seventhDayRule: p.seventhDayRule ? 'on' : '',
    frequency: s.schedule.frequency,
    anchor: s.schedule.anchor,
  }
}

export async function savePayrollSettings(db: Db, actor: Actor, before: PayrollSettings, form: PayrollSettingsForm): Promise<PayrollSettings> {
  const minutes = (h: number) => Math.round(h * 60)
  const after: PayrollSettings = {
    policy: {
      weeklyOvertimeAfter: minutes(form.weeklyOvertimeHours),
      dailyOvertimeAfter: form.dailyOvertime ? minutes(form.dailyOvertimeHours) : null,
      dailyDoubleTimeAfter: form.dailyDoubleTime ? minutes(form.dailyDoubleTimeHours) : null,
      seventhDayRule: form.seventhDayRule,
      workWeekStart: before.policy.workWeekStart,
    },
    schedule: { frequency: form.frequency, anchor: form.anchor ?? before.schedule.anchor },
  }
  const now = new Date().toISOString()
  const value = JSON.stringify({ policy: { ...after.policy, workWeekStart: undefined }, schedule: after.schedule })
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('settings')
      .values({ key: KEY, value, updated_at: now })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_at: now }))
      .execute()
    await recordAudit(trx, actor, { action: 'payroll.settings', entityType: 'settings', summary: 'Changed the pay policy and pay schedule', before, after })
  })
  return after
}
