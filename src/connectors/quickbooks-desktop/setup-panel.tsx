import { Hono } from 'hono'
import type { ConnectorEnv, ConnectorPlugins } from '../kit/hub.js'
import { formatTimestamp } from '../../lib/format.js'
import { emptyForm, Field, FormError, HtmxForm, type FormState } from '../../../views/components/form-fields.js'
import {
  addressProblem,
  connectionStatus,
  qwcFile,
  setWebConnectorPassword,
  WEB_CONNECTOR_DOWNLOAD_URL,
  webConnectorFileId,
  type ConnectionStatus,
} from './setup.js'
import { qbdSettings } from './settings.js'

// The Web Connector section of the QuickBooks Desktop Setup tab, and the routes it uses (the hub
// mounts them at /integrations/quickbooks-desktop/setup for users who may set up integrations).

const routes = new Hono<ConnectorEnv>()

routes.post('/password', async (c) => {
  const { hub, page } = c.var
  const { password = '' } = await page.readForm()
  const result = await setWebConnectorPassword(hub, password)
  if ('error' in result) {
    const hasPassword = (await connectionStatus(hub.store)).hasPassword
    if (page.wantsFragment)
      return c.html(<PasswordForm action={page.basePath} form={{ values: {}, errors: { password: result.error } }} hasPassword={hasPassword} />, 422)
    return page.backToSetup(`Web Connector password not saved: ${result.error}.`, 'error')
  }
  if (page.wantsFragment) return c.html(<PasswordForm action={page.basePath} form={emptyForm()} hasPassword={true} saved />)
  return page.backToSetup('Web Connector password saved.')
})

routes.get('/clockbridge.qwc', async (c) => {
  const hub = c.var.hub
  const settings = qbdSettings((await hub.integration()).settings)
  const body = qwcFile({ publicBaseUrl: hub.publicBaseUrl, settings, fileId: await webConnectorFileId(hub.store) })
  return c.body(body, 200, { 'content-type': 'application/x-qwc; charset=utf-8', 'content-disposition': 'attachment; filename="clockbridge.qwc"' })
})

export const webConnectorSetupPanel: ConnectorPlugins['setupPanel'] = {
  routes,
  async render(c) {
    const { hub, page } = c.var
    const settings = qbdSettings((await hub.integration()).settings)
    return (
      <WebConnectorPanel
        action={page.basePath}
        status={await connectionStatus(hub.store)}
        addressProblem={addressProblem(hub.publicBaseUrl)}
        downloadUrl={WEB_CONNECTOR_DOWNLOAD_URL}
        runEveryMinutes={settings.runEveryMinutes}
        canSetup={page.canSetup}
        password={emptyForm()}
      />
    )
  },
}

type WebConnectorPanelProps = {
  /** Where the Setup routes are mounted. */
  action: string
  status: ConnectionStatus
  addressProblem: string | null
  downloadUrl: string
  runEveryMinutes: number
  canSetup: boolean
  password: FormState
  saved?: boolean
}

/** The Setup tab's Web Connector section: how to connect, the password, the QWC file, and what QuickBooks last said. */
function WebConnectorPanel(props: WebConnectorPanelProps) {
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
          <PasswordForm action={props.action} form={props.password} hasPassword={s.hasPassword} saved={props.saved} />
          <p>
            <a role='button' class='secondary' href={`${props.action}/clockbridge.qwc`} download='clockbridge.qwc'>
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

function PasswordForm(props: { action: string; form: FormState; hasPassword: boolean; saved?: boolean }) {
  return (
    <HtmxForm action={`${props.action}/password`} id='web-connector-password'>
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
