import type { FormValues } from '../../src/lib/validation.js'
import { Field, SelectField, StatusField, type FormState } from '../components/form-fields.js'

export type EmployeeFormOptions = {
  companies: { id: number; name: string }[]
  departments: { id: number; code: string; name: string }[]
}

export function employeeValues(e: {
  first_name: string
  last_name: string
  employee_number: string | null
  email: string | null
  phone: string | null
  pay_group: string
  company_id: number | null
  department_id: number | null
  status: string
  hire_date: string | null
}): FormValues {
  return {
    first_name: e.first_name,
    last_name: e.last_name,
    employee_number: e.employee_number ?? '',
    email: e.email ?? '',
    phone: e.phone ?? '',
    pay_group: e.pay_group,
    company_id: e.company_id ? String(e.company_id) : '',
    department_id: e.department_id ? String(e.department_id) : '',
    status: e.status,
    hire_date: e.hire_date ?? '',
  }
}

export function EmployeeFields(props: { form: FormState; options: EmployeeFormOptions }) {
  const f = props.form
  return (
    <>
      <div class='grid'>
        <Field form={f} name='first_name' label='First name' required maxlength={100} />
        <Field form={f} name='last_name' label='Last name' required maxlength={100} />
      </div>
      <div class='grid'>
        <Field form={f} name='employee_number' label='Employee number' maxlength={50} hint='Unique; used to match records from payroll.' />
        <Field form={f} name='email' label='Email' type='email' maxlength={254} />
        <Field form={f} name='phone' label='Phone' type='tel' maxlength={40} />
      </div>
      <div class='grid'>
        <SelectField
          form={f}
          name='pay_group'
          label='Pay group'
          required
          options={[
            { value: 'HOURLY', label: 'Hourly' },
            { value: 'SALARY', label: 'Salary' },
          ]}
        />
        <StatusField form={f} statuses={{ active: 'Active', disabled: 'Disabled' }} />
        <Field form={f} name='hire_date' label='Hire date' type='date' />
      </div>
      <div class='grid'>
        <SelectField
          form={f}
          name='company_id'
          label='Company'
          options={[{ value: '', label: '— None —' }, ...props.options.companies.map((c) => ({ value: String(c.id), label: c.name }))]}
        />
        <SelectField
          form={f}
          name='department_id'
          label='Department'
          options={[{ value: '', label: '— None —' }, ...props.options.departments.map((d) => ({ value: String(d.id), label: `${d.code} · ${d.name}` }))]}
        />
      </div>
    </>
  )
}
