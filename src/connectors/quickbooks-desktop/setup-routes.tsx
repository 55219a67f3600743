import { Hono, type Context } from 'hono'
import { requires } from '../../auth/access.js'
import { actorOf } from '../../audit/audit-log.js'
import type { AppEnv } from '../../http/app-env.js'
import { readFormValues } from '../../http/forms.js'
import { wantsFragment, redirectTo } from '../../http/htmx.js'
import { setFlash } from '../../http/flash.js'
import { getIntegration } from '../../integrations/integration-service.js'
import { PasswordForm, WebConnectorPanel } from '../../../views/connectors/quickbooks-desktop/web-connector-panel.js'
import { emptyForm } from '../../../views/components/form-fields.js'
import { QBD_ID, qbdSettings } from './connector.js'
import { addressProblem, connectionStatus, qwcFile, setWebConnectorPassword, WEB_CONNECTOR_DOWNLOAD_URL, webConnectorFileId } from './setup.js'

// The Web Connector parts of the QuickBooks Desktop Setup tab, at /integrations/quickbooks-desktop/web-connector.

export const webConnectorSetupRoutes = new Hono<AppEnv>()

/** The section the Setup tab shows for QuickBooks Desktop. */
export async function webConnectorPanel(c: Context<AppEnv>) {
  const settings = qbdSettings((await getIntegration(c.var.db, QBD_ID))?.settings)
  return (
    <WebConnectorPanel
      status={await connectionStatus(c.var.db)}
      addressProblem={addressProblem(c.var.config.publicBaseUrl)}
      downloadUrl={WEB_CONNECTOR_DOWNLOAD_URL}
      runEveryMinutes={settings.runEveryMinutes}
      canSetup={c.var.user!.permissions.has('integrations.setup')}
      password={emptyForm()}
    />
  )
}

webConnectorSetupRoutes.post('/password', requires('integrations.setup'), async (c) => {
  const { password = '' } = await readFormValues(c)
  const result = await setWebConnectorPassword(c.var.db, actorOf(c), password)
  const hasPassword = (await connectionStatus(c.var.db)).hasPassword
  if ('error' in result) {
    if (wantsFragment(c)) return c.html(<PasswordForm form={{ values: {}, errors: { password: result.error } }} hasPassword={hasPassword} />, 422)
    setFlash(c, `Web Connector password not saved: ${result.error}.`, 'error')
    return redirectTo(c, `/integrations/${QBD_ID}`)
  }
  if (wantsFragment(c)) return c.html(<PasswordForm form={emptyForm()} hasPassword={true} saved />)
  setFlash(c, 'Web Connector password saved.')
  return redirectTo(c, `/integrations/${QBD_ID}`)
})

webConnectorSetupRoutes.get('/clockbridge.qwc', requires('integrations.setup'), async (c) => {
  const settings = qbdSettings((await getIntegration(c.var.db, QBD_ID))?.settings)
  const body = qwcFile({ publicBaseUrl: c.var.config.publicBaseUrl, settings, fileId: await webConnectorFileId(c.var.db) })
  return c.body(body, 200, { 'content-type': 'application/x-qwc; charset=utf-8', 'content-disposition': 'attachment; filename="clockbridge.qwc"' })
})
