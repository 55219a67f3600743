import cron, { type ScheduledTask } from 'node-cron'
import type { AppDeps, SyncScheduler } from '../http/app-env.js'
import { isModuleId, type ModuleId } from '../connectors/kit/records.js'
import { requestSync, sweepAbandonedRuns } from '../staging/sync-runs.js'
import { autoImportAfterRun } from '../staging/auto-import.js'
import { markInterruptedImports } from '../staging/import-service.js'
import { keepConnectionsAlive } from './connections.js'
import { watchIncidents } from '../notifications/watch.js'
import { deliverDue } from '../notifications/outbox.js'
import { sendDigest } from '../notifications/digest.js'
import { loadNotificationSettings } from '../notifications/notification-settings.js'
import { forgetExpiredValues } from './connector-store.js'
import { resumeSending } from '../payroll/publish-sender.js'
import { catchUpSearchIndex } from '../staging/staged-search.js'
import { getSettings } from '../settings/service.js'
import { claimOccurrence, dueSlot, forgetOldClaims, hasSecondsField } from './job-claims.js'
import { takeBackup } from '../backups/service.js'

type SchedulerDeps = Omit<AppDeps, 'scheduler'>

const key = (integration: string, module: string) => `${integration}:${module}`

/**
 * Scheduled syncs and jobs, run by node-cron inside the server. Each (integration, module) with a
 * cron expression gets a task; a tick never overlaps the previous one, and the database refuses a
 * second active run anyway. Optional auto-import follows a successful or partial sync. Every
 * instance on one database keeps the same timers; each occurrence runs once, on the instance that
 * claims it (job-claims.ts).
 */
export class Scheduler implements SyncScheduler {
  readonly #tasks = new Map<string, ScheduledTask>()
  #deps: SchedulerDeps | null = null

  async start(deps: SchedulerDeps): Promise<void> {
    this.#deps = deps
    await this.reload()
  }

  /** What the timers were set from: the schedules in force and the backup settings, as text. */
  #loaded = ''

