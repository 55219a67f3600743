import { CORE_MODULES, uniqueRules } from '../records/core-modules.js'
import { z } from 'zod'
import type { Db } from '../db/database.js'
import type { Actor } from '../audit/audit-log.js'
import { field } from '../lib/validation.js'
import { createRecord, updateRecord } from '../records/record-service.js'

export const payrollItemSchema = z.object({
  name: field.required('Name', 100),
  description: field.optional('Description', 300),
  note: field.optional('Note', 1000),
})

export type PayrollItemInput = z.output<typeof payrollItemSchema>

export const payrollItemsQuery = (db: Db) => db.selectFrom('payroll_items').selectAll('payroll_items')
export type PayrollItemRow = Awaited<ReturnType<ReturnType<typeof payrollItemsQuery>['executeTakeFirstOrThrow']>>
export const getPayrollItem = (db: Db, id: number) => payrollItemsQuery(db).where('id', '=', id).executeTakeFirst()

const spec = (input: PayrollItemInput) => ({
  table: 'payroll_items' as const,
  entityType: 'payroll_item',
  label: input.name,
  unique: uniqueRules(CORE_MODULES.payroll_items, input),
})

export const createPayrollItem = (db: Db, actor: Actor, input: PayrollItemInput) => createRecord(db, actor, spec(input), input)
export const updatePayrollItem = (db: Db, actor: Actor, id: number, input: PayrollItemInput) => updateRecord(db, actor, spec(input), id, input)
