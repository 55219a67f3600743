import { formatTimestamp } from '../../src/lib/format.js'
import { CheckboxField, Field, FormError, SelectField, type FormState } from '../components/form-fields.js'
import { PageHeader } from '../components/list-view.js'

// Settings > Notifications: the SMTP server, who is told what, the webhook, the digest's hour, the
// test buttons, what was sent lately and what is still wrong.

export type EventChoice = { kind: string; label: string }
export type DeliveryRow = {
  id: number
  channel: string
  target: string
  event: string
  subject: string
  status: string
  attempts: number
  last_error: string | null
  response_status: number | null
  created_at: string
  sent_at: string | null
  next_attempt_at: string
}
export type OpenIncident = { summary: string; opened_at: string }

const HOURS = Array.from({ length: 24 }, (_, h) => h)

/** The form, with `recipients` rows (the saved ones and two empty); checkbox values are in `form.values` as `recipient_<i>_<kind>`. */
export function NotificationsForm(props: { form: FormState; events: EventChoice[]; rows: number; secrets: { password: boolean; webhookSecret: boolean } }) {
  const f = props.form
  const checked = (name: string) => f.values[name] === 'on'
  return (
    <form
      id='notifications-form'
      method='post'
      action='/settings/notifications'
      hx-post='/settings/notifications'
      hx-target='this'
      hx-swap='outerHTML'
      novalidate
    >
      <FormError form={f} />
      <fieldset>
        <legend>E-mail through your SMTP server</legend>
        <div class='grid'>
          <Field form={f} name='smtp_host' label='SMTP host' hint='smtp.office365.com, smtp.gmail.com, or your own.' />
          <Field form={f} name='smtp_port' label='Port' type='number' hint='587 for STARTTLS, 465 for TLS, 25 without.' />
          <SelectField
            form={f}
            name='smtp_security'
            label='Connection'
            options={[
              { value: 'starttls', label: 'STARTTLS (port 587)' },
              { value: 'tls', label: 'TLS from the start (port 465)' },
              { value: 'none', label: 'Not encrypted (a relay on your network)' },
            ]}
          />
        </div>
        <div class='grid'>
          <Field form={f} name='smtp_username' label='User name' autocomplete='off' />
          <Field
            form={f}
            name='smtp_password'
            label='Password'
            type='password'
            autocomplete='new-password'
            hint={props.secrets.password ? 'Saved (encrypted); leave blank to keep it.' : 'Stored encrypted, never shown again.'}
          />
          <Field form={f} name='smtp_from' label='From' type='email' hint='The address the messages come from.' />
        </div>
        {props.secrets.password && <CheckboxField form={f} name='clear_smtp_password' label='Forget the saved password' />}
      </fieldset>
      <fieldset>
        <legend>Who is told what by e-mail</legend>
        <div class='table-scroll'>
          <table class='recipients'>
            <thead>
              <tr>
                <th scope='col'>Address</th>
                {props.events.map((e) => (
                  <th scope='col'>{e.label}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {Array.from({ length: props.rows }, (_, i) => (
                <tr>
                  <td>
                    <input
                      type='email'
                      name={`recipient_${i}_email`}
                      value={f.values[`recipient_${i}_email`] ?? ''}
                      aria-label={`Recipient ${i + 1}: e-mail address`}
                      aria-invalid={f.errors[`recipient_${i}_email`] ? 'true' : undefined}
                      aria-describedby={f.errors[`recipient_${i}_email`] ? `recipient_${i}_error` : undefined}
                    />
                    {f.errors[`recipient_${i}_email`] && (
                      <small id={`recipient_${i}_error`} class='field-error'>
                        {f.errors[`recipient_${i}_email`]}
                      </small>
                    )}
                  </td>
                  {props.events.map((e) => (
                    <td>
                      <input
                        type='checkbox'
                        name={`recipient_${i}_events`}
                        value={e.kind}
                        checked={checked(`recipient_${i}_${e.kind}`)}
                        aria-label={`Recipient ${i + 1}: ${e.label}`}
                      />
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <small class='muted'>Leave an address blank to remove it; save to get more empty rows.</small>
      </fieldset>
      <fieldset>
        <legend>Webhook</legend>
        <Field
          form={f}
          name='webhook_url'
          label='URL'
          hint='Receives JSON POSTs signed with HMAC-SHA256 in the Clockbridge-Signature header (see the README), retried with back-off.'
        />
        <Field
          form={f}
          name='webhook_secret'
          label='Signing secret'
          type='password'
          autocomplete='new-password'
          hint={props.secrets.webhookSecret ? 'Saved (encrypted); leave blank to keep it.' : 'Shared with the receiver, which checks each signature with it.'}
        />
        {props.secrets.webhookSecret && <CheckboxField form={f} name='clear_webhook_secret' label='Forget the saved secret' />}
        <fieldset class='checkbox-group'>
          <legend>What the webhook is told</legend>
          {props.events.map((e) => (
            <label>
              <input type='checkbox' name='webhook_events' value={e.kind} checked={checked(`webhook_${e.kind}`)} /> {e.label}
            </label>
          ))}
        </fieldset>
        <CheckboxField form={f} name='webhook_every_run' label='Also every finished sync run, manual or scheduled, with its counts (for your own monitoring)' />
      </fieldset>
      <SelectField
        form={f}
        name='digest_hour'
        label='The daily digest goes out at (company time)'
        options={HOURS.map((h) => ({ value: String(h), label: `${String(h).padStart(2, '0')}:00` }))}
      />
      <button type='submit'>Save</button>
    </form>
  )
}

export function NotificationsPage(props: {
  form: unknown
  deliveries: DeliveryRow[]
  incidents: OpenIncident[]
  testResult?: { kind: 'success' | 'error'; text: string }
  userEmail: string
}) {
  return (
    <>
      <PageHeader title='Notifications' breadcrumb={{ href: '/settings', label: 'Settings' }} />
      <p>Tell people when unattended work fails: once per incident, and once more when it recovers.</p>
      {props.form as string}
      <section id='notification-tests' aria-labelledby='tests-title'>
        <h2 id='tests-title'>Try it</h2>
        {props.testResult && (
          <p class={`flash flash-${props.testResult.kind}`} role='status' tabindex={-1} data-focus-here>
            {props.testResult.text}
          </p>
        )}
        <div class='button-row'>
          <form method='post' action='/settings/notifications/test-email' class='inline'>
            <label for='test-to'>Send a test message to</label>
            <input id='test-to' type='email' name='to' value={props.userEmail} />
            <button type='submit' class='secondary'>
              Send a test message
            </button>
          </form>
          <form method='post' action='/settings/notifications/test-webhook' class='inline'>
            <button type='submit' class='secondary'>
              Send a test event to the webhook
            </button>
          </form>
        </div>
      </section>
      <section aria-labelledby='open-title'>
        <h2 id='open-title'>Open incidents</h2>
        {props.incidents.length === 0 ? (
          <p class='muted'>None: nothing is wrong that Clockbridge knows of.</p>
        ) : (
          <ul>
            {props.incidents.map((i) => (
              <li>
                {i.summary} <small class='muted'>since {formatTimestamp(i.opened_at)}</small>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby='deliveries-title'>
        <h2 id='deliveries-title'>Sent lately</h2>
        {props.deliveries.length === 0 ? (
          <p class='muted'>Nothing sent yet.</p>
        ) : (
          <div class='table-scroll'>
            <table class='striped'>
              <thead>
                <tr>
                  <th scope='col'>When</th>
                  <th scope='col'>To</th>
                  <th scope='col'>What</th>
                  <th scope='col'>Status</th>
                </tr>
              </thead>
              <tbody>
                {props.deliveries.map((d) => (
                  <tr>
                    <td>{formatTimestamp(d.created_at)}</td>
                    <td>
                      {d.channel === 'email' ? 'E-mail' : 'Webhook'}: {d.target}
                    </td>
                    <td>{d.subject}</td>
                    <td>
                      {d.status === 'sent'
                        ? `Sent ${formatTimestamp(d.sent_at ?? d.created_at)}${d.response_status ? ` (${d.response_status})` : ''}`
                        : d.status === 'failed'
                          ? `Given up after ${d.attempts} tries`
                          : d.attempts > 0
                            ? `Trying again ${formatTimestamp(d.next_attempt_at)} (${d.attempts} tries)`
                            : 'Waiting'}
                      {d.last_error && d.status !== 'sent' && <small class='run-error'>{d.last_error}</small>}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  )
}
