import { CORE_MODULES, uniqueRules } from '../records/core-modules.js'
import { z } from 'zod'
import type { Db } from '../db/database.js'
import type { Actor } from '../audit/audit-log.js'
import { field } from '../lib/validation.js'
import { createRecord, updateRecord } from '../records/record-service.js'

export const companySchema = z.object({
  name: field.required('Name', 150),
  prefix: field.optional('Prefix', 20),
  status: field.choice('Status', ['active', 'disabled'] as const),
  payroll_company: field.checkbox().transform((v) => (v ? 1 : 0)),
})

export type CompanyInput = z.output<typeof companySchema>

export const companiesQuery = (db: Db) => db.selectFrom('companies').selectAll('companies')
export type CompanyRow = Awaited<ReturnType<ReturnType<typeof companiesQuery>['executeTakeFirstOrThrow']>>
export const getCompany = (db: Db, id: number) => companiesQuery(db).where('id', '=', id).executeTakeFirst()

const spec = (input: CompanyInput) => ({
  table: 'companies' as const,
  entityType: 'company',
  label: input.name,
  unique: uniqueRules(CORE_MODULES.companies, input),
})

export const createCompany = (db: Db, actor: Actor, input: CompanyInput) => createRecord(db, actor, spec(input), input)
export const updateCompany = (db: Db, actor: Actor, id: number, input: CompanyInput) => updateRecord(db, actor, spec(input), id, input)
