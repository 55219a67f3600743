import { CORE_MODULES, recordIdentity } from '../records/core-modules.js'
import { recordRoutes, syncedColumn } from '../records/record-routes.js'
import { Field } from '../../views/components/form-fields.js'
import {
  createPayrollItem,
  getPayrollItem,
  payrollItemSchema,
  payrollItemsQuery,
  updatePayrollItem,
  type PayrollItemInput,
  type PayrollItemRow,
} from './service.js'

/** The target platform's pay codes: synced (module Payroll items) or entered by hand. */
export const payrollItemsRoutes = recordRoutes<PayrollItemRow, PayrollItemInput, null>({
  ...recordIdentity(CORE_MODULES.payroll_items),
  schema: payrollItemSchema,
  list: {
    query: payrollItemsQuery,
    sorts: { name: 'payroll_items.name' },
    defaultSort: 'name',
    searchColumns: ['payroll_items.name', 'payroll_items.description'],
    columns: [
      { label: 'Name', sort: 'name', cell: (r) => <a href={`/payroll-items/${r.id}`}>{r.name}</a> },
      { label: 'Description', cell: (r) => r.description },
      syncedColumn(),
    ],
  },
  get: getPayrollItem,
  title: (r) => r.name,
  detail: (r) => [
    ['Name', r.name],
    ['Description', r.description],
    ['Note', r.note],
  ],
  toValues: (r) => ({ name: r.name, description: r.description ?? '', note: r.note ?? '' }),
  formOptions: async () => null,
  formFields: (f) => (
    <>
      <Field form={f} name='name' label='Name' required maxlength={100} />
      <Field form={f} name='description' label='Description' maxlength={300} />
      <Field form={f} name='note' label='Note' maxlength={1000} />
    </>
  ),
  create: createPayrollItem,
  update: updatePayrollItem,
})
