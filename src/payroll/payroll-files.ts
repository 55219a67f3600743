import { toCsv } from '../lib/csv.js'
import type { PayFrequency, Period } from './pay-periods.js'
import { stripUnprintable } from '../lib/text.js'

// Payroll files for platforms Clockbridge does not publish to directly, laid out as each platform
// imports them (reference/protocols.md section 5). Pure functions of an approved period: the same
// period and settings give the same bytes.

export type FileFormat = 'iif' | 'adp-wfn' | 'adp-run' | 'paychex' | 'gusto' | 'csv'

export type FileLine = { date: string; payId: string; minutes: number; jobSite: string | null; costCode: string | null; department: string | null }
export type FileEmployee = { employeeId: number; firstName: string; lastName: string; number: string | null; lines: FileLine[] }

export type PayrollFileSettings = {
  iif: { companyName: string; companyCreateTime: string; employeeName: 'first-last' | 'last-first' }
  adpWfn: { coCode: string }
  adpRun: { iid: string }
  paychex: { clientId: string }
}

export const DEFAULT_FILE_SETTINGS: PayrollFileSettings = {
  iif: { companyName: '', companyCreateTime: '', employeeName: 'first-last' },
  adpWfn: { coCode: '' },
  adpRun: { iid: '' },
  paychex: { clientId: '' },
}

export type FileInput = {
  period: Period
  frequency: PayFrequency
  employees: FileEmployee[]
  settings: PayrollFileSettings
  /** The platform's code or payroll item for an employee's pay ID (from the payroll item mapping). */
  itemFor: (employeeId: number, payId: string) => string | undefined
}

export type FileProblem = { employeeId: number | null; message: string; fix: string; href: string }
export type PayrollFile = { filename: string; contentType: string; body: string }

const hours = (minutes: number) => (minutes / 60).toFixed(2)
const mdyy = (d: string) => `${d.slice(5, 7)}/${d.slice(8, 10)}/${d.slice(2, 4)}`
const mdyyyy = (d: string) => `${d.slice(5, 7)}/${d.slice(8, 10)}/${d.slice(0, 4)}`
const hmm = (minutes: number) => `${Math.floor(minutes / 60)}:${String(minutes % 60).padStart(2, '0')}`
/** IIF fields are TAB-separated lines: a tab or line break inside a value would break the row. */
const iifField = (v: string | null | undefined) => stripUnprintable(v ?? '').replace(/[\t\r\n]+/g, ' ')

const sum = (lines: FileLine[], payId: string) => lines.filter((l) => l.payId === payId).reduce((s, l) => s + l.minutes, 0)
const payIdsOf = (lines: FileLine[]) => [...new Set(lines.map((l) => l.payId))]

export const FILE_LABELS: Record<FileFormat, string> = {
  iif: 'QuickBooks Desktop IIF (timer activities)',
  'adp-wfn': 'ADP Workforce Now paydata (EPI CSV)',
  'adp-run': 'ADP RUN (generic import)',
  paychex: 'Paychex Flex SPI',
  gusto: 'Gusto hours CSV',
  csv: 'Generic CSV',
}

/** The payroll item mapping target of a file format. */
export const fileTarget = (format: FileFormat) => `file:${format}`

