import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https'
import type { Logger } from 'pino'
import { serve } from '@hono/node-server'
import { readTls, type Config } from './config.js'
import { databaseName, openConfiguredDatabase } from './db/database.js'
import { checkpointsDone } from './db/wal-checkpointer.js'
import { upgradeDatabase } from './db/upgrade.js'
import { lockInstance } from './runtime/instance-lock.js'
import { createLogger } from './lib/logger.js'
import { createApp, createDeps } from './app.js'
import type { AppDeps } from './http/app-env.js'
import { countUsers } from './users/service.js'
import { deleteExpiredSessions } from './auth/sessions.js'
import { sweepAbandonedRuns } from './staging/sync-runs.js'
import { markInterruptedImports } from './staging/import-service.js'
import { catchUpSearchIndex } from './staging/staged-search.js'
import { resumeSending } from './payroll/publish-sender.js'
import { routeCronLogs } from './integrations/scheduler.js'
import { commandName } from './runtime/assets.js'
import { notifyReady } from './runtime/systemd.js'

/**
 * Opens and migrates the database, marks runs the last process left behind, starts the scheduler
 * and serves HTTP. `prepare` runs after migrations and before serving (the demo seeds there).
 */
export async function startServer(config: Config, prepare?: (deps: AppDeps) => Promise<string | void>) {
  const logger = createLogger(config.logLevel)
  const releaseLock = lockInstance(config)
  const { db, sqlite } = openConfiguredDatabase(config)
  try {
    await upgradeDatabase({ db, sqlite }, config.dataDir, logger)
  } catch (err) {
    await db.destroy()
    releaseLock()
    throw err
  }
  await deleteExpiredSessions(db)
  if (!sqlite)
    logger.info(
      { event: 'database_postgres', database: databaseName(config) },
      'data on PostgreSQL: Clockbridge takes no backups of it; back it up with its own tools (pg_dump, or the service that hosts it)',
    )
  const deps = createDeps({ db, sqlite, config, logger })
  const interrupted = await sweepAbandonedRuns(deps, new Date(), true)
  if (interrupted > 0) logger.warn({ event: 'runs_timed_out', count: interrupted }, 'runs interrupted by the last shutdown marked timed out')
  const imports = await markInterruptedImports(deps, true)
  if (imports > 0) logger.warn({ event: 'imports_interrupted', count: imports }, 'IMPORTs interrupted by the last shutdown marked interrupted')
  const banner = (await prepare?.(deps)) ?? ''
  routeCronLogs(logger)
  await deps.scheduler.start(deps)
  await resumeSending(deps)
  void catchUpSearchIndex(deps)
  const app = createApp(deps)
  const tls = config.tls ? { createServer: createHttpsServer, serverOptions: { cert: config.tls.cert, key: config.tls.key } } : {}
  let stopNotifying: (() => void) | null = null
  const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host, ...tls }, (info) => {
    logger.info(
      { event: 'listening', address: info.address, port: info.port, url: config.publicBaseUrl, database: databaseName(config) },
      'Clockbridge is listening',
    )
    void notifyReady().then((stop) => (stopNotifying = stop))
  })
  const users = await countUsers(db)
  // The one human-facing message: where to go, and how to get the first account.
  process.stdout.write(
    `\nClockbridge is running at ${config.publicBaseUrl}\n` +
      (banner ? `${banner}\n` : '') +
      (users === 0
        ? `No administrator yet: open ${config.publicBaseUrl}/setup, or run\n  ${commandName()} admin create --email you@example.com --password '<at least 10 characters>'\n`
        : '') +
      '\n',
  )
  const shutdown = (signal: string) => {
    logger.info({ event: 'shutdown', signal }, 'shutting down')
    stopNotifying?.()
    deps.scheduler.stop()
    for (const run of deps.runs.active.values()) run.controller.abort(new Error('The server is shutting down'))
    server.close(() => {
      void deps.runs
        .idle()
        .then(() => checkpointsDone(deps.sqlite))
        .then(() => db.destroy())
        .then(() => process.exit(0))
    })
    setTimeout(() => process.exit(0), 5000).unref()
  }
  if (config.tls) {
    const files = config.tls
    process.on('SIGHUP', () => reloadTls(server as HttpsServer, files, logger))
  }
  process.once('SIGINT', () => shutdown('SIGINT'))
  process.once('SIGTERM', () => shutdown('SIGTERM'))
  return { deps, server }
}

/** SIGHUP: the certificate and key are read again (a renewed certificate) and used for new connections. */
function reloadTls(server: HttpsServer, files: { certFile: string; keyFile: string }, logger: Logger): void {
  try {
    const tls = readTls(files.certFile, files.keyFile)!
    server.setSecureContext({ cert: tls.cert, key: tls.key })
    logger.info({ event: 'tls_reloaded', cert: files.certFile }, 'certificate and key reloaded')
  } catch (err) {
    logger.error(
      { event: 'tls_reload_failed', error: err instanceof Error ? err.message : String(err) },
      'the certificate and key could not be reloaded; the previous ones stay in use',
    )
  }
}
