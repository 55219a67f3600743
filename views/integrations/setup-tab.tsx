import type { ConnectorView } from './connector-view.js'
import { Field, SelectField, FormError, HtmxForm, type FormState } from '../components/form-fields.js'

export type SyncSourceState = { isSource: boolean; activated: boolean; otherSource: string | null; confirm?: string; error?: string }

export function SyncSourceSection(props: { connector: ConnectorView; state: SyncSourceState; canSetup: boolean }) {
  const { connector, state } = props
  const path = `/integrations/${connector.id}/sync-source`
  if (connector.modules.length === 0) return null
  return (
    <section id='sync-source'>
      <h2>Sync source</h2>
      {state.isSource ? (
        <p>
          <strong>{connector.name} is the sync source:</strong> its records are the source of truth for{' '}
          {connector.modules.map((m) => m.label.toLowerCase()).join(', ')}.
        </p>
      ) : (
        <p>{state.otherSource ? `${state.otherSource} is the sync source now.` : 'No integration is the sync source yet.'} Only the sync source can SYNC.</p>
      )}
      {state.error && (
        <p class='flash flash-error' role='alert'>
          {state.error}
        </p>
      )}
      {props.canSetup && !state.isSource && state.activated && (
        <form method='post' action={path} hx-post={path} hx-target='#sync-source' hx-swap='outerHTML'>
          {state.confirm ? (
            <>
              <p class='flash flash-error' role='alert'>
                {state.confirm}
              </p>
              <input type='hidden' name='confirm' value='1' />
              <button type='submit'>Yes, switch the sync source to {connector.name}</button>
            </>
          ) : (
            <button type='submit'>Make {connector.name} the sync source</button>
          )}
        </form>
      )}
      {!state.activated && <p class='muted'>Activate {connector.name} on the Overview first.</p>}
    </section>
  )
}

export function SettingsForm(props: { connector: ConnectorView; form: FormState; storedSecrets: string[] }) {
  const c = props.connector
  return (
    <HtmxForm action={`/integrations/${c.id}/settings`} id='integration-settings'>
      <FormError form={props.form} />
      {c.settingFields.map((f) =>
        f.options ? (
          <SelectField form={props.form} name={f.key} label={f.label} options={f.options} hint={f.hint} />
        ) : (
          <Field
            form={props.form}
            name={f.key}
            label={f.label}
            type={f.secret ? 'password' : 'text'}
            hint={
              f.secret ? (props.storedSecrets.includes(f.key) ? 'Stored encrypted. Leave blank to keep it.' : 'Stored encrypted; never shown again.') : f.hint
            }
          />
        ),
      )}
      <button type='submit'>Save settings</button>
    </HtmxForm>
  )
}

export function SetupTab(props: {
  connector: ConnectorView
  source: SyncSourceState
  canSetup: boolean
  settings: { form: FormState; storedSecrets: string[] } | null
  extra?: unknown
  schedules?: unknown
}) {
  const c = props.connector
  return (
    <>
      <p>{c.description}</p>
      <SyncSourceSection connector={c} state={props.source} canSetup={props.canSetup} />
      {c.settingFields.length > 0 && props.settings && (
        <section>
          <h2>Settings</h2>
          {props.canSetup ? (
            <SettingsForm connector={c} form={props.settings.form} storedSecrets={props.settings.storedSecrets} />
          ) : (
            <p class='muted'>Only users who may set up integrations see these settings.</p>
          )}
        </section>
      )}
      {props.extra as string}
      {props.schedules as string}
    </>
  )
}
