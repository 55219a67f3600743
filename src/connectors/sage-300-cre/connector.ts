import { weekEnd } from '../../lib/dates.js'
import { z } from 'zod'
import { fieldsExcept, type FieldSpec, type ModuleId } from '../kit/records.js'
import type { Connector, PublishLineInput, UploadSpec } from '../kit/types.js'
import type { SourceRecord, SourceRowError } from '../kit/pages.js'
import { sheetUpload } from '../kit/sheets/upload.js'
import { mappedSheetPages, type MappedRow } from '../kit/sheets/mapped-sheet.js'
import { timeFile, timeViewSchema, TIME_COLUMNS, type TimeRecord } from './time-file.js'
import { sage300Demo } from './demo.js'

// Sage 300 Construction and Real Estate (formerly Timberline) runs on the customer's server and has
// no web API: lists come in as the files Sage exports from Payroll and Job Cost, and hours go back as
// an Import Time file laid out like the company's time entry view. Job, extra, cost code and category
// keep Sage's exact spelling (they are the external ids), because Import Time matches them exactly.

export const SAGE300_ID = 'sage-300-cre'
type SageModule = 'employees' | 'job_sites' | 'cost_codes' | 'departments'

/** Parts of a key joined by a tab: Sage ids never hold one, and each part keeps its spelling. */
const SEP = '\t'
const sageKey = (...parts: string[]) => parts.join(SEP)
const sageParts = (key: string) => key.split(SEP)

const col = (key: string, label: string, required = false): FieldSpec => ({ key, label, required })

const COLUMNS: Record<SageModule, FieldSpec[]> = {
  employees: [
    col('employee', 'Employee (Sage id)', true),
    col('first_name', 'First name', true),
    col('last_name', 'Last name', true),
    col('status', 'Status'),
    col('department', 'Department'),
    col('hire_date', 'Hire date'),
  ],
  job_sites: [col('job', 'Job', true), col('extra', 'Extra'), col('description', 'Description', true), col('status', 'Status')],
  cost_codes: [
    col('job', 'Job', true),
    col('extra', 'Extra'),
    col('cost_code', 'Cost code', true),
    col('category', 'Category', true),
    col('description', 'Description', true),
  ],
  departments: [col('department', 'Department', true), col('description', 'Description', true)],
}

/** The headings Sage's exports use, tried first. */
const PRESETS: Record<SageModule, Record<string, string[]>> = {
  employees: {
    employee: ['Employee', 'Employee ID', 'Employee Number', 'Emp ID', 'Empl'],
    first_name: ['First Name', 'First'],
    last_name: ['Last Name', 'Last'],
    status: ['Status', 'Employee Status'],
    department: ['Department', 'Dept', 'Default Department'],
    hire_date: ['Date Hired', 'Hire Date', 'Original Hire Date'],
  },
  job_sites: {
    job: ['Job', 'Job Number', 'Job ID'],
    extra: ['Extra', 'Extra ID'],
    description: ['Description', 'Job Description', 'Extra Description', 'Title', 'Name'],
    status: ['Status', 'Job Status'],
  },
  cost_codes: {
    job: ['Job', 'Job Number', 'Job ID'],
    extra: ['Extra', 'Extra ID'],
    cost_code: ['Cost Code', 'Cost Code ID', 'Code'],
    category: ['Category', 'Category ID', 'Cat'],
    description: ['Description', 'Cost Code Description', 'Category Description'],
  },
  departments: { department: ['Department', 'Dept', 'Department ID'], description: ['Description', 'Title', 'Name'] },
}

const isSageModule = (m: ModuleId): m is SageModule => m in COLUMNS

/** How a job with its extra is numbered in Clockbridge: "1001" or "1001 / 01". */
export const jobNumber = (job: string, extra: string) => (extra ? `${job} / ${extra}` : job)

const jobStatus = (v: string) => (/^(closed|complete|completed)$/i.test(v) ? 'closed' : /^(inactive|disabled)$/i.test(v) ? 'disabled' : 'active')

