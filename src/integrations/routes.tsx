import { Hono, type Context } from 'hono'
import type { AppEnv } from '../http/app-env.js'
import { requires } from '../auth/access.js'
import { actorOf } from '../http/actor.js'
import { setFlash } from '../http/flash.js'
import { redirectTo, wantsFragment } from '../http/htmx.js'
import { renderPage } from '../http/render.js'
import { emptyForm } from '../../views/components/form-fields.js'
import { hasConnection } from '../connectors/kit/types.js'
import { connectionPanel } from './connection-routes.js'
import { connectionHealth } from './connections.js'
import { renderSetupPanel } from './connector-plugins.js'
import { OverviewPage } from '../../views/integrations/overview-page.js'
import { SettingsForm, SetupTab, SyncSourceSection, type SyncSourceState } from '../../views/integrations/setup-tab.js'
import { activate, deactivate, listIntegrationRows, makeSyncSource, saveSettings } from './integration-service.js'
import { readFormValues } from '../http/forms.js'
import { schedulesSection, scheduleRoutes } from './schedule-routes.js'
import { type Found, integrationOf, integrationPage, withIntegration } from './integration-page.js'
import { ALL_MODULES, connectorView } from './connector-view.js'
import { overviewActivity } from './sync-alerts.js'

// The Integrations Overview, and each integration's Setup tab: activation, the sync source, its
// settings, the connector's own panel, and schedules. The staging tabs are src/staging/routes/.

export const integrationsRoutes = new Hono<AppEnv>()

// ── Overview ────────────────────────────────────────────────────────────────────────────────────

integrationsRoutes.get('/', requires('integrations.view'), async (c) => {
  const rows = await listIntegrationRows(c.var.db)
  const health = await connectionHealth(c.var.db)
  const activity = await overviewActivity(
    c.var.deps,
    rows.filter((r) => r.activated).map((r) => r.id),
  )
  const view = c.var.deps.connectors.map((connector) => {
    const row = rows.find((r) => r.id === connector.id)
    return {
      connector: connectorView(connector),
      activated: !!row?.activated,
      syncSource: !!row?.is_sync_source,
      health: hasConnection(connector) ? (health.get(connector.id) ?? null) : undefined,
      activity: activity.get(connector.id),
    }
  })
  return renderPage(c, 'Integrations', <OverviewPage rows={view} modules={ALL_MODULES} canSetup={c.var.user!.permissions.has('integrations.setup')} />)
})

integrationsRoutes.post('/:id/activate', requires('integrations.setup'), withIntegration, async (c) => {
  const f = integrationOf(c)
  const result = await activate(c.var.db, actorOf(c), f.connector)
  await c.var.deps.scheduler.reload()
  setFlash(c, result.message, result.ok ? 'success' : 'error')
  return redirectTo(c, '/integrations')
})

integrationsRoutes.post('/:id/deactivate', requires('integrations.setup'), withIntegration, async (c) => {
  const f = integrationOf(c)
  const result = await deactivate(c.var.deps, actorOf(c), f.connector)
  await c.var.deps.scheduler.reload()
  setFlash(c, result.message, result.ok ? 'success' : 'error')
  return redirectTo(c, '/integrations')
})

// ── Setup tab ───────────────────────────────────────────────────────────────────────────────────

async function sourceState(c: Context<AppEnv>, f: Found, extra: Partial<SyncSourceState> = {}): Promise<SyncSourceState> {
  const source = (await listIntegrationRows(c.var.db)).find((r) => r.is_sync_source && r.id !== f.connector.id)
  const otherSource = source ? (c.var.deps.connectors.find((x) => x.id === source.id)?.name ?? source.id) : null
  return { isSource: !!f.row?.is_sync_source, activated: !!f.row?.activated, otherSource, ...extra }
}

/** The saved settings as form values, with the connector's defaults for what was never saved. */
function settingsValues(f: Found): Record<string, string> {
  const saved = JSON.parse(f.row?.settings ?? '{}') as Record<string, unknown>
  const withDefaults = f.connector.settingsSchema.safeParse(saved)
  const values = (withDefaults.success ? withDefaults.data : saved) as Record<string, unknown>
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, String(v ?? '')]))
}

integrationsRoutes.get('/:id', requires('integrations.view'), withIntegration, async (c) => {
  const f = integrationOf(c)
  const canSetup = c.var.user!.permissions.has('integrations.setup')
  const settings = {
    form: emptyForm(settingsValues(f)),
    storedSecrets: f.row?.secrets_blob ? f.connector.settingFields.filter((s) => s.secret).map((s) => s.key) : [],
  }
  const extra = [await connectionPanel(c, f.connector), await renderSetupPanel(c, f.connector)]
  return integrationPage(
    c,
    'setup',
    <SetupTab
      connector={connectorView(f.connector)}
      source={await sourceState(c, f)}
      canSetup={canSetup}
      settings={settings}
      extra={extra}
      schedules={await schedulesSection(c, f.connector, !!f.row?.is_sync_source)}
    />,
  )
})

integrationsRoutes.post('/:id/sync-source', requires('integrations.setup'), withIntegration, async (c) => {
  const f = integrationOf(c)
  const body = await c.req.parseBody()
  const result = await makeSyncSource(c.var.db, actorOf(c), f.connector, c.var.deps.connectors, body.confirm === '1')
  if (result.ok) {
    await c.var.deps.scheduler.reload()
    setFlash(c, result.message)
    return redirectTo(c, `/integrations/${f.connector.id}`)
  }
  const state = await sourceState(c, f, result.needsConfirmation ? { confirm: result.message } : { error: result.message })
  const section = <SyncSourceSection connector={connectorView(f.connector)} state={state} canSetup={true} />
  return wantsFragment(c) ? c.html(section, 409) : integrationPage(c, 'setup', section, 409)
})

integrationsRoutes.post('/:id/settings', requires('integrations.setup'), withIntegration, async (c) => {
  const f = integrationOf(c)
  const values = await readFormValues(c)
  const secretKeys = f.connector.settingFields.filter((s) => s.secret).map((s) => s.key)
  const plain = Object.fromEntries(f.connector.settingFields.filter((s) => !s.secret).map((s) => [s.key, values[s.key] ?? '']))
  const parsed = f.connector.settingsSchema.safeParse(plain)
  const errors: Record<string, string> = {}
  if (!parsed.success) for (const issue of parsed.error.issues) errors[String(issue.path[0] ?? '_form')] ??= issue.message
  for (const k of secretKeys) if ((values[k] ?? '').length > 2000) errors[k] = 'At most 2000 characters'
  if (Object.keys(errors).length > 0) {
    const form = (
      <SettingsForm
        connector={connectorView(f.connector)}
        form={{ values: plain as Record<string, string>, errors }}
        storedSecrets={f.row?.secrets_blob ? secretKeys : []}
      />
    )
    return wantsFragment(c) ? c.html(form, 422) : integrationPage(c, 'setup', form, 422)
  }
  await saveSettings(c.var.deps, actorOf(c), f.connector, {
    ...(parsed.data as Record<string, unknown>),
    ...Object.fromEntries(secretKeys.map((k) => [k, values[k] ?? ''])),
  })
  setFlash(c, 'Settings saved.')
  return redirectTo(c, `/integrations/${f.connector.id}`)
})

integrationsRoutes.route('/:id', scheduleRoutes)
