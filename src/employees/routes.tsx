import { CORE_MODULES, recordIdentity } from '../records/core-modules.js'
import { recordRoutes, statusFilter, syncedColumn } from '../records/record-routes.js'
import { getSettings } from '../settings/service.js'
import { EmployeeFields, employeeValues, type EmployeeFormOptions } from '../../views/employees/employee-form.js'
import {
  createEmployee,
  employeeName,
  employeeSchema,
  employeesQuery,
  getEmployee,
  updateEmployee,
  type EmployeeInput,
  type EmployeeRow,
  employeeFormOptions,
} from './service.js'

export const employeesRoutes = recordRoutes<EmployeeRow, EmployeeInput, EmployeeFormOptions>({
  ...recordIdentity(CORE_MODULES.employees),
  schema: employeeSchema,
  list: {
    query: employeesQuery,
    sorts: {
      name: 'employees.last_name',
      number: 'employees.employee_number',
      email: 'employees.email',
      company: 'companies.name',
      status: 'employees.status',
    },
    defaultSort: 'name',
    searchColumns: ['employees.first_name', 'employees.last_name', 'employees.employee_number', 'employees.email', 'employees.phone'],
    filters: [statusFilter('employees.status', { active: 'Active', disabled: 'Disabled' })],
    columns: [
      {
        label: 'Name',
        sort: 'name',
        cell: (e) => (
          <a href={`/employees/${e.id}`}>
            {e.last_name}, {e.first_name}
          </a>
        ),
      },
      { label: 'Number', sort: 'number', cell: (e) => e.employee_number },
      { label: 'Email', sort: 'email', cell: (e) => e.email },
      { label: 'Company', sort: 'company', cell: (e) => e.company_name },
      { label: 'Status', sort: 'status', cell: (e) => (e.status === 'active' ? 'Active' : 'Disabled') },
      syncedColumn(),
    ],
  },
  get: getEmployee,
  title: employeeName,
  detail: (e) => [
    ['First name', e.first_name],
    ['Last name', e.last_name],
    ['Employee number', e.employee_number],
    ['Email', e.email],
    ['Phone', e.phone],
    ['Pay group', e.pay_group],
    ['Company', e.company_id ? <a href={`/companies/${e.company_id}`}>{e.company_name}</a> : null],
    ['Department', e.department_id ? <a href={`/departments/${e.department_id}`}>{e.department_name}</a> : null],
    ['Status', e.status === 'active' ? 'Active' : 'Disabled'],
    ['Hire date', e.hire_date],
  ],
  toValues: employeeValues,
  defaults: async () => ({ pay_group: 'HOURLY', status: 'active' }),
  formOptions: employeeFormOptions,
  formFields: (form, options) => <EmployeeFields form={form} options={options} />,
  creationBlocked: async (c) =>
    (await getSettings(c.var.db, c.var.config.timeZone)).employeeManualCreation
      ? null
      : 'Employee Manual Creation is off in Settings: employees come from the sync source.',
  create: createEmployee,
  update: updateEmployee,
})
