import { CORE_MODULES, uniqueRules as baseRules, type UniqueRule } from '../records/core-modules.js'
import { z } from 'zod'
import type { Db } from '../db/database.js'
import type { Actor } from '../audit/audit-log.js'
import { field } from '../lib/validation.js'
import { createRecord, updateRecord } from '../records/record-service.js'

export const PAY_GROUPS = ['HOURLY', 'SALARY'] as const
export const EMPLOYEE_STATUSES = ['active', 'disabled'] as const

export const employeeSchema = z.object({
  first_name: field.required('First name', 100),
  last_name: field.required('Last name', 100),
  employee_number: field.optional('Employee number', 50),
  email: field.optionalEmail(),
  phone: field.optional('Phone', 40),
  pay_group: field.choice('Pay group', PAY_GROUPS),
  company_id: field.optionalId('company'),
  department_id: field.optionalId('department'),
  status: field.choice('Status', EMPLOYEE_STATUSES),
  hire_date: field.optionalDate('Hire date'),
})

export type EmployeeInput = z.output<typeof employeeSchema>

export function employeesQuery(db: Db) {
  return db
    .selectFrom('employees')
    .leftJoin('companies', 'companies.id', 'employees.company_id')
    .leftJoin('departments', 'departments.id', 'employees.department_id')
    .selectAll('employees')
    .select(['companies.name as company_name', 'departments.name as department_name'])
}

export type EmployeeRow = Awaited<ReturnType<ReturnType<typeof employeesQuery>['executeTakeFirstOrThrow']>>

export const getEmployee = (db: Db, id: number) => employeesQuery(db).where('employees.id', '=', id).executeTakeFirst()

export const employeeName = (e: { first_name: string; last_name: string }) => `${e.first_name} ${e.last_name}`

function uniqueRules(db: Db, input: EmployeeInput): UniqueRule[] {
  const usedBy =
    (label: string, value: string | null) =>
    async ({ id }: { id: number }) => {
      const other = await getEmployee(db, id)
      return `${label} ${value} is already used by ${other ? employeeName(other) : 'another employee'} (#${id})`
    }
  // The keys of the one definition; the message names the employee who holds the value.
  const keys = CORE_MODULES.employees.naturalKeys
  return baseRules(CORE_MODULES.employees, input).map((rule, i) => {
    const label = keys[i]!.label
    return { ...rule, message: usedBy(label.charAt(0).toUpperCase() + label.slice(1), rule.value) }
  })
}

/** Company and department must exist: a stale select option gets a message, not a foreign-key error. */
async function checkReferences(db: Db, input: EmployeeInput) {
  const errors: Record<string, string> = {}
  if (input.company_id && !(await db.selectFrom('companies').select('id').where('id', '=', input.company_id).executeTakeFirst())) {
    errors.company_id = 'This company no longer exists; choose another'
  }
  if (input.department_id && !(await db.selectFrom('departments').select('id').where('id', '=', input.department_id).executeTakeFirst())) {
    errors.department_id = 'This department no longer exists; choose another'
  }
  return Object.keys(errors).length > 0 ? errors : null
}

const spec = (db: Db, input: EmployeeInput) => ({
  table: 'employees' as const,
  entityType: 'employee',
  label: employeeName(input),
  unique: uniqueRules(db, input),
})

export async function createEmployee(db: Db, actor: Actor, input: EmployeeInput) {
  const refErrors = await checkReferences(db, input)
  if (refErrors) return { ok: false as const, errors: refErrors }
  return createRecord(db, actor, spec(db, input), input)
}

export async function updateEmployee(db: Db, actor: Actor, id: number, input: EmployeeInput) {
  const refErrors = await checkReferences(db, input)
  if (refErrors) return { ok: false as const, errors: refErrors }
  return updateRecord(db, actor, spec(db, input), id, input)
}

/** The form's choices of company and department. */
export async function employeeFormOptions(db: Db) {
  return {
    companies: await db.selectFrom('companies').select(['id', 'name']).orderBy('name').execute(),
    departments: await db.selectFrom('departments').select(['id', 'code', 'name']).orderBy('name').execute(),
  }
}
