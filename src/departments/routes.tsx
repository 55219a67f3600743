import { CORE_MODULES, recordIdentity } from '../records/core-modules.js'
import { recordRoutes, syncedColumn } from '../records/record-routes.js'
import { Field } from '../../views/components/form-fields.js'
import { createDepartment, departmentSchema, departmentsQuery, getDepartment, updateDepartment, type DepartmentInput, type DepartmentRow } from './service.js'

export const departmentsRoutes = recordRoutes<DepartmentRow, DepartmentInput, null>({
  ...recordIdentity(CORE_MODULES.departments),
  schema: departmentSchema,
  list: {
    query: departmentsQuery,
    sorts: { code: 'departments.code', name: 'departments.name' },
    defaultSort: 'code',
    searchColumns: ['departments.code', 'departments.name'],
    columns: [
      { label: 'Code', sort: 'code', cell: (r) => <a href={`/departments/${r.id}`}>{r.code}</a> },
      { label: 'Name', sort: 'name', cell: (r) => r.name },
      syncedColumn(),
    ],
  },
  get: getDepartment,
  title: (r) => `${r.code} · ${r.name}`,
  detail: (r) => [
    ['Code', r.code],
    ['Name', r.name],
  ],
  toValues: (r) => ({ code: r.code, name: r.name }),
  formOptions: async () => null,
  formFields: (f) => (
    <div class='grid'>
      <Field form={f} name='code' label='Code' required maxlength={159} />
      <Field form={f} name='name' label='Name' required maxlength={150} />
    </div>
  ),
  create: createDepartment,
  update: updateDepartment,
})