/** A mapped row of a Sage export as a record: its Sage key as the external id, the module's fields from its columns. */
function readRow(module: SageModule, { row, values }: MappedRow): { record: SourceRecord } | { error: SourceRowError } {
  const v = (k: string) => (values[k] ?? '').trim()
  const need = (k: string, label: string): SourceRowError | null => (v(k) ? null : { row, field: label, message: `${label} is empty` })
  switch (module) {
    case 'employees': {
      const missing = need('employee', 'Employee')
      if (missing) return { error: missing }
      return {
        record: {
          externalId: v('employee'),
          row,
          data: {
            employee_number: v('employee'),
            first_name: v('first_name'),
            last_name: v('last_name'),
            status: v('status') || 'active',
            department: v('department') || null,
            hire_date: v('hire_date') || null,
          },
        },
      }
    }
    case 'job_sites': {
      const missing = need('job', 'Job')
      if (missing) return { error: missing }
      return {
        record: {
          externalId: sageKey(v('job'), v('extra')),
          row,
          data: { number: jobNumber(v('job'), v('extra')), name: v('description'), status: jobStatus(v('status')) },
        },
      }
    }
    case 'cost_codes': {
      const missing = need('job', 'Job') ?? need('cost_code', 'Cost code') ?? need('category', 'Category')
      if (missing) return { error: missing }
      return {
        record: {
          externalId: sageKey(v('job'), v('extra'), v('cost_code'), v('category')),
          row,
          data: { code: `${v('cost_code')} ${v('category')}`, name: v('description'), description: null, job_site: jobNumber(v('job'), v('extra')) },
        },
      }
    }
    case 'departments': {
      const missing = need('department', 'Department')
      if (missing) return { error: missing }
      return { record: { externalId: v('department'), row, data: { code: v('department'), name: v('description') } } }
    }
  }
}

export const sage300Upload: UploadSpec = {
  ...sheetUpload,
  columns: (m) => (isSageModule(m) ? COLUMNS[m] : []),
  presets: (m) => (isSageModule(m) ? PRESETS[m] : {}),
  idFromColumns: true,
}

export const sage300SettingsSchema = z.object({
  timeEntryView: timeViewSchema,
  dateFormat: z.enum(['MM/DD/YYYY', 'MM/DD/YY'], { message: 'Choose a date format' }).default('MM/DD/YYYY'),
  periodEnd: z.enum(['period', 'saturday', 'sunday'], { message: 'Choose how the period end date is set' }).default('period'),
  header: z.enum(['no', 'yes'], { message: 'Choose whether the file has a heading row' }).default('no'),
})
export type Sage300Settings = z.output<typeof sage300SettingsSchema>

/** A line as the Import Time file needs it: Sage's ids split into their parts. */
export type Sage300Line = {
  employee: string | null
  employeeName: string
  date: string
  minutes: number
  job: { parts: string[] | null; number: string } | null
  cost: { parts: string[] | null; code: string } | null
  payId: string
  department: string | null
}

/** The period end date a line carries: the pay period's last day, or the end of its week. */
function periodEndOf(date: string, periodEnd: Sage300Settings['periodEnd'], period: { end: string }) {
  if (periodEnd === 'period') return period.end
  return weekEnd(date, periodEnd)
}

