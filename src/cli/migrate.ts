import type { Config } from '../config.js'
import { openDatabase } from '../db/database.js'
import { migrateToLatest } from '../db/migrator.js'
import { complain, EXIT, say } from './output.js'

/** clockbridge migrate: applies pending migrations to the configured database. */
export async function migrateCommand(config: Config): Promise<number> {
  const { db } = openDatabase(config.databasePath)
  try {
    const results = await migrateToLatest(db)
    if (results.length === 0) say(`${config.databasePath}: already up to date`)
    for (const r of results) say(`${r.migrationName}: ${r.status}`)
    return EXIT.ok
  } catch (err) {
    complain(err instanceof Error ? err.message : String(err))
    return EXIT.failed
  } finally {
    await db.destroy()
  }
}
