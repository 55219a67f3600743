import type { Db } from '../db/database.js'
import type { AppDeps } from '../http/app-env.js'
import { MODULES, isModuleId } from '../connectors/kit/records.js'
import { formatTimestamp } from '../lib/format.js'
import { lastGoodByModule, syncHealth } from '../staging/run-history.js'
import type { ActivityView } from '../../views/integrations/overview-page.js'

// What the Overview says of each activated integration's unattended syncs: 14 days of changes,
// its last good sync, and a flag when its last scheduled run failed or a schedule's promise is
// not kept (no good sync for more than two of its periods).

const SPARK_DAYS = 14
/** A run may start a little late and take a while: the promise is broken past two periods and this. */
const GRACE_MS = 10 * 60_000

const every = (ms: number) =>
  ms % 86_400_000 === 0 ? `${ms / 86_400_000} day(s)` : ms % 3_600_000 === 0 ? `${ms / 3_600_000} h` : `${Math.round(ms / 60_000)} min`

export async function overviewActivity(deps: Pick<AppDeps, 'db' | 'scheduler'>, activated: string[], now = new Date()): Promise<Map<string, ActivityView>> {
  const health = await syncHealth(deps.db, SPARK_DAYS, now)
  const activity = new Map<string, ActivityView>()
  for (const integration of activated) {
    const h = health.get(integration)
    const alerts: string[] = []
    if (h?.lastScheduled && (h.lastScheduled.status === 'failed' || h.lastScheduled.status === 'timed_out'))
      alerts.push(`The last scheduled sync ${h.lastScheduled.status === 'timed_out' ? 'timed out' : 'failed'} (${formatTimestamp(h.lastScheduled.at)}).`)
    alerts.push(...(await brokenPromises(deps, integration, now)))
    activity.set(integration, {
      daily: h?.daily ?? Array<number>(SPARK_DAYS).fill(0),
      failedDays: h?.failedDays ?? Array<boolean>(SPARK_DAYS).fill(false),
      lastGoodAt: h?.lastGoodAt ?? null,
      alerts,
    })
  }
  return activity
}

/** The scheduled modules of an integration with no good sync for longer than two of their periods (since the schedule was saved). */
async function brokenPromises(deps: Pick<AppDeps, 'db' | 'scheduler'>, integration: string, now: Date): Promise<string[]> {
  const schedules = await scheduledModules(deps.db, integration)
  if (schedules.length === 0) return []
  const lastGood = await lastGoodByModule(deps.db, integration)
  const alerts: string[] = []
  for (const s of schedules) {
    const period = deps.scheduler.period(integration, s.module)
    if (period === null) continue
    const since = lastGood.get(s.module) ?? s.updated_at
    if (now.getTime() - Date.parse(since) <= 2 * period + GRACE_MS) continue
    const label = isModuleId(s.module) ? MODULES[s.module].label : s.module
    alerts.push(`${label}: no good sync ${lastGood.has(s.module) ? `since ${formatTimestamp(since)}` : 'yet'}, though scheduled every ${every(period)}.`)
  }
  return alerts
}

function scheduledModules(db: Db, integration: string) {
  return db.selectFrom('sync_schedules').select(['module', 'updated_at']).where('integration', '=', integration).where('cron', 'is not', null).execute()
}
