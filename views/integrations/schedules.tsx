import type { ModuleView } from './connector-view.js'
import { CheckboxField, Field, SelectField, type FormState } from '../components/form-fields.js'

export type ScheduleRowView = { module: ModuleView; action: string; form: FormState; nextRun: Date | null; timeZone: string }

function nextRunText(row: ScheduleRowView): string {
  if (!row.nextRun) return row.form.values.preset === 'off' ? 'Off' : 'Not running: the integration must be activated and the sync source'
  const local = new Intl.DateTimeFormat('en-CA', { timeZone: row.timeZone, dateStyle: 'short', timeStyle: 'short', hourCycle: 'h23' }).format(row.nextRun)
  return `Next run ${local} (${row.timeZone})`
}

export function ScheduleForm(props: { row: ScheduleRowView; canSetup: boolean; saved?: boolean }) {
  const { row } = props
  const id = `schedule-${row.module.id}`
  const f = row.form
  return (
    <form id={id} method='post' action={row.action} hx-post={row.action} hx-target='this' hx-swap='outerHTML' class='schedule-form'>
      <fieldset disabled={!props.canSetup}>
        <legend>
          {row.module.label} · <small class='muted'>{nextRunText(row)}</small>
          {props.saved && <small class='saved'> · saved</small>}
        </legend>
        <div class='grid'>
          <SelectField
            form={f}
            name='preset'
            label='Schedule'
            options={[
              { value: 'off', label: 'Off' },
              { value: 'every15', label: 'Every 15 minutes' },
              { value: 'hourly', label: 'Hourly' },
              { value: 'daily', label: 'Daily at…' },
              { value: 'custom', label: 'Custom cron expression' },
            ]}
          />
          <Field form={f} name='hour' label='Hour (daily)' type='number' />
          <Field form={f} name='cron' label='Cron (custom)' hint='minute hour day month weekday' />
          <Field form={f} name='time_zone' label='Time zone' />
        </div>
        <div class='grid'>
          <CheckboxField form={f} name='auto_new' label='Auto-import New records after a scheduled sync' />
          <CheckboxField form={f} name='auto_updated' label='Auto-import Updated records after a scheduled sync' />
        </div>
        {props.canSetup && (
          <button type='submit' class='secondary small'>
            Save schedule
          </button>
        )}
      </fieldset>
    </form>
  )
}

export function SchedulesSection(props: { rows: ScheduleRowView[]; canSetup: boolean; isSource: boolean; agentName?: string }) {
  return (
    <section id='schedules'>
      <h2>Schedules</h2>
      <p class='muted'>
        {props.agentName ? `A scheduled sync queues its work for ${props.agentName}'s next visit` : 'Scheduled syncs run inside the server'}
        {props.isSource ? '' : ' once this integration is the sync source'}; a run never overlaps the one before. Auto-import is off unless you tick it.
      </p>
      {props.rows.map((r) => (
        <ScheduleForm row={r} canSetup={props.canSetup} />
      ))}
    </section>
  )
}