/** What stops a file from being made, each with what to do; empty when it can be made. */
export function fileProblems(format: FileFormat, input: FileInput): FileProblem[] {
  const problems: FileProblem[] = []
  const s = input.settings
  const need = (ok: boolean, message: string) =>
    ok || problems.push({ employeeId: null, message, fix: 'Fill it in under Payroll file settings', href: '/payroll/files/settings' })
  if (format === 'iif') {
    need(s.iif.companyName.trim() !== '', 'The QuickBooks company name is missing (Company > Company Information in QuickBooks)')
    need(/^\d+$/.test(s.iif.companyCreateTime), 'The QuickBooks company create time is missing (the number in a Timer list export of the company file)')
  }
  if (format === 'adp-wfn') need(/^[A-Za-z0-9]{2,3}$/.test(s.adpWfn.coCode), 'The ADP company code (2 or 3 letters or digits) is missing')
  if (format === 'adp-run') need(/^[A-Za-z0-9]{1,10}$/.test(s.adpRun.iid), 'The ADP RUN IID is missing')
  if (format === 'paychex') need(/^[A-Za-z0-9]{1,8}$/.test(s.paychex.clientId), 'The Paychex client ID (up to 8 characters) is missing')
  for (const e of input.employees) {
    const who = `${e.lastName}, ${e.firstName}`
    if (format !== 'csv' && format !== 'iif' && !e.number)
      problems.push({
        employeeId: e.employeeId,
        message: `${who} has no employee number, which ${FILE_LABELS[format]} identifies employees by`,
        fix: 'Give the employee their payroll number',
        href: `/employees/${e.employeeId}`,
      })
    if (format === 'adp-wfn' && e.number && !/^\d{1,6}$/.test(e.number))
      problems.push({
        employeeId: e.employeeId,
        message: `${who}'s employee number ${e.number} is not an ADP file number (up to 6 digits)`,
        fix: 'Use the ADP file number as the employee number',
        href: `/employees/${e.employeeId}`,
      })
    if (format === 'gusto') {
      const other = payIdsOf(e.lines).filter((p) => !['REG', 'OT', 'DT'].includes(p))
      if (other.length > 0)
        problems.push({
          employeeId: e.employeeId,
          message: `${who} has ${other.join(', ')} hours; Gusto's hours file takes regular, overtime and double overtime only`,
          fix: 'Enter that time in Gusto, or leave it out of this period',
          href: `/time-entries?period=${input.period.start}&employee=${e.employeeId}`,
        })
      continue
    }
    if (format === 'paychex') {
      for (const job of new Set(e.lines.map((l) => l.jobSite).filter((j): j is string => !!j && j.length > 25)))
        problems.push({
          employeeId: e.employeeId,
          message: `Job site ${job} is longer than the 25 characters of a Paychex job number (${who})`,
          fix: 'Give the job site a shorter number',
          href: '/job-sites',
        })
    }
    if (format === 'csv') continue
    for (const payId of payIdsOf(e.lines)) {
      if (format === 'adp-wfn' && (payId === 'REG' || payId === 'OT')) continue
      if (!input.itemFor(e.employeeId, payId))
        problems.push({
          employeeId: e.employeeId,
          message: `${payId} is not mapped to a payroll item for ${FILE_LABELS[format]} (${who})`,
          fix: 'Map it under Payroll item mapping',
          href: `/payroll/mapping?target=${fileTarget(format)}`,
        })
    }
  }
  return problems
}

export function buildPayrollFile(format: FileFormat, input: FileInput): PayrollFile {
  const problems = fileProblems(format, input)
  if (problems.length > 0) throw new Error(`The file cannot be made: ${problems.map((p) => p.message).join('; ')}`)
  return BUILDERS[format](input)
}

const compact = (d: string) => `${d.slice(5, 7)}${d.slice(8, 10)}${d.slice(0, 4)}`

