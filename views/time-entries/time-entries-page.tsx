import type { Period } from '../payroll/period-nav.js'
import { formatMinutes } from '../../src/lib/format.js'
import { Field, FormError, HtmxForm, SelectField, type FormState } from '../components/form-fields.js'
import { PageHeader } from '../components/list-view.js'
import { PeriodNav } from '../payroll/period-nav.js'
import { EmployeePicker } from '../components/employee-picker.js'

export type Option = { value: string; label: string }
export type EntryOptions = { employees: Option[]; jobSites: Option[]; costCodes: Option[]; departments: Option[]; payIds: Option[] }

export type EntryRow = {
  id: number
  date: string
  employee: string
  start_time: string | null
  end_time: string | null
  minutes: number
  pay_id: string
  job_site: string | null
  cost_code: string | null
  department: string | null
  note: string | null
}

export type TimeEntriesView = {
  period: Period
  previous: Period
  next: Period
  locked: boolean
  employeeFilter: string
  rows: EntryRow[]
  /** This page of the period's entries; `entries` and `minutes` are of all of them. */
  paging: { page: number; pages: number; entries: number; minutes: number }
  options: EntryOptions
  /** The employee filter's choices: a few, the filtered employee among them. */
  filterOptions: Option[]
  canManage: boolean
  form: FormState
  importResult?: { errors: { row: number; message: string }[]; filename?: string }
}

const none = (label: string): Option => ({ value: '', label })

export function TimeEntryForm(props: { form: FormState; options: EntryOptions; action: string; submit: string }) {
  const o = props.options
  return (
    <HtmxForm action={props.action} id='time-entry-form'>
      <FormError form={props.form} />
      <div class='grid'>
        <EmployeePicker
          id='field-employee_id'
          name='employee_id'
          label='Employee'
          required
          options={o.employees}
          selected={props.form.values.employee_id ?? ''}
          empty='Choose…'
          error={props.form.errors.employee_id}
        />
        <Field form={props.form} name='date' label='Date' type='date' required />
        <SelectField form={props.form} name='pay_id' label='Pay ID' required options={o.payIds} />
      </div>
      <div class='grid'>
        <Field form={props.form} name='start_time' label='Start' hint='07:00' />
        <Field form={props.form} name='end_time' label='End' hint='15:30' />
        <Field form={props.form} name='hours' label='Hours' hint='Or the hours, without start and end' />
      </div>
      <div class='grid'>
        <SelectField form={props.form} name='job_site_id' label='Job site' options={[none('None'), ...o.jobSites]} />
        <SelectField form={props.form} name='cost_code_id' label='Cost code' options={[none('None'), ...o.costCodes]} />
        <SelectField form={props.form} name='department_id' label='Department' options={[none('None'), ...o.departments]} />
      </div>
      <Field form={props.form} name='note' label='Note' maxlength={500} />
      <button type='submit'>{props.submit}</button>
    </HtmxForm>
  )
}

