import { isoWeekday } from '../../lib/dates.js'
import { z } from 'zod'
import { toCsv } from '../../lib/csv.js'

// Sage 300 CRE's Payroll > Tools > Import Time reads a comma-separated file whose columns are those
// of the company's *time entry view*, in that view's order, one line per time record. The admin lays
// the view out on the Setup tab exactly as it is configured in Sage; this module checks a layout and
// writes the file.

export const TIME_COLUMNS = {
  employee: 'Employee',
  period_end: 'Period end date (PED)',
  date: 'Date',
  day: 'Day of week (1-7)',
  job: 'Job',
  extra: 'Extra',
  cost_code: 'Cost code',
  category: 'Category',
  pay_id: 'Pay ID',
  hours: 'Hours',
  rate: 'Rate',
  units: 'Units',
  certified_class: 'Certified class',
  department: 'Department',
} as const
export type TimeColumn = keyof typeof TIME_COLUMNS

/** Without these Import Time cannot place a line. */
const REQUIRED: TimeColumn[] = ['employee', 'date', 'pay_id', 'hours']

const DEFAULT_VIEW = 'employee, period_end, date, job, extra, cost_code, category, pay_id, hours'

/** Every problem with a layout, in words: unknown or repeated columns, required ones missing, a part without its whole. */
export function viewProblems(text: string): string[] {
  const keys = parseView(text)
  const problems: string[] = []
  const known = Object.keys(TIME_COLUMNS)
  const unknown = keys.filter((k) => !known.includes(k))
  if (unknown.length > 0) problems.push(`Unknown column${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; the columns are ${known.join(', ')}`)
  const repeated = keys.filter((k, i) => keys.indexOf(k) !== i)
  if (repeated.length > 0) problems.push(`${[...new Set(repeated)].join(', ')} appear${repeated.length === 1 ? 's' : ''} twice`)
  const missing = REQUIRED.filter((k) => !keys.includes(k))
  if (missing.length > 0) problems.push(`The view needs ${missing.join(', ')}: Import Time cannot place a line without ${missing.length > 1 ? 'them' : 'it'}`)
  const needs: [TimeColumn, TimeColumn][] = [
    ['extra', 'job'],
    ['cost_code', 'job'],
    ['category', 'cost_code'],
  ]
  for (const [part, whole] of needs) if (keys.includes(part) && !keys.includes(whole)) problems.push(`${part} needs ${whole} in the view`)
  return problems
}

const parseView = (text: string): string[] =>
  text
    .split(/[,\s]+/)
    .map((k) => k.trim().toLowerCase())
    .filter(Boolean)

export const timeViewSchema = z
  .string()
  .trim()
  .min(1, 'Lay out the time entry view: the columns of your Import Time file, in order')
  .max(500, 'At most 500 characters')
  .superRefine((v, ctx) => {
    for (const p of viewProblems(v)) ctx.addIssue({ code: 'custom', message: p })
  })
  .default(DEFAULT_VIEW)

export type TimeFileOptions = { view: string; dateFormat: 'MM/DD/YYYY' | 'MM/DD/YY'; header: boolean }

/** One line of the file, already in Sage's terms. */
export type TimeRecord = {
  employee: string
  date: string
  periodEnd: string
  job: string
  extra: string
  costCode: string
  category: string
  payId: string
  minutes: number
  department: string
}

const formatDate = (iso: string, format: TimeFileOptions['dateFormat']) =>
  `${iso.slice(5, 7)}/${iso.slice(8, 10)}/${format === 'MM/DD/YY' ? iso.slice(2, 4) : iso.slice(0, 4)}`

/** The Import Time file: the view's columns in order, CRLF line endings, values quoted only when they must be. */
export function timeFile(records: TimeRecord[], options: TimeFileOptions): string {
  const keys = parseView(options.view) as TimeColumn[]
  const value = (r: TimeRecord, k: TimeColumn): string => {
    switch (k) {
      case 'employee':
        return r.employee
      case 'period_end':
        return formatDate(r.periodEnd, options.dateFormat)
      case 'date':
        return formatDate(r.date, options.dateFormat)
      case 'day':
        return String(isoWeekday(r.date))
      case 'job':
        return r.job
      case 'extra':
        return r.extra
      case 'cost_code':
        return r.costCode
      case 'category':
        return r.category
      case 'pay_id':
        return r.payId
      case 'hours':
        return (r.minutes / 60).toFixed(2)
      case 'department':
        return r.department
      // Clockbridge keeps no rate, units or certified class: blank lets Sage use the employee's defaults.
      case 'rate':
      case 'units':
      case 'certified_class':
        return ''
    }
  }
  return toCsv(
    options.header ? keys.map((k) => TIME_COLUMNS[k]) : null,
    records.map((r) => keys.map((k) => value(r, k))),
  )
}