const BUILDERS: Record<FileFormat, (input: FileInput) => PayrollFile> = {
  iif(input) {
    const s = input.settings.iif
    const rows = [
      ['!TIMERHDR', 'VER', 'REL', 'COMPANYNAME', 'IMPORTEDBEFORE', 'FROMTIMER', 'COMPANYCREATETIME'],
      ['TIMERHDR', '8', '0', iifField(s.companyName), 'N', 'Y', s.companyCreateTime],
      ['!TIMEACT', 'DATE', 'JOB', 'EMP', 'ITEM', 'PITEM', 'DURATION', 'PROJ', 'NOTE', 'XFERTOPAYROLL', 'BILLINGSTATUS'],
    ]
    for (const e of input.employees) {
      const name = s.employeeName === 'last-first' ? `${e.lastName}, ${e.firstName}` : `${e.firstName} ${e.lastName}`
      for (const l of e.lines) {
        rows.push([
          'TIMEACT',
          mdyy(l.date),
          iifField(l.jobSite),
          iifField(name),
          iifField(l.costCode),
          iifField(input.itemFor(e.employeeId, l.payId)),
          hmm(l.minutes),
          iifField(l.department),
          '',
          'Y',
          '0',
        ])
      }
    }
    return {
      filename: `timer-activities-${input.period.start}-${input.period.end}.iif`,
      contentType: 'text/plain; charset=utf-8',
      body: rows.map((r) => r.join('\t')).join('\r\n') + '\r\n',
    }
  },

  'adp-wfn'(input) {
    const code = input.settings.adpWfn.coCode.toUpperCase().padEnd(3, '_')
    const batch = input.period.end.replace(/-/g, '')
    const rows: (string | null)[][] = []
    for (const e of input.employees) {
      const fileNo = e.number!.padStart(6, '0')
      const reg = sum(e.lines, 'REG')
      const ot = sum(e.lines, 'OT')
      const others = payIdsOf(e.lines)
        .filter((p) => p !== 'REG' && p !== 'OT')
        .map((p) => [input.itemFor(e.employeeId, p)!, hours(sum(e.lines, p))])
      // Two "other hours" codes fit a row; more go on further rows of the same employee.
      for (let i = 0; i === 0 || i < others.length; i += 2) {
        const [h3, h4] = [others[i], others[i + 1]]
        rows.push([
          code,
          batch,
          fileNo,
          '',
          '',
          i === 0 && reg ? hours(reg) : '',
          i === 0 && ot ? hours(ot) : '',
          h3?.[0] ?? '',
          h3?.[1] ?? '',
          h4?.[0] ?? '',
          h4?.[1] ?? '',
        ])
      }
    }
    return {
      filename: `EPI${code}.csv`,
      contentType: 'text/csv; charset=utf-8',
      body: toCsv(
        [
          'Co Code',
          'Batch ID',
          'File #',
          'Temp Dept',
          'Temp Cost Number',
          'Reg Hours',
          'O/T Hours',
          'Hours 3 Code',
          'Hours 3 Amount',
          'Hours 4 Code',
          'Hours 4 Amount',
        ],
        rows,
      ),
    }
  },

  'adp-run'(input) {
    const letter = { weekly: 'W', biweekly: 'B', 'semi-monthly': 'S' }[input.frequency]
    const rows: string[][] = []
    for (const e of input.employees) {
      for (const payId of payIdsOf(e.lines)) {
        rows.push([
          input.settings.adpRun.iid,
          letter,
          mdyyyy(input.period.start),
          mdyyyy(input.period.end),
          e.number!,
          input.itemFor(e.employeeId, payId)!,
          hours(sum(e.lines, payId)),
          '',
          '0',
          '',
          'BASE',
        ])
      }
    }
    const name = { weekly: 'Weekly', biweekly: 'Biweekly', 'semi-monthly': 'Semimonthly' }[input.frequency]
    const body = `##GENERIC## V1.0\r\n${toCsv(['IID', 'Pay Frequency', 'Pay Period Start Date', 'Pay Period End Date', 'Employee ID', 'Earnings Code', 'Pay Hours', 'Dollars', 'Separate Check', 'Worked In Dept', 'Rate Code'], rows)}`
    return { filename: `${name}-${compact(input.period.start)}-${compact(input.period.end)}.csv`, contentType: 'text/csv; charset=utf-8', body }
  },

  paychex(input) {
    const rows: string[][] = []
    for (const e of input.employees) {
      for (const l of e.lines) {
        rows.push([
          input.settings.paychex.clientId,
          e.number!,
          '',
          l.jobSite ?? '',
          input.itemFor(e.employeeId, l.payId)!,
          '',
          '',
          hours(l.minutes),
          '',
          mdyyyy(l.date),
          '',
          '1',
          '',
          '',
          '',
          '',
        ])
      }
    }
    const headers = [
      'CLIENT ID',
      'WORKER ID',
      'ORG',
      'JOB NUMBER',
      'PAY COMPONENT',
      'RATE',
      'RATE NUMBER',
      'HOURS',
      'UNITS',
      'LINE DATE',
      'AMOUNT',
      'CHECK SEQ NUMBER',
      'OVERRIDE STATE',
      'OVERRIDE LOCAL',
      'OVERRIDE LOCAL JURISDICTION',
      'LABOR ASSIGNMENT',
    ]
    return { filename: `paychex-spi-${input.period.start}-${input.period.end}.csv`, contentType: 'text/csv; charset=utf-8', body: toCsv(headers, rows) }
  },

  gusto(input) {
    const rows = input.employees.map((e) => [
      e.lastName,
      e.firstName,
      '',
      e.number ?? '',
      hours(sum(e.lines, 'REG')),
      hours(sum(e.lines, 'OT')),
      hours(sum(e.lines, 'DT')),
      '',
      '',
      '',
      '',
      '',
      '',
      '',
      '',
    ])
    const headers = [
      'last_name',
      'first_name',
      'title',
      'gusto_employee_id',
      'regular_hours',
      'overtime_hours',
      'double_overtime_hours',
      'missed_break_hours',
      'bonus',
      'commission',
      'paycheck_tips',
      'cash_tips',
      'correction_payment',
      'reimbursement',
      'personal_note',
    ]
    return { filename: `gusto-hours-${input.period.start}-${input.period.end}.csv`, contentType: 'text/csv; charset=utf-8', body: toCsv(headers, rows) }
  },

  csv(input) {
    const rows: string[][] = []
    for (const e of input.employees) {
      for (const l of e.lines)
        rows.push([
          e.number ?? '',
          `${e.lastName}, ${e.firstName}`,
          l.date,
          l.payId,
          input.itemFor(e.employeeId, l.payId) ?? '',
          hours(l.minutes),
          l.jobSite ?? '',
          l.costCode ?? '',
          l.department ?? '',
        ])
    }
    return {
      filename: `payroll-${input.period.start}-${input.period.end}.csv`,
      contentType: 'text/csv; charset=utf-8',
      body: toCsv(['Employee number', 'Employee', 'Date', 'Pay ID', 'Payroll item', 'Hours', 'Job site', 'Cost code', 'Department'], rows),
    }
  },
}
