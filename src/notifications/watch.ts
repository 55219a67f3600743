import type { AppDeps } from '../http/app-env.js'
import { MODULES, isModuleId } from '../connectors/kit/records.js'
import { connectorStore } from '../integrations/connector-store.js'
import { formatTimestamp } from '../lib/format.js'
import { raise, recover, send, type Deps } from './incidents.js'
import { loadNotificationSettings } from './notification-settings.js'

// Where incidents come from. A sync run tells when it ends (runFinished, through AppDeps.notifier);
// the rest is looked at every minute by whichever instance claims the minute (watchIncidents):
// targets with failed or long-unconfirmed publish lines, connections to reconnect, silent agents.

/** An unconfirmed publish line is an incident once it stays so this long (most settle within a minute). */
const UNCONFIRMED_FOR_MS = 10 * 60_000
const FAILED = new Set(['failed', 'timed_out', 'partial'])

/** A run ended: a scheduled one that failed opens its module's incident, any good one closes it; the webhook may want every run. */
export async function runFinished(deps: Deps & Pick<AppDeps, 'connectors'>, runId: number): Promise<void> {
  const run = await deps.db.selectFrom('sync_runs').selectAll().where('id', '=', runId).executeTakeFirst()
  if (!run || !run.finished_at) return
  const name = deps.connectors.find((c) => c.id === run.integration)?.name ?? run.integration
  const label = isModuleId(run.module) ? MODULES[run.module].label : run.module
  const key = `sync:${run.integration}:${run.module}`
  const path = `/integrations/${run.integration}/history`
  if (run.trigger === 'schedule' && FAILED.has(run.status)) {
    const how = run.status === 'partial' ? 'partly failed' : run.status === 'timed_out' ? 'timed out' : 'failed'
    await raise(deps, {
      key,
      kind: 'sync_failed',
      summary: `the scheduled sync of ${name} ${label} ${how}`,
      detail: `Run #${run.id} ${how} at ${formatTimestamp(run.finished_at)}: ${run.error ?? 'no reason given'}\n${run.new_count} new, ${run.updated_count} changed, ${run.error_count} row error(s). Later runs are tried on schedule; you are told once more when one succeeds.`,
      path,
    })
  } else if (run.status === 'succeeded') {
    await recover(deps, key, `Run #${run.id} of ${name} ${label} succeeded at ${formatTimestamp(run.finished_at)}.`, path)
  }
  const settings = await loadNotificationSettings(deps)
  if (settings.webhook.url && settings.webhook.everyRun) {
    const payload = {
      event: 'run.finished',
      run: {
        id: run.id,
        integration: run.integration,
        module: run.module,
        trigger: run.trigger,
        status: run.status,
        started_at: run.started_at,
        finished_at: run.finished_at,
        records: run.records,
        new: run.new_count,
        updated: run.updated_count,
        unchanged: run.unchanged_count,
        removed: run.removed_count,
        errors: run.error_count,
        error: run.error,
      },
    }
    await send(deps, settings, 'run_finished', { event: 'run.finished', subject: `Run #${run.id} ${run.status}`, body: '', payload })
  }
}

/** Every minute: publish targets, connections and agents, each incident opened or closed by what the database says now. */
export async function watchIncidents(deps: Deps & Pick<AppDeps, 'connectors'>, now = new Date()): Promise<void> {
  await watchPublishing(deps, now)
  await watchConnections(deps)
  await watchAgents(deps, now)
}

async function watchPublishing(deps: Deps & Pick<AppDeps, 'connectors'>, now: Date): Promise<void> {
  const stale = new Date(now.getTime() - UNCONFIRMED_FOR_MS).toISOString()
  const problems = await deps.db
    .selectFrom('publish_lines')
    .select(['target', 'status', (eb) => eb.fn.countAll<number>().as('n')])
    .where((eb) => eb.or([eb('status', '=', 'failed'), eb.and([eb('status', '=', 'unconfirmed'), eb('updated_at', '<', stale)])]))
    .groupBy(['target', 'status'])
    .execute()
  for (const connector of deps.connectors.filter((c) => c.publishesPayroll)) {
    const failed = Number(problems.find((p) => p.target === connector.id && p.status === 'failed')?.n ?? 0)
    const unconfirmed = Number(problems.find((p) => p.target === connector.id && p.status === 'unconfirmed')?.n ?? 0)
    const key = `publish:${connector.id}`
    const path = '/payroll'
    if (failed + unconfirmed > 0)
      await raise(deps, {
        key,
        kind: 'publish_problem',
        summary: `publishing to ${connector.name}: ${failed} failed, ${unconfirmed} unconfirmed line(s)`,
        detail: `${failed} line(s) were refused by ${connector.name}; ${unconfirmed} were sent and ${connector.name} has not confirmed them for over ${UNCONFIRMED_FOR_MS / 60_000} minutes (Clockbridge checks before sending anything again). Open the period on the Payroll page to see each line and retry.`,
        path,
      })
    else await recover(deps, key, `Every line published to ${connector.name} is sent or waiting its turn.`, path)
  }
}

async function watchConnections(deps: Deps & Pick<AppDeps, 'connectors'>): Promise<void> {
  const rows = await deps.db.selectFrom('integration_connections').select(['integration', 'status', 'last_error']).execute()
  for (const row of rows) {
    const name = deps.connectors.find((c) => c.id === row.integration)?.name ?? row.integration
    const key = `credentials:${row.integration}`
    const path = `/integrations/${row.integration}`
    if (row.status === 'reconnect_needed')
      await raise(deps, {
        key,
        kind: 'credentials_expired',
        summary: `${name} must be reconnected`,
        detail: `${row.last_error ?? `${name} refused the saved authorization.`}\nNothing syncs or publishes to ${name} until an administrator clicks Connect on its Setup tab.`,
        path,
      })
    else if (row.status === 'connected') await recover(deps, key, `${name} is connected again.`, path)
  }
}

/** An agent (the Web Connector) that has not called for more than twice its interval and five minutes. */
async function watchAgents(deps: Deps & Pick<AppDeps, 'connectors'>, now: Date): Promise<void> {
  const activated = new Set((await deps.db.selectFrom('integrations').select('id').where('activated', '=', 1).execute()).map((r) => r.id))
  for (const connector of deps.connectors.filter((c) => c.agentSchedule && activated.has(c.id))) {
    const state = await connectorStore(deps.db, connector.id).all()
    const settingsRow = await deps.db.selectFrom('integrations').select('settings').where('id', '=', connector.id).executeTakeFirst()
    const schedule = connector.agentSchedule!(state, JSON.parse(settingsRow?.settings ?? '{}') as Record<string, unknown>)
    if (!schedule?.lastContactAt) continue
    const key = `agent:${connector.id}`
    const path = `/integrations/${connector.id}`
    const silentFor = now.getTime() - Date.parse(schedule.lastContactAt)
    if (silentFor > 2 * schedule.everyMinutes * 60_000 + 5 * 60_000)
      await raise(deps, {
        key,
        kind: 'agent_silent',
        summary: `${connector.agentName ?? connector.name} has not called since ${formatTimestamp(schedule.lastContactAt)}`,
        detail: `It is set to call every ${schedule.everyMinutes} minute(s). Check that the PC running it is on, that it is running and signed in, and that it can reach Clockbridge. Nothing syncs or publishes to ${connector.name} until it calls.`,
        path,
      })
    else await recover(deps, key, `${connector.agentName ?? connector.name} called at ${formatTimestamp(schedule.lastContactAt)}.`, path)
  }
}
