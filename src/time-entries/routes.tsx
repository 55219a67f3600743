import { Hono, type Context } from 'hono'
import type { AppEnv } from '../http/app-env.js'
import { requires } from '../auth/access.js'
import { actorOf } from '../http/actor.js'
import { readFormValues } from '../http/forms.js'
import { redirectTo, wantsFragment } from '../http/htmx.js'
import { setFlash } from '../http/flash.js'
import { renderError } from '../http/errors.js'
import { renderPage } from '../http/render.js'
import { emptyForm, type FormState } from '../../views/components/form-fields.js'
import { PageHeader } from '../../views/components/list-view.js'
import { TimeEntriesPage, TimeEntryForm, type EntryOptions } from '../../views/time-entries/time-entries-page.js'
import { getPayrollSettings } from '../payroll/payroll-settings.js'
import { periodOf, shiftPeriod } from '../payroll/pay-periods.js'
import { isCalendarDate } from '../lib/dates.js'
import { deleteTimeEntry, lockedPeriod, saveTimeEntry } from './service.js'
import { today } from '../lib/format.js'
import { importTimeCsv, type RowError } from './csv-import.js'
import { unprintableFormField } from '../http/printable-input.js'
import { employeeChoices } from '../employees/choices.js'
import { entryOptions, getTimeEntry, periodEntries } from './queries.js'

export const timeEntriesRoutes = new Hono<AppEnv>()

/** The pay period the page shows: the one holding ?period=, else today's. */
export async function requestedPeriod(c: Context<AppEnv>) {
  const settings = await getPayrollSettings(c.var.db, c.var.config.timeZone)
  const asked = c.req.query('period') ?? ''
  const period = periodOf(settings.schedule, isCalendarDate(asked) ? asked : today(c.var.config.timeZone))
  return { settings, period, previous: shiftPeriod(settings.schedule, period, -1), next: shiftPeriod(settings.schedule, period, 1) }
}

async function listPage(
  c: Context<AppEnv>,
  form: FormState = emptyForm({ pay_id: 'REG' }),
  status: 200 | 422 = 200,
  importResult?: { errors: RowError[]; filename?: string },
) {
  const { period, previous, next } = await requestedPeriod(c)
  const employeeFilter = /^\d+$/.test(c.req.query('employee') ?? '') ? c.req.query('employee')! : ''
  const { rows, page, pages, entries, minutes } = await periodEntries(c.var.db, period, {
    employeeId: employeeFilter ? Number(employeeFilter) : null,
    page: Number(c.req.query('page')) || 1,
  })
  const locked = !!(await lockedPeriod(c.var.db, period.start))
  const view = {
    period,
    previous,
    next,
    locked,
    employeeFilter,
    rows,
    paging: { page, pages, entries, minutes },
    options: await entryOptions(c.var.db, form.values.employee_id ?? employeeFilter),
    filterOptions: await employeeChoices(c.var.db, { selected: employeeFilter }),
    canManage: c.var.user!.permissions.has('time_entries.manage'),
    importResult,
    form: { values: { date: period.start, employee_id: employeeFilter, ...form.values }, errors: form.errors },
  }
  return renderPage(c, 'Time entries', <TimeEntriesPage {...view} />, status)
}

timeEntriesRoutes.get('/', requires('payroll.view'), (c) => listPage(c))

timeEntriesRoutes.post('/', requires('time_entries.manage'), async (c) => {
  const values = await readFormValues(c)
  const saved = await saveTimeEntry(c.var.db, actorOf(c), values, { source: 'manual' })
  if (!saved.ok) {
    const form = { values, errors: saved.errors }
    return wantsFragment(c)
      ? c.html(
          <TimeEntryForm
            form={form}
            options={await entryOptions(c.var.db, form.values.employee_id)}
            action={c.req.url.replace(/^https?:\/\/[^/]+/, '')}
            submit='Add time'
          />,
          422,
        )
      : listPage(c, form, 422)
  }
  setFlash(c, `Added time for ${values.date}.`)
  return redirectTo(
    c,
    `/time-entries?${new URLSearchParams({ period: values.date ?? '', ...(c.req.query('employee') ? { employee: c.req.query('employee')! } : {}) })}`,
  )
})

