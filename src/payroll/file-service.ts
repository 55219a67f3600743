import { z } from 'zod'
import type { Db } from '../db/database.js'
import { recordAudit, type Actor } from '../audit/audit-log.js'
import { resolveMapping } from './mapping-service.js'
import { periodSummary, type PeriodSummary } from './period-service.js'
import type { Period } from './pay-periods.js'
import type { PayrollSettings } from './payroll-settings.js'
import {
  buildPayrollFile,
  DEFAULT_FILE_SETTINGS,
  fileProblems,
  fileTarget,
  type FileFormat,
  type FileProblem,
  type PayrollFile,
  type PayrollFileSettings,
} from './payroll-files.js'

// Payroll files for an approved period: the period's lines, each pay ID turned into the format's
// payroll item by the mapping, checked first; and the settings each format needs.

const KEY = 'payroll.files'

export async function getFileSettings(db: Db): Promise<PayrollFileSettings> {
  const row = await db.selectFrom('settings').select('value').where('key', '=', KEY).executeTakeFirst()
  const stored = row ? (JSON.parse(row.value) as Partial<PayrollFileSettings>) : {}
  return {
    iif: { ...DEFAULT_FILE_SETTINGS.iif, ...stored.iif },
    adpWfn: { ...DEFAULT_FILE_SETTINGS.adpWfn, ...stored.adpWfn },
    adpRun: { ...DEFAULT_FILE_SETTINGS.adpRun, ...stored.adpRun },
    paychex: { ...DEFAULT_FILE_SETTINGS.paychex, ...stored.paychex },
  }
}

const text = (label: string, max: number, pattern?: RegExp, hint?: string) => {
  const base = z.string().trim().max(max, `${label}: at most ${max} characters`)
  return pattern ? base.refine((v) => v === '' || pattern.test(v), `${label}: ${hint}`) : base
}

export const fileSettingsSchema = z.object({
  iifCompanyName: text('QuickBooks company name', 100),
  iifCompanyCreateTime: text('QuickBooks company create time', 20, /^\d+$/, 'digits only'),
  iifEmployeeName: z.enum(['first-last', 'last-first']),
  adpCoCode: text('ADP company code', 3, /^[A-Za-z0-9]{2,3}$/, '2 or 3 letters or digits'),
  adpRunIid: text('ADP RUN IID', 10, /^[A-Za-z0-9]+$/, 'letters and digits'),
  paychexClientId: text('Paychex client ID', 8, /^[A-Za-z0-9]+$/, 'letters and digits'),
})

export const fileSettingsValues = (s: PayrollFileSettings) => ({
  iifCompanyName: s.iif.companyName,
  iifCompanyCreateTime: s.iif.companyCreateTime,
  iifEmployeeName: s.iif.employeeName,
  adpCoCode: s.adpWfn.coCode,
  adpRunIid: s.adpRun.iid,
  paychexClientId: s.paychex.clientId,
})

export async function saveFileSettings(db: Db, actor: Actor, form: z.output<typeof fileSettingsSchema>): Promise<void> {
  const value: PayrollFileSettings = {
    iif: { companyName: form.iifCompanyName, companyCreateTime: form.iifCompanyCreateTime, employeeName: form.iifEmployeeName },
    adpWfn: { coCode: form.adpCoCode },
    adpRun: { iid: form.adpRunIid },
    paychex: { clientId: form.paychexClientId },
  }
  const now = new Date().toISOString()
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('settings')
      .values({ key: KEY, value: JSON.stringify(value), updated_at: now })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: JSON.stringify(value), updated_at: now }))
      .execute()
    await recordAudit(trx, actor, { action: 'payroll.file_settings', entityType: 'settings', summary: 'Changed the payroll file settings', after: value })
  })
}

/** The file for an approved period, or what stands in the way. */
export async function payrollFileFor(
  db: Db,
  actor: Actor,
  settings: PayrollSettings,
  period: Period,
  format: FileFormat,
  known?: PeriodSummary,
): Promise<{ ok: true; file: PayrollFile } | { ok: false; problems: FileProblem[] }> {
  const summary = known ?? (await periodSummary(db, settings, period))
  if (summary.status !== 'approved')
    return {
      ok: false,
      problems: [
        {
          employeeId: null,
          message: `The period ${period.start} to ${period.end} is not approved`,
          fix: 'Approve it on the Payroll tab first',
          href: `/payroll?period=${period.start}`,
        },
      ],
    }
  const numbers = new Map((await db.selectFrom('employees').select(['id', 'first_name', 'last_name', 'employee_number']).execute()).map((e) => [e.id, e]))
  const mapping = await resolveMapping(db, fileTarget(format))
  const input = {
    period,
    frequency: settings.schedule.frequency,
    settings: await getFileSettings(db),
    itemFor: (employeeId: number, payId: string) => mapping.itemFor(employeeId, payId)?.name,
    employees: summary.employees.map((e) => {
      const row = numbers.get(e.employeeId)!
      return {
        employeeId: e.employeeId,
        firstName: row.first_name,
        lastName: row.last_name,
        number: row.employee_number,
        lines: e.lines.map((l) => ({ date: l.date, payId: l.payId, minutes: l.minutes, jobSite: l.jobNumber, costCode: l.costCode, department: l.department })),
      }
    }),
  }
  const problems = fileProblems(format, input)
  if (problems.length > 0) return { ok: false, problems }
  const file = buildPayrollFile(format, input)
  await recordAudit(db, actor, {
    action: 'payroll.file',
    entityType: 'pay_period',
    entityId: period.start,
    summary: `Made the ${format} payroll file ${file.filename} for ${period.start} to ${period.end}`,
  })
  return { ok: true, file }
}
