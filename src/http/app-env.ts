import type { Logger } from 'pino'
import type { Config } from '../config.js'
import type SQLite from 'better-sqlite3'
import type { Db } from '../db/database.js'
import type { AnyConnector } from '../connectors/kit/types.js'
import type { RunRegistry } from '../staging/run-registry.js'
import type { CoreTable } from '../records/core-modules.js'
import type { SessionUser } from '../auth/sessions.js'

/** What createApp needs from the outside world; tests build their own. */
export type AppDeps = {
  db: Db
  /**
   * The same connection as `db`, for what SQLite does through its own statements (the staging and
   * IMPORT hot paths, WAL checkpoints, file backups); null on PostgreSQL.
   */
  sqlite: SQLite.Database | null
  config: Config
  logger: Logger
  connectors: readonly AnyConnector[]
  runs: RunRegistry
  scheduler: SyncScheduler
  ownership: FieldOwnership
  notifier: Notifier
}

/** Tells whoever asked to be told (src/notifications/): a sync run ended. Never throws; never waits for the sending. */
export interface Notifier {
  runFinished(runId: number): void
}

/** Which columns of a core module's records their sync source manages (src/staging/field-conflicts.ts). */
export interface FieldOwnership {
  /** Null when the integration is not the current sync source: nothing imports over its records. */
  managedBy(db: Db, integration: string, table: CoreTable): Promise<{ name: string; columns: string[] } | null>
}

/** The cron schedules of syncs and jobs, each occurrence run by the one instance that claims it (src/integrations/scheduler.ts). */
export interface SyncScheduler {
  start(deps: Omit<AppDeps, 'scheduler'>): Promise<void>
  /** Reads the schedules again after a change. */
  reload(): Promise<void>
  /** One scheduled sync of a module due at `due`, as its cron would start it (then auto-import); false when another instance claimed that occurrence. */
  tick(integration: string, module: string, due?: Date, bySecond?: boolean): Promise<boolean>
  /** Sets the timers again if the schedules changed since (on another instance); true if they did. */
  refreshIfChanged(): Promise<boolean>
  nextRun(integration: string, module: string): Date | null
  /** How far apart a module's scheduled syncs are (between its next two occurrences), or null without a schedule. */
  period(integration: string, module: string): number | null
  nextBackup(): Date | null
  stop(): void
}

/** A message shown once on the next page (after a redirect). */
export type Flash = { kind: 'success' | 'error'; message: string }

export type AppEnv = {
  Variables: {
    deps: AppDeps
    db: Db
    config: Config
    requestId: string
    log: Logger
    user: SessionUser | null
    sessionId: string | null
    flash: Flash | null
    clientIp: string | null
  }
}
