import { CORE_MODULES, uniqueRules } from '../records/core-modules.js'
import { z } from 'zod'
import type { Db } from '../db/database.js'
import type { Actor } from '../audit/audit-log.js'
import { field } from '../lib/validation.js'
import { createRecord, updateRecord } from '../records/record-service.js'

export const costCodeSchema = z.object({
  code: field.required('Code', 159),
  name: field.required('Name', 150),
  description: field.optional('Description', 500),
  job_site_id: field.optionalId('job site'),
})

export type CostCodeInput = z.output<typeof costCodeSchema>

export const costCodesQuery = (db: Db) =>
  db
    .selectFrom('cost_codes')
    .leftJoin('job_sites', 'job_sites.id', 'cost_codes.job_site_id')
    .selectAll('cost_codes')
    .select(['job_sites.number as job_site_number', 'job_sites.name as job_site_name'])

export type CostCodeRow = Awaited<ReturnType<ReturnType<typeof costCodesQuery>['executeTakeFirstOrThrow']>>
export const getCostCode = (db: Db, id: number) => costCodesQuery(db).where('cost_codes.id', '=', id).executeTakeFirst()

const spec = (input: CostCodeInput) => ({
  table: 'cost_codes' as const,
  entityType: 'cost_code',
  label: `${input.code} ${input.name}`,
  unique: uniqueRules(CORE_MODULES.cost_codes, input),
})

async function jobSiteMissing(db: Db, input: CostCodeInput) {
  if (!input.job_site_id) return null
  const found = await db.selectFrom('job_sites').select('id').where('id', '=', input.job_site_id).executeTakeFirst()
  return found ? null : { job_site_id: 'This job site no longer exists; choose another' }
}

export async function createCostCode(db: Db, actor: Actor, input: CostCodeInput) {
  const missing = await jobSiteMissing(db, input)
  return missing ? { ok: false as const, errors: missing } : createRecord(db, actor, spec(input), input)
}

export async function updateCostCode(db: Db, actor: Actor, id: number, input: CostCodeInput) {
  const missing = await jobSiteMissing(db, input)
  return missing ? { ok: false as const, errors: missing } : updateRecord(db, actor, spec(input), id, input)
}

/** The job sites a cost code can belong to. */
export const jobSiteChoices = (db: Db) => db.selectFrom('job_sites').select(['id', 'number', 'name']).orderBy('number').execute()
