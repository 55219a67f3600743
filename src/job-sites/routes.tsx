import { CORE_MODULES, recordIdentity } from '../records/core-modules.js'
import { recordRoutes, statusFilter, syncedColumn } from '../records/record-routes.js'
import { getSettings } from '../settings/service.js'
import { Field, StatusField } from '../../views/components/form-fields.js'
import { createJobSite, getJobSite, jobSiteSchema, jobSitesQuery, jobSiteStatusLabel, updateJobSite, type JobSiteInput, type JobSiteRow } from './service.js'

export const jobSitesRoutes = recordRoutes<JobSiteRow, JobSiteInput, null>({
  ...recordIdentity(CORE_MODULES.job_sites),
  schema: jobSiteSchema,
  list: {
    query: jobSitesQuery,
    sorts: { number: 'job_sites.number', name: 'job_sites.name', city: 'job_sites.city', status: 'job_sites.status', start: 'job_sites.start_date' },
    defaultSort: 'number',
    searchColumns: ['job_sites.number', 'job_sites.name', 'job_sites.street', 'job_sites.city', 'job_sites.zip'],
    filters: [statusFilter('job_sites.status', { active: 'Active', archived: 'Archived', disabled: 'Disabled' })],
    columns: [
      { label: 'Number', sort: 'number', cell: (r) => <a href={`/job-sites/${r.id}`}>{r.number}</a> },
      { label: 'Name', sort: 'name', cell: (r) => r.name },
      { label: 'City', sort: 'city', cell: (r) => [r.city, r.state].filter(Boolean).join(', ') },
      { label: 'Start', sort: 'start', cell: (r) => r.start_date },
      { label: 'Status', sort: 'status', cell: (r) => jobSiteStatusLabel(r.status) },
      syncedColumn(),
    ],
  },
  get: getJobSite,
  title: (r) => `${r.number} · ${r.name}`,
  detail: (r) => [
    ['Number', r.number],
    ['Name', r.name],
    ['Street', r.street],
    ['City', r.city],
    ['State', r.state],
    ['ZIP', r.zip],
    ['Country', r.country],
    ['Start date', r.start_date],
    ['End date', r.end_date],
    ['Status', jobSiteStatusLabel(r.status)],
    ['Cost codes', <a href={`/cost-codes?q=${encodeURIComponent(r.number)}`}>Cost codes of this job site</a>],
  ],
  toValues: (r) => ({
    number: r.number,
    name: r.name,
    street: r.street ?? '',
    city: r.city ?? '',
    state: r.state ?? '',
    zip: r.zip ?? '',
    country: r.country ?? '',
    start_date: r.start_date ?? '',
    end_date: r.end_date ?? '',
    status: r.status,
  }),
  defaults: async (c) => ({ status: 'active', country: (await getSettings(c.var.db, c.var.config.timeZone)).defaultCountry }),
  formOptions: async () => null,
  formFields: (f) => (
    <>
      <div class='grid'>
        <Field form={f} name='number' label='Number' required maxlength={209} />
        <Field form={f} name='name' label='Name' required maxlength={150} />
        <StatusField form={f} statuses={{ active: 'Active', archived: 'Archived', disabled: 'Disabled' }} />
      </div>
      <Field form={f} name='street' label='Street' maxlength={200} />
      <div class='grid'>
        <Field form={f} name='city' label='City' maxlength={100} />
        <Field form={f} name='state' label='State' maxlength={50} />
        <Field form={f} name='zip' label='ZIP' maxlength={20} />
        <Field form={f} name='country' label='Country' maxlength={2} hint='Two-letter code, e.g. US.' />
      </div>
      <div class='grid'>
        <Field form={f} name='start_date' label='Start date' type='date' />
        <Field form={f} name='end_date' label='End date' type='date' />
      </div>
    </>
  ),
  create: createJobSite,
  update: updateJobSite,
})
