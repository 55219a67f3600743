import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import SQLite from 'better-sqlite3'
import type { Config } from '../config.js'
import { sqliteOptions } from '../runtime/native-sqlite.js'
import { copyDatabase } from '../db/copy.js'
import { complain, EXIT, say } from './output.js'

/**
 * clockbridge backup <file>: a consistent copy of the live database through SQLite's online
 * backup, safe while the server runs. Restore: stop the server, replace the database with the copy.
 */
export async function backupCommand(config: Config, target: string): Promise<number> {
  if (!existsSync(config.databasePath)) {
    complain(`No database at ${config.databasePath}; give --data-dir (or DATA_DIR / DATABASE_PATH) of the one to back up.`)
    return EXIT.failed
  }
  const destination = resolve(target)
  if (existsSync(destination)) {
    complain(`${destination} already exists; choose a new file name so no backup is overwritten.`)
    return EXIT.failed
  }
  const source = new SQLite(config.databasePath, { ...sqliteOptions(), readonly: true, fileMustExist: true })
  source.pragma('busy_timeout = 5000')
  try {
    const started = Date.now()
    await copyDatabase(source, destination)
    say(`Backed up ${config.databasePath} to ${destination} in ${Date.now() - started} ms (integrity ok)`)
    return EXIT.ok
  } catch (err) {
    complain(`Backup failed: ${err instanceof Error ? err.message : String(err)}`)
    return EXIT.failed
  } finally {
    source.close()
  }
}
