import { Hono, type Context } from 'hono'
import { requires } from '../auth/access.js'
import { actorOf } from '../http/actor.js'
import type { AppEnv } from '../http/app-env.js'
import { redirectTo, wantsFragment } from '../http/htmx.js'
import { setFlash } from '../http/flash.js'
import { renderError } from '../http/errors.js'
import { ConnectionPanel, HealthBadge } from '../../views/integrations/connection-panel.js'
import { hasConnection, type AnyConnector } from '../connectors/kit/types.js'
import { connectorContext } from './connector-context.js'
import {
  connectionHealth,
  disconnect,
  finishConnect,
  forgetCredentials,
  markConnectionError,
  recordTestSuccess,
  redirectUriFor,
  startConnect,
} from './connections.js'
import { connectorView } from './connector-view.js'

// Connect, the OAuth callback, Disconnect and Test connection of a cloud integration, below
// /integrations/<id>/. The callback is a plain GET the platform redirects the admin's browser to.

export const connectionRoutes = new Hono<AppEnv>()

const connectorOf = (c: Context<AppEnv>): AnyConnector | undefined => c.var.deps.connectors.find((x) => x.id === c.req.param('id'))

/** The Connection section of a Setup tab, for connectors that connect (OAuth or a test call). */
export async function connectionPanel(c: Context<AppEnv>, connector: AnyConnector, notice?: { kind: 'success' | 'error'; text: string }) {
  if (!hasConnection(connector)) return null
  const health = (await connectionHealth(c.var.db)).get(connector.id)
  return (
    <ConnectionPanel
      connector={connectorView(connector)}
      health={health}
      redirectUri={redirectUriFor(c.var.config, connector)}
      canSetup={c.var.user!.permissions.has('integrations.setup')}
      notice={notice}
    />
  )
}

connectionRoutes.post('/:id/oauth/connect', requires('integrations.setup'), async (c) => {
  const connector = connectorOf(c)
  if (!connector?.oauth) return renderError(c, 404)
  const result = await startConnect(c.var.deps, c.var.user!.id, connector)
  if (!result.ok) {
    setFlash(c, result.message, 'error')
    return redirectTo(c, `/integrations/${connector.id}`)
  }
  return c.redirect(result.url, 302)
})

connectionRoutes.get('/:id/oauth/callback', requires('integrations.setup'), async (c) => {
  const connector = connectorOf(c)
  if (!connector?.oauth) return renderError(c, 404)
  const result = await finishConnect(c.var.deps, { ...actorOf(c), userId: c.var.user!.id }, connector, c.req.query())
  c.var.log.info(
    { event: result.ok ? 'integration_connected' : 'integration_connect_failed', integration: connector.id },
    result.ok ? 'connected' : 'connect failed',
  )
  setFlash(c, result.message, result.ok ? 'success' : 'error')
  return c.redirect(`/integrations/${connector.id}`, 303)
})

connectionRoutes.post('/:id/connection/disconnect', requires('integrations.setup'), async (c) => {
  const connector = connectorOf(c)
  if (!connector || !hasConnection(connector)) return renderError(c, 404)
  const result = connector.oauth ? await disconnect(c.var.deps, actorOf(c), connector) : await forgetCredentials(c.var.deps, actorOf(c), connector)
  setFlash(c, result.message)
  return redirectTo(c, `/integrations/${connector.id}`)
})

connectionRoutes.post('/:id/connection/test', requires('integrations.setup'), async (c) => {
  const connector = connectorOf(c)
  if (!connector?.testConnection) return renderError(c, 404)
  let notice: { kind: 'success' | 'error'; text: string }
  try {
    const ctx = await connectorContext(c.var.deps, connector, AbortSignal.timeout(c.var.config.vendors.requestTimeoutMs * 2), c.var.log)
    const account = await connector.testConnection(ctx)
    await recordTestSuccess(c.var.deps, actorOf(c), connector, account)
    notice = { kind: 'success', text: `The connection works: ${connector.name} answered for ${account}.` }
  } catch (err) {
    const message = (err as Error).message
    await markConnectionError(c.var.db, connector.id, message)
    notice = { kind: 'error', text: `The test failed: ${message}` }
  }
  const panel = await connectionPanel(c, connector, notice)
  if (wantsFragment(c)) {
    // The page header's badge says the same as the panel: it follows the test too.
    const health = (await connectionHealth(c.var.db)).get(connector.id)
    return c.html(
      <>
        {panel}
        <hx-partial hx-target='#integration-health' hx-swap='innerHTML'>
          <HealthBadge health={health} />
        </hx-partial>
      </>,
    )
  }
  setFlash(c, notice.text, notice.kind)
  return c.redirect(`/integrations/${connector.id}`, 303)
})