export const sage300Connector: Connector<Sage300Settings> = {
  id: SAGE300_ID,
  name: 'Sage 300 CRE',
  description:
    'Sage 300 Construction and Real Estate on your server: upload the lists Sage exports from Payroll and Job Cost, and bring approved hours in with Payroll > Tools > Import Time.',
  hosting: 'on-premises',
  syncModules: ['employees', 'job_sites', 'cost_codes', 'departments'],
  // The columns of Sage's list exports (COLUMNS above): an employee without contact details, a job without address or dates.
  sends: {
    employees: ['employee_number', 'first_name', 'last_name', 'status', 'department', 'hire_date'],
    job_sites: ['number', 'name', 'status'],
    cost_codes: fieldsExcept('cost_codes', 'description'),
  },
  publishesPayroll: true,
  settingsSchema: sage300SettingsSchema,
  settingFields: [
    {
      key: 'timeEntryView',
      label: 'Time entry view (columns, in order)',
      hint: `Exactly as the view selected in Sage's Import Time. Columns: ${Object.keys(TIME_COLUMNS).join(', ')}. Rate, units and certified class are left blank for Sage's defaults.`,
    },
    {
      key: 'dateFormat',
      label: 'Date format',
      options: [
        { value: 'MM/DD/YYYY', label: 'MM/DD/YYYY' },
        { value: 'MM/DD/YY', label: 'MM/DD/YY' },
      ],
    },
    {
      key: 'periodEnd',
      label: 'Period end date (PED)',
      options: [
        { value: 'period', label: 'The pay period’s last day' },
        { value: 'saturday', label: 'The Saturday ending each line’s week' },
        { value: 'sunday', label: 'The Sunday ending each line’s week' },
      ],
      hint: 'Must match the PED you enter in Sage.',
    },
    {
      key: 'header',
      label: 'Heading row',
      options: [
        { value: 'no', label: 'No (Import Time reads data lines only)' },
        { value: 'yes', label: 'Yes' },
      ],
    },
  ],
  shape: 'pull',
  invalidRecords: 'skip-row',
  upload: sage300Upload,
  demo: sage300Demo,
  pull: (module, ctx) => {
    if (!isSageModule(module)) throw new Error(`Sage 300 CRE does not sync ${module}.`)
    return mappedSheetPages(module, ctx, sage300Upload, (r) => readRow(module, r))
  },
  publishRequiresLinks: true,
  publishPayload: (line: PublishLineInput): Sage300Line => ({
    employee: line.employee.externalId,
    employeeName: line.employee.name,
    date: line.date,
    minutes: line.minutes,
    job: line.jobSite ? { parts: line.jobSite.externalId ? sageParts(line.jobSite.externalId) : null, number: line.jobSite.number } : null,
    cost: line.costCode ? { parts: line.costCode.externalId ? sageParts(line.costCode.externalId) : null, code: line.costCode.code } : null,
    payId: line.payrollItem.externalId ?? line.payrollItem.name,
    department: line.department?.externalId ?? null,
  }),
  publishFile: {
    label: 'Import Time file',
    problems: (payloads) => {
      const problems = new Set<string>()
      for (const p of payloads as Sage300Line[]) {
        const where = `${p.employeeName} on ${p.date}`
        if (p.cost && !p.job) problems.add(`${where}: cost code ${p.cost.code} has no job; Import Time needs the job of every cost code`)
        if (p.cost?.parts && p.job?.parts && (p.cost.parts[0] !== p.job.parts[0] || (p.cost.parts[1] ?? '') !== (p.job.parts[1] ?? ''))) {
          problems.add(
            `${where}: cost code ${p.cost.code} belongs to job ${jobNumber(p.cost.parts[0]!, p.cost.parts[1] ?? '')}, not ${p.job.number}; Sage refuses a job and cost code that do not go together`,
          )
        }
      }
      return [...problems]
    },
    build: (payloads, settings, period) => {
      const records: TimeRecord[] = (payloads as Sage300Line[]).map((p) => ({
        employee: p.employee ?? '',
        date: p.date,
        periodEnd: periodEndOf(p.date, settings.periodEnd, period),
        job: p.job?.parts?.[0] ?? '',
        extra: p.job?.parts?.[1] ?? '',
        costCode: p.cost?.parts?.[2] ?? '',
        category: p.cost?.parts?.[3] ?? '',
        payId: p.payId,
        minutes: p.minutes,
        department: p.department ?? '',
      }))
      records.sort(
        (a, b) =>
          a.employee.localeCompare(b.employee) ||
          a.date.localeCompare(b.date) ||
          a.job.localeCompare(b.job) ||
          a.costCode.localeCompare(b.costCode) ||
          a.payId.localeCompare(b.payId),
      )
      return {
        filename: `import-time-${period.start}-${period.end}.csv`,
        content: timeFile(records, { view: settings.timeEntryView, dateFormat: settings.dateFormat, header: settings.header === 'yes' }),
      }
    },
  },
}
