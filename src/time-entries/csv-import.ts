import type { Db } from '../db/database.js'
import { recordAudit, type Actor } from '../audit/audit-log.js'
import { readSheet, SheetError } from '../connectors/kit/sheets/read-sheet.js'
import { saveInTransaction } from './service.js'

// A CSV (or XLSX) of time entries: every row is checked as if entered by hand, with the employee,
// job site, cost code and department named by number or code. All or nothing: with one bad row the
// file imports nothing and every bad row is listed, so the fixed file can be imported whole.

export const TIME_CSV_COLUMNS = ['Employee number', 'Date', 'Start', 'End', 'Hours', 'Job site', 'Cost code', 'Department', 'Pay ID', 'Note'] as const

export type RowError = { row: number; message: string }
export type CsvImportResult = { ok: true; imported: number } | { ok: false; errors: RowError[] }

const MAX_ROWS = 20_000
const FIELD_LABELS: Record<string, string> = {
  employee_id: 'Employee number',
  date: 'Date',
  start_time: 'Start',
  end_time: 'End',
  hours: 'Hours',
  job_site_id: 'Job site',
  cost_code_id: 'Cost code',
  department_id: 'Department',
  pay_id: 'Pay ID',
  note: 'Note',
  _form: 'Row',
}

class Rollback extends Error {}

export async function importTimeCsv(db: Db, actor: Actor, file: { filename: string; content: Buffer }): Promise<CsvImportResult> {
  let sheet
  try {
    sheet = await readSheet(file.filename, file.content)
  } catch (err) {
    if (err instanceof SheetError) return { ok: false, errors: [{ row: 0, message: err.message }] }
    throw err
  }
  const col = (name: string) => sheet.headers.findIndex((h) => h.trim().toLowerCase() === name.toLowerCase())
  const missing = ['Employee number', 'Date', 'Pay ID'].filter((c) => col(c) < 0)
  if (missing.length > 0)
    return {
      ok: false,
      errors: [{ row: 1, message: `The file has no ${missing.join(', ')} column; its first row must name the columns: ${TIME_CSV_COLUMNS.join(', ')}` }],
    }
  if (sheet.rows.length === 0) return { ok: false, errors: [{ row: 0, message: 'The file has no rows of time under its headings' }] }
  if (sheet.rows.length > MAX_ROWS)
    return { ok: false, errors: [{ row: 0, message: `The file has ${sheet.rows.length} rows; import at most ${MAX_ROWS} at a time` }] }
  const cell = (r: string[], name: string) => (col(name) >= 0 ? (r[col(name)] ?? '').trim() : '')

  const errors: RowError[] = []
  let imported = 0
  try {
    await db.transaction().execute(async (trx) => {
      const lookups = await loadLookups(trx)
      for (const [i, r] of sheet.rows.entries()) {
        const row = i + 2
        const problems: string[] = []
        const ref = (name: string, map: Map<string, number>, what: string) => {
          const v = cell(r, name)
          if (!v) return ''
          const id = map.get(v.toLowerCase())
          if (id === undefined) problems.push(`${what} "${v}" does not exist`)
          return id === undefined ? '' : String(id)
        }
        const number = cell(r, 'Employee number')
        const employee = number ? lookups.employees.get(number.toLowerCase()) : undefined
        if (!number) problems.push('Employee number is empty')
        else if (employee === undefined) problems.push(`No employee has the number "${number}"`)
        const jobSite = ref('Job site', lookups.jobSites, 'Job site')
        const costCodeText = cell(r, 'Cost code')
        const costCode = costCodeText
          ? (lookups.costCodes.get(`${costCodeText.toLowerCase()}|${jobSite}`) ?? lookups.costCodes.get(`${costCodeText.toLowerCase()}|`))
          : undefined
        if (costCodeText && costCode === undefined) problems.push(`Cost code "${costCodeText}" does not exist${jobSite ? ' for that job site' : ''}`)
        const department = ref('Department', lookups.departments, 'Department')
        if (problems.length > 0) {
          errors.push({ row, message: problems.join('; ') })
          continue
        }
        const values = {
          employee_id: String(employee),
          date: cell(r, 'Date'),
          start_time: cell(r, 'Start'),
          end_time: cell(r, 'End'),
          hours: cell(r, 'Hours'),
          job_site_id: jobSite,
          cost_code_id: costCode ? String(costCode) : '',
          department_id: department,
          pay_id: cell(r, 'Pay ID'),
          note: cell(r, 'Note'),
        }
        const saved = await saveInTransaction(trx, actor, values, { source: 'csv' })
        if (saved.ok) imported++
        else
          errors.push({
            row,
            message: Object.entries(saved.errors)
              .map(([f, m]) => `${FIELD_LABELS[f] ?? f}: ${m}`)
              .join('; '),
          })
      }
      if (errors.length > 0) throw new Rollback()
      await recordAudit(trx, actor, {
        action: 'time_entry.import',
        entityType: 'time_entry',
        summary: `Imported ${imported} time entries from ${file.filename}`,
      })
    })
  } catch (err) {
    if (err instanceof Rollback) return { ok: false, errors }
    throw err
  }
  return { ok: true, imported }
}

async function loadLookups(db: Db) {
  const byKey = <T>(rows: T[], key: (r: T) => string | null, id: (r: T) => number) =>
    new Map(rows.flatMap((r) => (key(r) ? [[key(r)!.toLowerCase(), id(r)] as [string, number]] : [])))
  const employees = byKey(
    await db.selectFrom('employees').select(['id', 'employee_number']).execute(),
    (r) => r.employee_number,
    (r) => r.id,
  )
  const jobSites = byKey(
    await db.selectFrom('job_sites').select(['id', 'number']).execute(),
    (r) => r.number,
    (r) => r.id,
  )
  const departments = byKey(
    await db.selectFrom('departments').select(['id', 'code']).execute(),
    (r) => r.code,
    (r) => r.id,
  )
  // A cost code is found by its code within the job site of the row, or among the standard ones.
  const costCodes = byKey(
    await db.selectFrom('cost_codes').select(['id', 'code', 'job_site_id']).execute(),
    (r) => `${r.code}|${r.job_site_id ?? ''}`,
    (r) => r.id,
  )
  return { employees, jobSites, departments, costCodes }
}
