import cron, { type ScheduledTask } from 'node-cron'
import type { AppDeps, SyncScheduler } from '../http/app-env.js'
import { isModuleId, type ModuleId } from '../connectors/kit/records.js'
import { requestSync } from '../staging/sync-runs.js'
import { autoImportAfterRun } from '../staging/auto-import.js'
import { keepConnectionsAlive } from './connections.js'
import { forgetExpiredValues } from './connector-store.js'
import { resumeSending } from '../payroll/publish-sender.js'
import { catchUpSearchIndex } from '../staging/staged-search.js'
import { getSettings } from '../settings/service.js'
import { takeBackup } from '../backups/service.js'

type SchedulerDeps = Omit<AppDeps, 'scheduler'>

const key = (integration: string, module: string) => `${integration}:${module}`

/**
 * Scheduled syncs, run by node-cron inside the server. Each (integration, module) with a cron
 * expression gets a task; a tick never overlaps the previous one, and the database refuses a
 * second active run anyway. Optional auto-import follows a successful or partial sync.
 */
export class Scheduler implements SyncScheduler {
  readonly #tasks = new Map<string, ScheduledTask>()
  #deps: SchedulerDeps | null = null

  async start(deps: SchedulerDeps): Promise<void> {
    this.#deps = deps
    await this.reload()
  }

  /** Re-reads every schedule; call after a schedule, an activation or the sync source changed. */
  async reload(): Promise<void> {
    const deps = this.#deps
    if (!deps) return
    this.stop()
    const rows = await deps.db
      .selectFrom('sync_schedules')
      .innerJoin('integrations', 'integrations.id', 'sync_schedules.integration')
      .selectAll('sync_schedules')
      .where('sync_schedules.cron', 'is not', null)
      .where('integrations.activated', '=', 1)
      .where('integrations.is_sync_source', '=', 1)
      .execute()
    // Daily, whatever the schedules: OAuth refresh tokens near their end are renewed.
    // Every minute: publish lines due for another look (not sent yet, or waiting to be confirmed) go.
    this.#tasks.set(
      'publish-recheck',
      cron.schedule('* * * * *', () => resumeSending(deps), { noOverlap: true, name: 'publish-recheck' }),
    )
    // Every minute: staged records a run left out of the search index (it stopped half-way) are added.
    this.#tasks.set(
      'search-index',
      cron.schedule('* * * * *', () => catchUpSearchIndex(deps), { noOverlap: true, name: 'search-index' }),
    )
    const settings = await getSettings(deps.db, deps.config.timeZone)
    if (settings.backupSchedule === 'daily') {
      const backup = () => takeBackup(deps, 'scheduled', settings.backupKeep).then(() => undefined)
      this.#tasks.set(
        'backup',
        cron.schedule(`0 ${settings.backupHour} * * *`, backup, { timezone: settings.companyTimeZone, noOverlap: true, name: 'backup' }),
      )
    }
    this.#tasks.set(
      'connections',
      cron.schedule('17 3 * * *', () => void keepConnectionsAlive(deps), { timezone: deps.config.timeZone, noOverlap: true, name: 'connections' }),
    )
    // Connector values past their expiry (Web Connector sessions after a month) read as absent; forget them.
    this.#tasks.set(
      'connector-store',
      cron.schedule('23 3 * * *', () => void forgetExpiredValues(deps.db), { timezone: deps.config.timeZone, noOverlap: true, name: 'connector-store' }),
    )
    for (const row of rows) {
      if (!row.cron || !isModuleId(row.module) || !cron.validate(row.cron)) continue
      const module = row.module
      const task = cron.schedule(row.cron, () => this.tick(row.integration, module), {
        timezone: row.time_zone,
        noOverlap: true,
        name: key(row.integration, module),
      })
      this.#tasks.set(key(row.integration, module), task)
    }
  }

  /** When the scheduled backup runs next, if backups are scheduled. */
  nextBackup(): Date | null {
    return this.#tasks.get('backup')?.getNextRun() ?? null
  }

  nextRun(integration: string, module: string): Date | null {
    return this.#tasks.get(key(integration, module))?.getNextRun() ?? null
  }

  stop(): void {
    for (const task of this.#tasks.values()) void task.stop()
    this.#tasks.clear()
  }

  /** One scheduled run: SYNC, wait for it, then auto-import what the schedule asks for. */
  async tick(integration: string, module: ModuleId): Promise<void> {
    const deps = this.#deps
    if (!deps) return
    const log = deps.logger.child({ job: `sync:${integration}:${module}` })
    const start = await requestSync(deps, { integration, module, trigger: 'schedule', userId: null })
    if (!start.ok) return void log.warn({ event: 'scheduled_sync_refused', reason: start.message }, 'scheduled sync refused')
    if (start.alreadyRunning) return void log.info({ event: 'scheduled_sync_skipped', runId: start.runId }, 'a run is already active')
    await start.done
    // An agent's run is still queued here; it auto-imports when the agent completes it.
    await autoImportAfterRun(deps, start.runId)
  }
}

/** node-cron logs through console by default; send its messages to our structured log. */
export function routeCronLogs(logger: AppDeps['logger']): void {
  cron.setLogger({
    info: (m) => logger.debug({ event: 'cron', message: m }, 'cron'),
    warn: (m) => logger.warn({ event: 'cron', message: m }, 'cron'),
    error: (m) => logger.error({ event: 'cron', message: String(m) }, 'cron'),
    debug: (m) => logger.debug({ event: 'cron', message: String(m) }, 'cron'),
  })
}
