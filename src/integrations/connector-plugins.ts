import type { Context, Hono, MiddlewareHandler } from 'hono'
import { actorOf } from '../http/actor.js'
import { anyone, requires } from '../auth/access.js'
import type { ConnectorEnv, SetupPage } from '../connectors/kit/hub.js'
import type { AnyConnector } from '../connectors/kit/types.js'
import type { AppEnv } from '../http/app-env.js'
import { setFlash } from '../http/flash.js'
import { readFormValues } from '../http/forms.js'
import { redirectTo, wantsFragment } from '../http/htmx.js'
import { connectorHub } from './connector-hub.js'

// What a connector adds to the hub through the kit: an agent endpoint, a Setup panel and the routes
// it posts to. The hub mounts and renders them for every connector alike, never naming one.

/** Where a connector's Setup routes live: /integrations/<id>/setup. */
export const setupBasePath = (connector: AnyConnector) => `/integrations/${connector.id}/setup`

/** The agent endpoints (the QuickBooks Web Connector's SOAP service): public, ahead of the browser middleware. */
export function mountAgentEndpoints(app: Hono<AppEnv>, connectors: readonly AnyConnector[]): void {
  for (const connector of connectors) {
    const endpoint = connector.agentEndpoint
    if (endpoint) mount(app, endpoint.path, endpoint.routes, anyone(), lendTo(connector))
  }
}

/** The connectors' Setup routes (a password form, a file to download): for users who may set up integrations. */
export function mountSetupRoutes(app: Hono<AppEnv>, connectors: readonly AnyConnector[]): void {
  for (const connector of connectors) {
    const routes = connector.setupPanel?.routes
    if (routes) mount(app, setupBasePath(connector), routes, requires('integrations.setup'), lendTo(connector))
  }
}

/** The connector's own section of its Setup tab, if it has one. */
export async function renderSetupPanel(c: Context<AppEnv>, connector: AnyConnector): Promise<unknown> {
  const panel = connector.setupPanel
  if (!panel) return null
  lend(c, connector)
  return panel.render(c as unknown as Context<ConnectorEnv>)
}

/**
 * Each route of the connector's app gets the hub's guard first (so every route declares who may
 * use it), then the variables the kit promises; the connector's handlers follow.
 */
function mount(app: Hono<AppEnv>, base: string, routes: Hono<ConnectorEnv>, guard: MiddlewareHandler<AppEnv>, lendVars: MiddlewareHandler<AppEnv>) {
  const seen = new Set<string>()
  for (const r of routes.routes) {
    const key = `${r.method} ${r.path}`
    if (seen.has(key) || r.method === 'ALL') continue
    seen.add(key)
    app.on(r.method, r.path === '/' ? base : `${base}${r.path}`, guard, lendVars)
  }
  app.route(base, routes as unknown as Hono<AppEnv>)
}

const lendTo =
  (connector: AnyConnector): MiddlewareHandler<AppEnv> =>
  async (c, next) => {
    lend(c, connector)
    await next()
  }

function lend(c: Context<AppEnv>, connector: AnyConnector): void {
  const vars = c as unknown as Context<ConnectorEnv>
  vars.set('hub', connectorHub(c.var.deps, connector, actorOf(c)))
  vars.set('clientAddress', c.var.clientIp)
  vars.set('page', setupPage(c, connector))
}

function setupPage(c: Context<AppEnv>, connector: AnyConnector): SetupPage {
  return {
    canSetup: !!c.var.user?.permissions.has('integrations.setup'),
    readForm: () => readFormValues(c),
    wantsFragment: wantsFragment(c),
    backToSetup(message, kind = 'success') {
      setFlash(c, message, kind)
      return redirectTo(c, `/integrations/${connector.id}`)
    },
    basePath: setupBasePath(connector),
  }
}
