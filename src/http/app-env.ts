import type { Logger } from 'pino'
import type { Config } from '../config.js'
import type SQLite from 'better-sqlite3'
import type { Db } from '../db/database.js'
import type { AnyConnector } from '../connectors/kit/types.js'
import type { RunRegistry } from '../staging/sync-runs.js'
import type { Scheduler } from '../integrations/scheduler.js'
import type { SessionUser } from '../auth/sessions.js'
import type { Flash } from './flash.js'

/** What createApp needs from the outside world; tests build their own. */
export type AppDeps = {
  db: Db
  /** The same connection as `db`, for the staging hot path (src/staging/staging-store.ts). */
  sqlite: SQLite.Database
  config: Config
  logger: Logger
  connectors: readonly AnyConnector[]
  runs: RunRegistry
  scheduler: Scheduler
}

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
