import { Hono } from 'hono'
import type { AppEnv } from '../http/app-env.js'
import { requires } from '../auth/access.js'
import { employeeChoices } from './choices.js'
import { PickerOptions } from '../../views/components/employee-picker.js'

// /employees/choices: the options of an employee picker for what was typed (htmx swaps them in).

export const employeeChoicesRoutes = new Hono<AppEnv>()

employeeChoicesRoutes.get('/', requires('payroll.view'), async (c) => {
  const selected = c.req.query('selected') ?? ''
  const options = await employeeChoices(c.var.db, { q: c.req.query('employee_search') ?? c.req.query('q') ?? '', selected })
  return c.html(<PickerOptions options={options} selected={selected} empty={(c.req.query('empty') ?? 'Choose…').slice(0, 40)} />)
})
