import { WEEK_DAYS } from '../../src/lib/dates.js'
import { CheckboxField, Field, FormError, HtmxForm, SelectField, type FormState } from '../components/form-fields.js'
import { PageHeader } from '../components/list-view.js'
import { BackupsSection, type BackupsView } from '../backups/backups-section.js'

const capitalize = (s: string) => s[0]!.toUpperCase() + s.slice(1)

export function SettingsForm(props: { form: FormState }) {
  const f = props.form
  return (
    <HtmxForm action='/settings' id='settings-form'>
      <FormError form={f} />
      <fieldset>
        <legend>Manual creation</legend>
        <CheckboxField
          form={f}
          name='employeeManualCreation'
          label='Employee Manual Creation'
          hint='Off: employees can only come from the sync source; the New employee button is hidden.'
        />
        <CheckboxField form={f} name='companyManualCreation' label='Company Manual Creation' hint='Off: companies can only come from the sync source.' />
      </fieldset>
      <div class='grid'>
        <Field form={f} name='defaultCountry' label='Default country for imported job sites' required maxlength={2} hint='Two-letter code, e.g. US.' />
        <Field form={f} name='companyTimeZone' label='Company time zone' required hint='IANA name, e.g. America/Chicago.' />
        <SelectField
          form={f}
          name='workWeekStart'
          label='First day of the work week'
          required
          options={WEEK_DAYS.map((d) => ({ value: d, label: capitalize(d) }))}
        />
      </div>
      <fieldset>
        <legend>Scheduled backups</legend>
        <div class='grid'>
          <SelectField
            form={f}
            name='backupSchedule'
            label='Back up the database'
            required
            options={[
              { value: 'off', label: 'Off' },
              { value: 'daily', label: 'Daily' },
            ]}
          />
          <SelectField
            form={f}
            name='backupHour'
            label='At (company time)'
            required
            options={HOURS.map((h) => ({ value: String(h), label: `${String(h).padStart(2, '0')}:00` }))}
          />
          <Field
            form={f}
            name='backupKeep'
            label='Backups to keep'
            type='number'
            required
            hint='The oldest beyond this number are deleted after each good backup.'
          />
        </div>
      </fieldset>
      <button type='submit'>Save settings</button>
    </HtmxForm>
  )
}

const HOURS = Array.from({ length: 24 }, (_, h) => h)

export function SettingsPage(props: { form: FormState; backups: BackupsView }) {
  return (
    <>
      <PageHeader title='Settings'>
        <a href='/settings/notifications' role='button' class='secondary'>
          Notifications
        </a>
      </PageHeader>
      <p>
        Who is told when a scheduled sync or a publish fails, by e-mail or webhook: <a href='/settings/notifications'>Settings › Notifications</a>.
      </p>
      <SettingsForm form={props.form} />
      <BackupsSection v={props.backups} />
    </>
  )
}
