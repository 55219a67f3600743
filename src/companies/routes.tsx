import { CORE_MODULES, recordIdentity } from '../records/core-modules.js'
import { recordRoutes, syncedColumn } from '../records/record-routes.js'
import { getSettings } from '../settings/service.js'
import { CheckboxField, Field, StatusField } from '../../views/components/form-fields.js'
import { companiesQuery, companySchema, createCompany, getCompany, updateCompany, type CompanyInput, type CompanyRow } from './service.js'

const statusLabel = (s: string) => (s === 'active' ? 'Active' : 'Disabled')

export const companiesRoutes = recordRoutes<CompanyRow, CompanyInput, null>({
  ...recordIdentity(CORE_MODULES.companies),
  schema: companySchema,
  list: {
    query: companiesQuery,
    sorts: { name: 'companies.name', prefix: 'companies.prefix', status: 'companies.status' },
    defaultSort: 'name',
    searchColumns: ['companies.name', 'companies.prefix'],
    columns: [
      { label: 'Name', sort: 'name', cell: (r) => <a href={`/companies/${r.id}`}>{r.name}</a> },
      { label: 'Prefix', sort: 'prefix', cell: (r) => r.prefix },
      { label: 'Status', sort: 'status', cell: (r) => statusLabel(r.status) },
      { label: 'Payroll company', cell: (r) => (r.payroll_company ? 'Yes' : 'No') },
      syncedColumn(),
    ],
  },
  get: getCompany,
  title: (r) => r.name,
  detail: (r) => [
    ['Name', r.name],
    ['Prefix', r.prefix],
    ['Status', statusLabel(r.status)],
    ['Payroll company', r.payroll_company ? 'Yes' : 'No'],
  ],
  toValues: (r) => ({ name: r.name, prefix: r.prefix ?? '', status: r.status, payroll_company: r.payroll_company ? 'on' : '' }),
  defaults: async () => ({ status: 'active' }),
  formOptions: async () => null,
  formFields: (f) => (
    <>
      <div class='grid'>
        <Field form={f} name='name' label='Name' required maxlength={150} />
        <Field form={f} name='prefix' label='Prefix' maxlength={20} hint='Short code shown before employee numbers, optional.' />
        <StatusField form={f} statuses={{ active: 'Active', disabled: 'Disabled' }} />
      </div>
      <CheckboxField form={f} name='payroll_company' label='Payroll company' hint='Hours of its employees are sent to payroll under this company.' />
    </>
  ),
  creationBlocked: async (c) =>
    (await getSettings(c.var.db, c.var.config.timeZone)).companyManualCreation
      ? null
      : 'Company Manual Creation is off in Settings: companies come from the sync source.',
  create: createCompany,
  update: updateCompany,
})
