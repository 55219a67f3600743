import type { Db } from '../db/database.js'
import { containsPattern } from '../lists/list-query.js'
import { sql } from 'kysely'
import { ignoringCase, likeIgnoringCase } from '../db/dialect.js'

// Employee choices for pickers (time entries, payroll groups): a few at a time, found by name or
// number, never the whole company in one page.

export const CHOICES_LIMIT = 20

export type EmployeeChoice = { value: string; label: string }

const label = (e: { first_name: string; last_name: string; employee_number: string | null }) =>
  `${e.last_name}, ${e.first_name}${e.employee_number ? ` (${e.employee_number})` : ''}`

/** Active employees matching `q` (name or number), by name, at most CHOICES_LIMIT; `selected` always among them. */
export async function employeeChoices(db: Db, opts: { q?: string; selected?: string | null }): Promise<EmployeeChoice[]> {
  let query = db.selectFrom('employees').select(['id', 'first_name', 'last_name', 'employee_number']).where('status', '=', 'active')
  const q = opts.q?.trim()
  if (q) {
    const pattern = containsPattern(q)
    query = query.where((eb) =>
      eb.or([
        likeIgnoringCase(db, sql`last_name`, pattern),
        likeIgnoringCase(db, sql`first_name`, pattern),
        likeIgnoringCase(db, sql`employee_number`, pattern),
        likeIgnoringCase(db, sql`(first_name || ' ' || last_name)`, pattern),
      ]),
    )
  }
  const rows = await query.orderBy(ignoringCase(db, 'last_name')).orderBy(ignoringCase(db, 'first_name')).orderBy('id').limit(CHOICES_LIMIT).execute()
  const choices = rows.map((e) => ({ value: String(e.id), label: label(e) }))
  const selected = opts.selected && /^\d+$/.test(opts.selected) ? opts.selected : null
  if (selected && !choices.some((c) => c.value === selected)) {
    const chosen = await db
      .selectFrom('employees')
      .select(['id', 'first_name', 'last_name', 'employee_number'])
      .where('id', '=', Number(selected))
      .executeTakeFirst()
    if (chosen) choices.unshift({ value: String(chosen.id), label: label(chosen) })
  }
  return choices
}
