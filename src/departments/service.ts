import { CORE_MODULES, uniqueRules } from '../records/core-modules.js'
import { z } from 'zod'
import type { Db } from '../db/database.js'
import type { Actor } from '../audit/audit-log.js'
import { field } from '../lib/validation.js'
import { createRecord, updateRecord } from '../records/record-service.js'

export const departmentSchema = z.object({
  code: field.required('Code', 159),
  name: field.required('Name', 150),
})

export type DepartmentInput = z.output<typeof departmentSchema>

export const departmentsQuery = (db: Db) => db.selectFrom('departments').selectAll('departments')
export type DepartmentRow = Awaited<ReturnType<ReturnType<typeof departmentsQuery>['executeTakeFirstOrThrow']>>
export const getDepartment = (db: Db, id: number) => departmentsQuery(db).where('id', '=', id).executeTakeFirst()

const spec = (input: DepartmentInput) => ({
  table: 'departments' as const,
  entityType: 'department',
  label: `${input.code} ${input.name}`,
  unique: uniqueRules(CORE_MODULES.departments, input),
})

export const createDepartment = (db: Db, actor: Actor, input: DepartmentInput) => createRecord(db, actor, spec(input), input)
export const updateDepartment = (db: Db, actor: Actor, id: number, input: DepartmentInput) => updateRecord(db, actor, spec(input), id, input)
