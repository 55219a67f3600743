import type { AppEnv } from '../../http/app-env.js'
import { Hono, type Context } from 'hono'
import { RunPanel, isActive } from '../../../views/staging/run-panel.js'
import { StagingResults, StagingTab } from '../../../views/staging/staging-tab.js'
import { requires } from '../../auth/access.js'
import { setFlash } from '../../http/flash.js'
import { isHtmx, redirectTo, wantsFragment } from '../../http/htmx.js'
import { type Found, integrationOf, integrationPage, integrationPaths, moduleOf, withModule } from '../../integrations/integration-page.js'
import { latestRun, runErrors, runOf } from '../staging-queries.js'
import { requestSync } from '../sync-runs.js'
import { stagingView, uploadView } from './staging-views.js'

// A module's staging tab (/integrations/:id/:module): the page and its results fragment, the run
// panel that polls while a sync runs, and SYNC.

export const moduleRoutes = new Hono<AppEnv>()

const firstErrors = async (c: Context<AppEnv>, run: { id: number; error_count: number } | undefined) =>
  run && run.error_count > 0 ? runErrors(c.var.db, run.id, 20) : []

function syncBlocked(f: Found): string | null {
  if (!f.row?.activated) return `Activate ${f.connector.name} on the Overview to SYNC.`
  if (!f.row.is_sync_source) return `${f.connector.name} is not the sync source; make it the sync source on the Setup tab to SYNC.`
  return null
}

moduleRoutes.get('/:id/:module', requires('integrations.view'), withModule, async (c) => {
  const f = integrationOf(c)
  const module = moduleOf(c)
  const v = await stagingView(c, f, module, c.req.query())
  if (wantsFragment(c)) {
    c.header('Vary', 'HX-Request, HX-Request-Type')
    return c.html(<StagingResults v={v} />)
  }
  const run = await latestRun(c.var.db, f.connector.id, module.id)
  const canSync = c.var.user!.permissions.has('integrations.actions')
  return integrationPage(
    c,
    module.id,
    <StagingTab
      v={v}
      run={run}
      runErrors={await firstErrors(c, run)}
      agentName={f.connector.agentName}
      canSync={canSync}
      syncBlocked={syncBlocked(f)}
      upload={await uploadView(c, f, module)}
    />,
  )
})

moduleRoutes.get('/:id/:module/run', requires('integrations.view'), withModule, async (c) => {
  const f = integrationOf(c)
  const module = moduleOf(c)
  const run = await latestRun(c.var.db, f.connector.id, module.id)
  // The poll that sees its run finish tells the table to reload.
  if (c.req.query('was') === 'active' && !isActive(run)) c.header('HX-Trigger', 'staging-changed')
  return c.html(
    <RunPanel
      run={run}
      {...integrationPaths(f.connector, module)}
      agentName={f.connector.agentName}
      canAct={c.var.user!.permissions.has('integrations.actions')}
      errors={await firstErrors(c, run)}
    />,
  )
})

moduleRoutes.post('/:id/:module/sync', requires('integrations.actions'), withModule, async (c) => {
  const f = integrationOf(c)
  const module = moduleOf(c)
  // A press whose browser has gone (it gave up waiting) starts nothing.
  if (c.req.raw.signal.aborted) {
    c.var.log.info({ event: 'sync_press_abandoned', module: module.id }, 'the client left before its SYNC press was handled')
    return c.body(null, 204)
  }
  const start = await requestSync(c.var.deps, { integration: f.connector.id, module: module.id, trigger: 'manual', userId: c.var.user!.id })
  if (!start.ok) {
    const body = (
      <section id='run-panel' class='run-panel'>
        <p class='flash flash-error' role='alert'>
          {start.message}
        </p>
      </section>
    )
    return isHtmx(c) ? c.html(body, 409) : integrationPage(c, module.id, body, 409)
  }
  const run = await runOf(c.var.db, f.connector.id, start.runId)
  if (!isHtmx(c)) {
    setFlash(
      c,
      start.alreadyRunning
        ? `A sync of ${module.label} was already running: your SYNC joined run #${start.runId}.`
        : `SYNC of ${module.label} started (run #${start.runId}).`,
    )
    return redirectTo(c, integrationPaths(f.connector, module).modulePath)
  }
  return c.html(
    <RunPanel run={run} {...integrationPaths(f.connector, module)} agentName={f.connector.agentName} canAct={true} joined={start.alreadyRunning} />,
    start.alreadyRunning ? 200 : 202,
  )
})
