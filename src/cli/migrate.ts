import type { Config } from '../config.js'
import { databaseName, openConfiguredDatabase, openDatabase, redactedUrl } from '../db/database.js'
import { upgradeDatabase } from '../db/upgrade.js'
import { lockDatabase, lockInstance } from '../runtime/instance-lock.js'
import { moveToPostgres, MoveRefusedError } from '../db/move-to-postgres.js'
import { complain, EXIT, say } from './output.js'

/** clockbridge migrate: applies pending migrations to the configured database (backed up first, see upgrade.ts). */
export async function migrateCommand(config: Config): Promise<number> {
  // Not under a running server: it would go on with the old code on the new schema.
  const release = lockInstance(config)
  const opened = openConfiguredDatabase(config)
  const { db } = opened
  try {
    const applied = await upgradeDatabase(opened, config.dataDir)
    if (applied.length === 0) say(`${databaseName(config)}: already up to date`)
    for (const name of applied) say(`${name}: Success`)
    return EXIT.ok
  } catch (err) {
    complain(err instanceof Error ? err.message : String(err))
    return EXIT.failed
  } finally {
    await db.destroy()
    release()
  }
}

/**
 * clockbridge migrate --to postgres://…: the SQLite database, brought up to date first (backed up as
 * migrate does), copied whole into a new, empty PostgreSQL database, each table counted and checksummed.
 */
export async function moveCommand(config: Config, url: string): Promise<number> {
  if (!/^postgres(ql)?:\/\/./.test(url)) {
    complain(`--to needs a PostgreSQL address such as postgres://clockbridge:password@db.example.com/clockbridge, not "${redactedUrl(url)}".`)
    return EXIT.usage
  }
  if (config.databaseUrl) {
    complain(`DATABASE_URL is set: this Clockbridge already runs on ${databaseName(config)}. --to copies a SQLite file; unset DATABASE_URL to name one.`)
    return EXIT.usage
  }
  const release = lockDatabase(config.databasePath)
  const opened = openDatabase(config.databasePath)
  try {
    await upgradeDatabase(opened, config.dataDir)
    let rows = 0
    const moved = await moveToPostgres(opened.sqlite, url, (table) => {
      rows += table.rows
      say(`${table.name}: ${table.rows.toLocaleString('en-US')} rows, checksum ${table.checksum} on both sides`)
    })
    say(`Copied ${rows.toLocaleString('en-US')} rows in ${moved.length} tables from ${config.databasePath} to ${redactedUrl(url)}; every table matches.`)
    say('Clockbridge itself does not run on PostgreSQL yet: keep running it on the SQLite file.')
    return EXIT.ok
  } catch (err) {
    if (err instanceof MoveRefusedError) complain(err.message)
    else
      complain(
        `The move to ${redactedUrl(url)} failed: ${err instanceof Error ? err.message : String(err)}. No rows were copied; drop that database, create it again (empty) and run the move once more.`,
      )
    return EXIT.failed
  } finally {
    await opened.db.destroy()
    release()
  }
}
