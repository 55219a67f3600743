import type { Config } from '../config.js'
import { openDatabase } from '../db/database.js'
import { upgradeDatabase } from '../db/upgrade.js'
import { lockDatabase } from '../runtime/instance-lock.js'
import { complain, EXIT, say } from './output.js'

/** clockbridge migrate: applies pending migrations to the configured database (backed up first, see upgrade.ts). */
export async function migrateCommand(config: Config): Promise<number> {
  // Not under a running server: it would go on with the old code on the new schema.
  const release = lockDatabase(config.databasePath)
  const opened = openDatabase(config.databasePath)
  const { db } = opened
  try {
    const applied = await upgradeDatabase(opened, config.dataDir)
    if (applied.length === 0) say(`${config.databasePath}: already up to date`)
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
