import type { ConnectionStatus } from '../../../src/connectors/quickbooks-desktop/setup.js'
import { formatTimestamp } from '../../../src/lib/format.js'
import { Field, FormError, HtmxForm, type FormState } from '../../components/form-fields.js'

export const WEB_CONNECTOR_PATH = '/integrations/quickbooks-desktop/web-connector'

export type WebConnectorPanelProps = {
  status: ConnectionStatus
  addressProblem: string | null
  downloadUrl: string
  runEveryMinutes: number
  canSetup: boolean
  password: FormState
  saved?: boolean
}

/** The Setup tab's Web Connector section: how to connect, the password, the QWC file, and what QuickBooks last said. */
export function WebConnectorPanel(props: WebConnectorPanelProps) {
  const s = props.status
  return (
    <section id='web-connector'>
      <h2>QuickBooks Web Connector</h2>
      {props.addressProblem && (
        <p class='flash flash-error' role='alert'>
          {props.addressProblem}
        </p>
      )}
      <ol>
        <li>
          On the Windows PC where QuickBooks runs, install the QuickBooks Web Connector from{' '}
          <a href={props.downloadUrl} rel='noopener noreferrer'>
            Intuit
          </a>
          .
        </li>
        <li>Set the Web Connector password below.</li>
        <li>Download the QWC file, open it in the Web Connector (Add an application), allow access in QuickBooks, and type the password.</li>
        <li>
          SYNC a module here: it runs at the Web Connector's next visit (every {props.runEveryMinutes} minutes), or at once when you click Update Selected in
          it.
        </li>
      </ol>
      {props.canSetup ? (
        <>
          <PasswordForm form={props.password} hasPassword={s.hasPassword} saved={props.saved} />
          <p>
            <a role='button' class='secondary' href={`${WEB_CONNECTOR_PATH}/clockbridge.qwc`} download='clockbridge.qwc'>
              Download the QWC file
            </a>
          </p>
        </>
      ) : (
        <p class='muted'>Only users who may set up integrations set the password and download the QWC file.</p>
      )}
      <h3>Connection status</h3>
      <dl class='detail-list'>
        <dt>Last contact</dt>
        <dd>{s.lastContact ? formatTimestamp(s.lastContact) : 'The Web Connector has not called yet.'}</dd>
        <dt>Company file</dt>
        <dd>{s.companyFile ? `${s.companyFile}${s.companyName ? ` (${s.companyName})` : ''}` : '—'}</dd>
        <dt>QuickBooks</dt>
        <dd>{s.product ? `${s.product}${s.version ? `, version ${s.version}` : ''}` : '—'}</dd>
        <dt>qbXML versions</dt>
        <dd>{s.qbxmlVersions ?? '—'}</dd>
        <dt>Last error</dt>
        <dd>{s.lastError ? `${s.lastError}${s.lastErrorAt ? ` (${formatTimestamp(s.lastErrorAt)})` : ''}` : 'None'}</dd>
      </dl>
    </section>
  )
}

export function PasswordForm(props: { form: FormState; hasPassword: boolean; saved?: boolean }) {
  return (
    <HtmxForm action={`${WEB_CONNECTOR_PATH}/password`} id='web-connector-password'>
      <FormError form={props.form} />
      {props.saved && (
        <p class='flash flash-success' role='status'>
          Password saved. Type it in the Web Connector when it asks.
        </p>
      )}
      <Field
        form={props.form}
        name='password'
        label={props.hasPassword ? 'New Web Connector password' : 'Web Connector password'}
        type='password'
        autocomplete='new-password'
        required
        hint={
          props.hasPassword
            ? 'A password is set. Setting a new one signs the Web Connector out until you type the new one in it.'
            : 'Stored as a hash; the QWC file never contains it.'
        }
      />
      <button type='submit'>{props.hasPassword ? 'Reset password' : 'Set password'}</button>
    </HtmxForm>
  )
}
