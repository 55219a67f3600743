import type { Context } from 'hono'
import { createMiddleware } from 'hono/factory'
import { IntegrationLayout } from '../../views/integrations/integration-layout.js'
import { moduleBySlug, type ModuleSpec } from '../connectors/kit/records.js'
import { hasConnection, type AnyConnector } from '../connectors/kit/types.js'
import type { AppEnv } from '../http/app-env.js'
import { renderError } from '../http/errors.js'
import { renderPage } from '../http/render.js'
import { connectionHealth } from './connections.js'
import { getIntegration } from './integration-service.js'
import { connectorView } from './connector-view.js'
import { conflictCounts } from '../staging/field-conflicts.js'

// What every page of one integration shares: the look-up of /:id (and /:id/:module) that answers
// 404 for an unknown one, the integration's URLs, and its layout with the tabs.

export type Found = { connector: AnyConnector; row: Awaited<ReturnType<typeof getIntegration>> }

const FOUND = 'integration' as never
const MODULE = 'module' as never

/** The integration of /integrations/:id, looked up by `withIntegration` or `withModule`. */
export const integrationOf = (c: Context<AppEnv>): Found => c.get(FOUND) as Found
/** The module of /integrations/:id/:module, looked up by `withModule`. */
export const moduleOf = (c: Context<AppEnv>): ModuleSpec => c.get(MODULE) as ModuleSpec

async function findIntegration(c: Context<AppEnv>): Promise<Found | null> {
  const connector = c.var.deps.connectors.find((x) => x.id === c.req.param('id'))
  if (!connector) return null
  return { connector, row: await getIntegration(c.var.db, connector.id) }
}

/** Looks up :id; an unknown integration is a 404 page. Goes after the route's guard. */
export const withIntegration = createMiddleware<AppEnv>(async (c, next) => {
  const found = await findIntegration(c)
  if (!found) return renderError(c, 404)
  c.set(FOUND, found as never)
  await next()
})

/** Looks up :id and :module (a module the connector syncs); either unknown is a 404 page. */
export const withModule = createMiddleware<AppEnv>(async (c, next) => {
  const found = await findIntegration(c)
  const spec = moduleBySlug(c.req.param('module') ?? '')
  if (!found || !spec || !found.connector.syncModules.includes(spec.id)) return renderError(c, 404)
  c.set(FOUND, found as never)
  c.set(MODULE, spec as never)
  await next()
})

export const integrationPaths = (connector: AnyConnector, module?: ModuleSpec) => ({
  integrationPath: `/integrations/${connector.id}`,
  modulePath: module ? `/integrations/${connector.id}/${module.slug}` : `/integrations/${connector.id}`,
})

/** A whole page of the integration, its tab `active` chosen. */
export async function integrationPage(c: Context<AppEnv>, active: string, body: unknown, status: 200 | 409 | 422 = 200) {
  const f = integrationOf(c)
  const health = hasConnection(f.connector) ? (await connectionHealth(c.var.db)).get(f.connector.id) : undefined
  const conflicts = await conflictCounts(c.var.db, f.connector)
  return renderPage(
    c,
    `${f.connector.name} · Integrations`,
    <IntegrationLayout
      connector={connectorView(f.connector)}
      active={active}
      activated={!!f.row?.activated}
      syncSource={!!f.row?.is_sync_source}
      health={health}
      conflicts={conflicts}
    >
      {body as string}
    </IntegrationLayout>,
    status,
  )
}
