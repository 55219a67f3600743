import { WEEK_DAYS } from '../lib/dates.js'
import { z } from 'zod'
import type { Db } from '../db/database.js'
import { isTimeZone } from '../config.js'
import { recordAudit, type Actor } from '../audit/audit-log.js'
import { field } from '../lib/validation.js'

export type Settings = {
  employeeManualCreation: boolean
  companyManualCreation: boolean
  defaultCountry: string
  companyTimeZone: string
  workWeekStart: (typeof WEEK_DAYS)[number]
  backupSchedule: (typeof BACKUP_SCHEDULES)[number]
  backupHour: number
  backupKeep: number
}

export const BACKUP_SCHEDULES = ['off', 'daily'] as const

/** A whole number from a form field (or a stored number), within bounds, with the message to show. */
const wholeNumber = (message: string, min: number, max: number) =>
  z.preprocess(
    (v) => (typeof v === 'string' && /^\s*\d{1,6}\s*$/.test(v) ? Number(v) : v),
    z.number({ error: message }).int(message).min(min, message).max(max, message),
  )

export const settingsSchema = z.object({
  employeeManualCreation: field.checkbox(),
  companyManualCreation: field.checkbox(),
  defaultCountry: z.preprocess(
    (v) => (typeof v === 'string' ? v.trim().toUpperCase() : v),
    z.string().regex(/^[A-Z]{2}$/, 'Default country must be a two-letter ISO code such as US or CA'),
  ),
  companyTimeZone: z
    .string()
    .trim()
    .refine((v) => v !== '' && isTimeZone(v), 'Company time zone must be an IANA time zone such as America/Chicago'),
  workWeekStart: field.choice('First day of the work week', WEEK_DAYS),
  backupSchedule: field.choice('Scheduled backups', BACKUP_SCHEDULES),
  backupHour: wholeNumber('Backup hour must be a whole hour from 0 to 23', 0, 23),
  backupKeep: wholeNumber('Backups to keep must be a number from 1 to 365', 1, 365),
})

function defaults(timeZone: string): Settings {
  return {
    employeeManualCreation: true,
    companyManualCreation: true,
    defaultCountry: 'US',
    companyTimeZone: timeZone,
    workWeekStart: 'monday',
    backupSchedule: 'off',
    backupHour: 2,
    backupKeep: 14,
  }
}

/** The stored settings over their defaults; a stored value that no longer validates is ignored. */
export async function getSettings(db: Db, defaultTimeZone: string): Promise<Settings> {
  const rows = await db.selectFrom('settings').select(['key', 'value']).execute()
  const settings = defaults(defaultTimeZone)
  const stored = Object.fromEntries(rows.map((r) => [r.key, safeJson(r.value)]))
  const merged = { ...settings, ...stored }
  const parsed = settingsSchema.safeParse({
    ...merged,
    employeeManualCreation: String(merged.employeeManualCreation),
    companyManualCreation: String(merged.companyManualCreation),
  })
  return parsed.success ? parsed.data : settings
}

export async function saveSettings(db: Db, actor: Actor, before: Settings, after: Settings): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const now = new Date().toISOString()
    for (const [key, value] of Object.entries(after)) {
      await trx
        .insertInto('settings')
        .values({ key, value: JSON.stringify(value), updated_at: now })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value: JSON.stringify(value), updated_at: now }))
        .execute()
    }
    await recordAudit(trx, actor, { action: 'settings.update', entityType: 'settings', summary: 'Changed settings', before, after })
  })
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}
