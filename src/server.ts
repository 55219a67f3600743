import { serve } from '@hono/node-server'
import { ConfigError, loadConfig } from './config.js'
import { openDatabase } from './db/database.js'
import { migrateToLatest } from './db/migrator.js'
import { createLogger } from './lib/logger.js'
import { createApp, createDeps } from './app.js'
import { countUsers } from './users/service.js'
import { deleteExpiredSessions } from './auth/sessions.js'
import { markInterruptedRuns } from './staging/sync-runs.js'
import { routeCronLogs } from './integrations/scheduler.js'

async function main() {
  const config = loadConfig()
  const logger = createLogger(config.logLevel)
  const { db, sqlite } = openDatabase(config.databasePath)
  const applied = await migrateToLatest(db)
  for (const r of applied) logger.info({ event: 'migration', name: r.migrationName, status: r.status }, 'migration applied')
  await deleteExpiredSessions(db)

  const deps = createDeps({ db, sqlite, config, logger })
  const interrupted = await markInterruptedRuns(deps)
  if (interrupted > 0) logger.warn({ event: 'runs_timed_out', count: interrupted }, 'runs interrupted by the last shutdown marked timed out')
  routeCronLogs(logger)
  await deps.scheduler.start(deps)
  const app = createApp(deps)
  const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (info) => {
    logger.info({ event: 'listening', address: info.address, port: info.port, url: config.publicBaseUrl, database: config.databasePath }, 'Clockbridge is listening')
  })
  const users = await countUsers(db)
  // The one human-facing line: where to go, and how to get the first account.
  process.stdout.write(
    `\nClockbridge is running at ${config.publicBaseUrl}\n` +
      (users === 0
        ? `No administrator yet: open ${config.publicBaseUrl}/setup, or run\n  npm run admin:create -- --email you@example.com --password '<at least 10 characters>'\n\n`
        : '\n'),
  )

  const shutdown = (signal: string) => {
    logger.info({ event: 'shutdown', signal }, 'shutting down')
    deps.scheduler.stop()
    server.close(() => {
      void db.destroy().then(() => process.exit(0))
    })
    setTimeout(() => process.exit(0), 5000).unref()
  }
  process.on('SIGINT', () => shutdown('SIGINT'))
  process.on('SIGTERM', () => shutdown('SIGTERM'))
}

main().catch((err) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`)
  } else {
    process.stderr.write(`Clockbridge failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`)
  }
  process.exit(1)
})