export function TimeEntriesPage(v: TimeEntriesView) {
  return (
    <>
      <PageHeader title='Time entries' />
      <PeriodNav
        basePath='/time-entries'
        period={v.period}
        previous={v.previous}
        next={v.next}
        status={v.locked ? 'approved' : 'open'}
        extra={v.employeeFilter ? { employee: v.employeeFilter } : {}}
      />
      <form method='get' action='/time-entries' class='filters'>
        <input type='hidden' name='period' value={v.period.start} />
        <EmployeePicker
          id='employee-filter'
          name='employee'
          label='Employee'
          options={v.filterOptions}
          selected={v.employeeFilter}
          empty='Everyone'
          selectAttributes={{ 'hx-get': '/time-entries', 'hx-trigger': 'change', 'hx-target': 'body', 'hx-push-url': 'true', 'hx-include': 'closest form' }}
        />
        <noscript>
          <button type='submit'>Show</button>
        </noscript>
      </form>
      {v.rows.length === 0 ? (
        <p class='muted'>No time in this period{v.employeeFilter ? ' for this employee' : ''}.</p>
      ) : (
        <table class='striped' id='time-entries'>
          <thead>
            <tr>
              <th scope='col'>Date</th>
              <th scope='col'>Employee</th>
              <th scope='col'>Time</th>
              <th scope='col'>Hours</th>
              <th scope='col'>Pay ID</th>
              <th scope='col'>Job site</th>
              <th scope='col'>Cost code</th>
              <th scope='col'>Department</th>
              <th scope='col'>Note</th>
              {v.canManage && !v.locked && <th scope='col'>Actions</th>}
            </tr>
          </thead>
          <tbody>
            {v.rows.map((r) => (
              <tr>
                <td>{r.date}</td>
                <td>{r.employee}</td>
                <td>{r.start_time ? `${r.start_time}-${r.end_time}` : ''}</td>
                <td>{formatMinutes(r.minutes)}</td>
                <td>
                  <code>{r.pay_id}</code>
                </td>
                <td>{r.job_site}</td>
                <td>{r.cost_code}</td>
                <td>{r.department}</td>
                <td>{r.note}</td>
                {v.canManage && !v.locked && (
                  <td class='row-actions'>
                    <a href={`/time-entries/${r.id}/edit`}>Edit</a>
                    <form method='post' action={`/time-entries/${r.id}/delete`} class='inline'>
                      <button type='submit' class='secondary outline small'>
                        Delete
                      </button>
                    </form>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope='row' colspan={3}>
                Total
              </th>
              <td>{formatMinutes(v.paging.minutes)}</td>
              <td colspan={v.canManage && !v.locked ? 6 : 5}>
                {v.paging.pages > 1 ? `${v.paging.entries.toLocaleString('en-US')} entries in the period` : ''}
              </td>
            </tr>
          </tfoot>
        </table>
      )}
      {v.paging.pages > 1 && (
        <nav aria-label='Time entry pages' class='pager'>
          {v.paging.page > 1 && <a href={entriesPageUrl(v, v.paging.page - 1)}>← Previous</a>} Page {v.paging.page} of {v.paging.pages}{' '}
          {v.paging.page < v.paging.pages && <a href={entriesPageUrl(v, v.paging.page + 1)}>Next →</a>}
        </nav>
      )}
      {v.canManage &&
        (v.locked ? (
          <p class='muted'>This period is approved and locked. Unlock it on the Payroll tab to correct time.</p>
        ) : (
          <section>
            <h2>Add time</h2>
            <TimeEntryForm form={v.form} options={v.options} action={`/time-entries?period=${v.period.start}`} submit='Add time' />
            <ImportSection period={v.period.start} result={v.importResult} />
          </section>
        ))}
    </>
  )
}

/** Importing a file of time entries; all rows or none, every bad row listed. */
function ImportSection(props: { period: string; result?: { errors: { row: number; message: string }[]; filename?: string } }) {
  return (
    <section id='time-import'>
      <h2>Import time from a file</h2>
      <p class='muted'>
        A CSV or XLSX file whose first row names the columns: Employee number, Date (YYYY-MM-DD), Start and End (07:30), or Hours, Job site (number), Cost code,
        Department (code), Pay ID, Note. One bad row imports nothing; fix the rows listed and import the whole file again.
      </p>
      {props.result && props.result.errors.length > 0 && (
        <div class='flash flash-error' role='alert'>
          <p>{props.result.filename ? `${props.result.filename} was not imported:` : 'Nothing was imported:'}</p>
          <ul>
            {props.result.errors.slice(0, 200).map((e) => (
              <li>{e.row > 0 ? `Row ${e.row}: ${e.message}` : e.message}</li>
            ))}
          </ul>
          {props.result.errors.length > 200 && <p>…and {props.result.errors.length - 200} more.</p>}
        </div>
      )}
      <form method='post' action={`/time-entries/import?period=${props.period}`} enctype='multipart/form-data'>
        <input type='file' name='file' accept='.csv,.xlsx' aria-label='File of time entries' required />
        <button type='submit' class='secondary'>
          Import
        </button>
      </form>
    </section>
  )
}

const entriesPageUrl = (v: TimeEntriesView, page: number) =>
  `/time-entries?${new URLSearchParams({ period: v.period.start, ...(v.employeeFilter ? { employee: v.employeeFilter } : {}), page: String(page) })}`
