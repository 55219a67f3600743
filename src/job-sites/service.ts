import { CORE_MODULES, uniqueRules } from '../records/core-modules.js'
import { z } from 'zod'
import type { Db } from '../db/database.js'
import type { Actor } from '../audit/audit-log.js'
import { field } from '../lib/validation.js'
import { createRecord, updateRecord } from '../records/record-service.js'

export const JOB_SITE_STATUSES = ['active', 'archived', 'disabled'] as const

export const jobSiteSchema = z
  .object({
    number: field.required('Number', 209),
    name: field.required('Name', 150),
    street: field.optional('Street', 200),
    city: field.optional('City', 100),
    state: field.optional('State', 50),
    zip: field.optional('ZIP', 20),
    country: z
      .preprocess(
        (v) => (typeof v === 'string' ? v.trim().toUpperCase() : v),
        z.union([z.literal(''), z.string().regex(/^[A-Z]{2}$/, 'Country must be a two-letter ISO code such as US')]),
      )
      .transform((v) => v || null),
    start_date: field.optionalDate('Start date'),
    end_date: field.optionalDate('End date'),
    status: field.choice('Status', JOB_SITE_STATUSES),
  })
  .refine((v) => !v.start_date || !v.end_date || v.start_date <= v.end_date, {
    path: ['end_date'],
    message: 'End date must be on or after the start date',
  })

export type JobSiteInput = z.output<typeof jobSiteSchema>

export const jobSitesQuery = (db: Db) => db.selectFrom('job_sites').selectAll('job_sites')
export type JobSiteRow = Awaited<ReturnType<ReturnType<typeof jobSitesQuery>['executeTakeFirstOrThrow']>>
export const getJobSite = (db: Db, id: number) => jobSitesQuery(db).where('id', '=', id).executeTakeFirst()

export const jobSiteStatusLabel = (s: string) => ({ active: 'Active', archived: 'Archived', disabled: 'Disabled' })[s] ?? s

const spec = (input: JobSiteInput) => ({
  table: 'job_sites' as const,
  entityType: 'job_site',
  label: `${input.number} ${input.name}`,
  unique: uniqueRules(CORE_MODULES.job_sites, input),
})

export const createJobSite = (db: Db, actor: Actor, input: JobSiteInput) => createRecord(db, actor, spec(input), input)
export const updateJobSite = (db: Db, actor: Actor, id: number, input: JobSiteInput) => updateRecord(db, actor, spec(input), id, input)
