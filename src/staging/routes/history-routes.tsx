import type { AppEnv } from '../../http/app-env.js'
import { Hono, type Context } from 'hono'
import { HistoryTab, UndoResultView } from '../../../views/staging/history-tab.js'
import { RunPanel } from '../../../views/staging/run-panel.js'
import { actorOf } from '../../http/actor.js'
import { requires } from '../../auth/access.js'
import { isModuleId, MODULE_IDS, MODULES } from '../../connectors/kit/records.js'
import { renderError } from '../../http/errors.js'
import { wantsFragment } from '../../http/htmx.js'
import { type Found, integrationOf, integrationPage, integrationPaths, withIntegration } from '../../integrations/integration-page.js'
import { toCsv } from '../../lib/csv.js'
import { undoBatch } from '../import-service.js'
import { batchOf, recentBatches, recentRuns, runErrors, runOf, unfinishedImports } from '../staging-queries.js'
import { cancelRun } from '../sync-runs.js'
import { runChart } from '../run-history.js'
import { HistoryChart } from '../../../views/staging/history-chart.js'
import { z } from 'zod'

// An integration's History tab: its runs and import batches, Undo of a batch, a run's row errors
// as CSV, and Cancel of a running sync.

const MODULE_LABELS = Object.fromEntries(MODULE_IDS.map((id) => [id, MODULES[id].label]))

export const historyRoutes = new Hono<AppEnv>()
/** The chart's window (30 or 90 days) and the day whose runs the table lists, from the query. */
const historyQuery = z.object({
  days: z.enum(['30', '90']).catch('30').transform(Number),
  on: z.iso.date().optional().catch(undefined),
})

async function historyView(c: Context<AppEnv>, f: Found, notice?: unknown) {
  const { integrationPath } = integrationPaths(f.connector)
  const { days, on } = historyQuery.parse(c.req.query())
  return (
    <HistoryTab
      integrationPath={integrationPath}
      chart={<HistoryChart chart={await runChart(c.var.db, f.connector.id, days)} historyPath={`${integrationPath}/history`} />}
      on={on}
      runs={await recentRuns(c.var.db, f.connector.id, on)}
      batches={await recentBatches(c.var.db, f.connector.id)}
      unfinished={await unfinishedImports(c.var.db, f.connector.id)}
      moduleLabels={MODULE_LABELS}
      canAct={c.var.user!.permissions.has('integrations.actions')}
      notice={notice}
    />
  )
}

historyRoutes.get('/:id/history', requires('integrations.view'), withIntegration, async (c) => {
  const f = integrationOf(c)
  return integrationPage(c, 'history', await historyView(c, f))
})

historyRoutes.post('/:id/batches/:batchId/undo', requires('integrations.actions'), withIntegration, async (c) => {
  const f = integrationOf(c)
  const batch = await batchOf(c.var.db, f.connector.id, Number(c.req.param('batchId')) || 0)
  if (!batch) return renderError(c, 404)
  const result = await undoBatch(c.var.deps, actorOf(c), batch.id)
  const notice =
    'error' in result ? (
      <p class='flash flash-error' role='alert'>
        {result.error}
      </p>
    ) : (
      <UndoResultView removed={result.removed} kept={result.kept} />
    )
  const view = await historyView(c, f, notice)
  return wantsFragment(c) ? c.html(view, 'error' in result ? 409 : 200) : integrationPage(c, 'history', view, 'error' in result ? 409 : 200)
})

historyRoutes.get('/:id/runs/:runId/errors.csv', requires('integrations.view'), withIntegration, async (c) => {
  const f = integrationOf(c)
  const run = await runOf(c.var.db, f.connector.id, Number(c.req.param('runId')) || 0)
  if (!run) return renderError(c, 404)
  const errors = await runErrors(c.var.db, run.id)
  const csv = toCsv(
    ['page', 'row', 'external_id', 'field', 'message'],
    errors.map((e) => [e.page, e.row_number, e.external_id, e.field, e.message]),
  )
  c.header('Content-Disposition', `attachment; filename="${f.connector.id}-${run.module}-run-${run.id}-errors.csv"`)
  return c.body(csv, 200, { 'Content-Type': 'text/csv; charset=utf-8' })
})

historyRoutes.post('/:id/runs/:runId/cancel', requires('integrations.actions'), withIntegration, async (c) => {
  const f = integrationOf(c)
  const run = await runOf(c.var.db, f.connector.id, Number(c.req.param('runId')) || 0)
  if (!run) return renderError(c, 404)
  await cancelRun(c.var.deps, run.id)
  await c.var.deps.runs.active.get(run.id)?.done
  const module = isModuleId(run.module) ? MODULES[run.module] : undefined
  const fresh = await runOf(c.var.db, f.connector.id, run.id)
  return c.html(<RunPanel run={fresh} {...integrationPaths(f.connector, module)} agentName={f.connector.agentName} canAct={true} />)
})
