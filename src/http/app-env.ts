import type { Logger } from 'pino'
import type { Config } from '../config.js'
import type { Db } from '../db/database.js'
import type { SessionUser } from '../auth/sessions.js'
import type { Flash } from './flash.js'

/** What createApp needs from the outside world; tests build their own. */
export type AppDeps = {
  db: Db
  config: Config
  logger: Logger
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
