import { CORE_MODULES, recordIdentity } from '../records/core-modules.js'
import { recordRoutes, syncedColumn } from '../records/record-routes.js'
import { Field, SelectField } from '../../views/components/form-fields.js'
import { costCodeSchema, costCodesQuery, createCostCode, getCostCode, updateCostCode, type CostCodeInput, type CostCodeRow, jobSiteChoices } from './service.js'

type Options = { jobSites: { id: number; number: string; name: string }[] }

export const costCodesRoutes = recordRoutes<CostCodeRow, CostCodeInput, Options>({
  ...recordIdentity(CORE_MODULES.cost_codes),
  schema: costCodeSchema,
  list: {
    query: costCodesQuery,
    sorts: { code: 'cost_codes.code', name: 'cost_codes.name', job_site: 'job_sites.number' },
    defaultSort: 'code',
    searchColumns: ['cost_codes.code', 'cost_codes.name', 'cost_codes.description', 'job_sites.number', 'job_sites.name'],
    filters: [
      {
        name: 'scope',
        label: 'Kind',
        options: [
          { value: '', label: 'Standard and job site' },
          { value: 'standard', label: 'Standard only' },
          { value: 'job_site', label: 'Job site only' },
        ],
        apply: (q, v) => q.where('cost_codes.job_site_id', v === 'standard' ? 'is' : 'is not', null),
      },
    ],
    columns: [
      { label: 'Code', sort: 'code', cell: (r) => <a href={`/cost-codes/${r.id}`}>{r.code}</a> },
      { label: 'Name', sort: 'name', cell: (r) => r.name },
      { label: 'Job site', sort: 'job_site', cell: (r) => (r.job_site_id ? `${r.job_site_number} · ${r.job_site_name}` : <span class='muted'>Standard</span>) },
      syncedColumn(),
    ],
  },
  get: getCostCode,
  title: (r) => `${r.code} · ${r.name}`,
  detail: (r) => [
    ['Code', r.code],
    ['Name', r.name],
    ['Description', r.description],
    [
      'Job site',
      r.job_site_id ? (
        <a href={`/job-sites/${r.job_site_id}`}>
          {r.job_site_number} · {r.job_site_name}
        </a>
      ) : (
        'Standard (every job site)'
      ),
    ],
  ],
  toValues: (r) => ({ code: r.code, name: r.name, description: r.description ?? '', job_site_id: r.job_site_id ? String(r.job_site_id) : '' }),
  formOptions: async (db) => ({ jobSites: await jobSiteChoices(db) }),
  formFields: (f, options) => (
    <>
      <div class='grid'>
        <Field form={f} name='code' label='Code' required maxlength={159} />
        <Field form={f} name='name' label='Name' required maxlength={150} />
      </div>
      <Field form={f} name='description' label='Description' maxlength={500} />
      <SelectField
        form={f}
        name='job_site_id'
        label='Job site'
        hint='Standard cost codes apply to every job site.'
        options={[
          { value: '', label: 'Standard (every job site)' },
          ...options.jobSites.map((j) => ({ value: String(j.id), label: `${j.number} · ${j.name}` })),
        ]}
      />
    </>
  ),
  create: createCostCode,
  update: updateCostCode,
})