// Before /:id, which would take "import" for an id.
timeEntriesRoutes.post('/import', requires('time_entries.manage'), async (c) => {
  const body = await c.req.parseBody()
  const unprintable = unprintableFormField(c, body)
  if (unprintable) return unprintable
  const file = body.file
  if (!(file instanceof File) || file.size === 0)
    return listPage(c, undefined, 422, { errors: [{ row: 0, message: 'Choose a CSV or XLSX file of time entries to import' }] })
  const result = await importTimeCsv(c.var.db, actorOf(c), { filename: file.name, content: Buffer.from(await file.arrayBuffer()) })
  if (!result.ok) return listPage(c, undefined, 422, { errors: result.errors, filename: file.name })
  setFlash(c, `Imported ${result.imported} time entries from ${file.name}.`)
  return redirectTo(c, `/time-entries?period=${c.req.query('period') ?? ''}`)
})

const parseId = (c: Context<AppEnv>) => {
  const id = Number(c.req.param('id'))
  return Number.isSafeInteger(id) && id > 0 ? id : 0
}

function editPage(c: Context<AppEnv>, id: number, form: FormState, options: EntryOptions, status: 200 | 422 = 200) {
  const content = (
    <>
      <PageHeader title='Edit time entry' breadcrumb={{ href: `/time-entries?period=${form.values.date ?? ''}`, label: 'Time entries' }} />
      <TimeEntryForm form={form} options={options} action={`/time-entries/${id}`} submit='Save changes' />
    </>
  )
  return wantsFragment(c) && status === 422
    ? c.html(<TimeEntryForm form={form} options={options} action={`/time-entries/${id}`} submit='Save changes' />, 422)
    : renderPage(c, 'Edit time entry', content, status)
}

timeEntriesRoutes.get('/:id/edit', requires('time_entries.manage'), async (c) => {
  const e = await getTimeEntry(c.var.db, parseId(c))
  if (!e) return renderError(c, 404)
  const str = (v: unknown) => (v === null || v === undefined ? '' : String(v))
  const values = {
    employee_id: str(e.employee_id),
    date: e.date,
    start_time: str(e.start_time),
    end_time: str(e.end_time),
    hours: e.start_time ? '' : String(e.minutes / 60),
    job_site_id: str(e.job_site_id),
    cost_code_id: str(e.cost_code_id),
    department_id: str(e.department_id),
    pay_id: e.pay_id,
    note: str(e.note),
  }
  return editPage(c, e.id, emptyForm(values), await entryOptions(c.var.db, values.employee_id))
})

timeEntriesRoutes.post('/:id', requires('time_entries.manage'), async (c) => {
  const id = parseId(c)
  const values = await readFormValues(c)
  const saved = await saveTimeEntry(c.var.db, actorOf(c), values, { id, source: 'manual' })
  if (!saved.ok) {
    if (saved.errors._form && !(await getTimeEntry(c.var.db, id))) return renderError(c, 404)
    return editPage(c, id, { values, errors: saved.errors }, await entryOptions(c.var.db, values.employee_id), 422)
  }
  setFlash(c, 'Saved the time entry.')
  return redirectTo(c, `/time-entries?period=${values.date}`)
})

timeEntriesRoutes.post('/:id/delete', requires('time_entries.manage'), async (c) => {
  const id = parseId(c)
  const entry = await getTimeEntry(c.var.db, id)
  if (!entry) return renderError(c, 404)
  const result = await deleteTimeEntry(c.var.db, actorOf(c), id)
  setFlash(c, result.ok ? 'Deleted the time entry.' : result.error, result.ok ? 'success' : 'error')
  return redirectTo(c, `/time-entries?period=${entry.date}`)
})