  /**
   * Re-reads every schedule; call after a schedule, an activation or the sync source changed. Other
   * instances see the change within a minute (refreshIfChanged).
   */
  async reload(): Promise<void> {
    const deps = this.#deps
    if (!deps) return
    const { rows, settings, digestHour, signature } = await this.#read(deps)
    this.stop()
    this.#loaded = signature
    // Every minute, on each instance for itself: a change saved on another instance is picked up.
    const refresh = cron.schedule('* * * * *', () => this.refreshIfChanged(), { noOverlap: true, name: 'schedule-refresh' })
    this.#tasks.set('schedule-refresh', refresh)
    // Every minute: publish lines due for another look (not sent yet, or waiting to be confirmed) go.
    this.#every('publish-recheck', '* * * * *', () => resumeSending(deps))
    // Every minute: syncs and IMPORTs whose instance stopped (its process ended, or its lease is past) are ended.
    this.#every('run-sweep', '* * * * *', () => Promise.all([sweepAbandonedRuns(deps), markInterruptedImports(deps, false)]))
    // Every minute: staged records a run left out of the search index (it stopped half-way) are added.
    this.#every('search-index', '* * * * *', () => catchUpSearchIndex(deps))
    // A PostgreSQL database is backed up by its own tools (the Settings page says so).
    if (settings.backupSchedule === 'daily' && deps.sqlite) {
      this.#every('backup', `0 ${settings.backupHour} * * *`, () => takeBackup(deps, 'scheduled', settings.backupKeep), settings.companyTimeZone)
    }
    // Daily, whatever the schedules: OAuth refresh tokens near their end are renewed.
    this.#every('connections', '17 3 * * *', () => keepConnectionsAlive(deps), deps.config.timeZone)
    // Connector values past their expiry (Web Connector sessions after a month) read as absent; forget them.
    this.#every('connector-store', '23 3 * * *', () => forgetExpiredValues(deps.db), deps.config.timeZone)
    this.#every('job-claims', '29 3 * * *', () => forgetOldClaims(deps.db, new Date().toISOString().slice(0, 10)), deps.config.timeZone)
    // Every minute: incidents seen now (publish lines, connections, agents), and the notifications due.
    this.#every('notifications', '* * * * *', async () => {
      await watchIncidents(deps)
      await deliverDue(deps)
    })
    this.#every('digest', `0 ${digestHour} * * *`, () => sendDigest(deps), settings.companyTimeZone)
    for (const row of rows) {
      if (!row.cron || !isModuleId(row.module) || !cron.validate(row.cron)) continue
      const module = row.module
      const bySecond = hasSecondsField(row.cron)
      const task = cron.schedule(row.cron, (context) => this.tick(row.integration, module, context.date, bySecond), {
        timezone: row.time_zone,
        noOverlap: true,
        name: key(row.integration, module),
      })
      this.#tasks.set(key(row.integration, module), task)
    }
  }

  /** Sets the timers again if the schedules or backup settings changed since they were set (by another instance, say). */
  async refreshIfChanged(): Promise<boolean> {
    const deps = this.#deps
    if (!deps || (await this.#read(deps)).signature === this.#loaded) return false
    await this.reload()
    return true
  }

  async #read(deps: SchedulerDeps) {
    const rows = await deps.db
      .selectFrom('sync_schedules')
      .innerJoin('integrations', 'integrations.id', 'sync_schedules.integration')
      .select(['sync_schedules.integration', 'sync_schedules.module', 'sync_schedules.cron', 'sync_schedules.time_zone'])
      .where('sync_schedules.cron', 'is not', null)
      .where('integrations.activated', '=', 1)
      .where('integrations.is_sync_source', '=', 1)
      .orderBy('sync_schedules.integration')
      .orderBy('sync_schedules.module')
      .execute()
    const settings = await getSettings(deps.db, deps.config.timeZone)
    const backup = [settings.backupSchedule, settings.backupHour, settings.backupKeep, settings.companyTimeZone]
    const { digestHour } = await loadNotificationSettings(deps)
    return { rows, settings, digestHour, signature: JSON.stringify([rows, backup, digestHour]) }
  }

  /** A job every instance keeps on its timer; each occurrence runs on the one instance that claims it. */
  #every(job: string, expression: string, run: () => Promise<unknown>, timezone?: string): void {
    const task = cron.schedule(expression, (context) => this.#occurrence(job, context.date, run), { timezone, noOverlap: true, name: job })
    this.#tasks.set(job, task)
  }

  /** Runs this occurrence of `job` if this instance claims it first; another instance's claim means it runs there. */
  async #occurrence(job: string, due: Date, run: () => Promise<unknown>, bySecond = false): Promise<boolean> {
    const deps = this.#deps
    if (!deps) return false
    if (!(await claimOccurrence(deps.db, job, due, deps.runs.instance, bySecond))) {
      deps.logger.debug({ event: 'job_claimed_elsewhere', job, due: dueSlot(due, bySecond) }, 'another instance runs this occurrence')
      return false
    }
    await run()
    return true
  }

  /** When the scheduled backup runs next, if backups are scheduled. */
  nextBackup(): Date | null {
    return this.#tasks.get('backup')?.getNextRun() ?? null
  }

  nextRun(integration: string, module: string): Date | null {
    return this.#tasks.get(key(integration, module))?.getNextRun() ?? null
  }

  period(integration: string, module: string): number | null {
    const [next, after] = this.#tasks.get(key(integration, module))?.getNextRuns(2) ?? []
    return next && after ? after.getTime() - next.getTime() : null
  }

  stop(): void {
    for (const task of this.#tasks.values()) void task.stop()
    this.#tasks.clear()
  }

  /**
   * One scheduled run, due at `due`: SYNC, wait for it, then auto-import what the schedule asks for.
   * Of several instances, the one that claims the occurrence runs it; false for the others.
   * `bySecond`: the schedule names seconds, so its occurrences are told apart by the second.
   */
  tick(integration: string, module: ModuleId, due = new Date(), bySecond = false): Promise<boolean> {
    return this.#occurrence(`sync:${key(integration, module)}`, due, () => this.#scheduledSync(integration, module), bySecond)
  }

  async #scheduledSync(integration: string, module: ModuleId): Promise<void> {
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
