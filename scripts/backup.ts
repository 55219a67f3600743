// npm run backup -- <file>: a consistent copy of the live database through SQLite's online backup,
// safe while the server runs. Restore: stop the server, replace DATABASE_PATH with the copy.
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import SQLite from 'better-sqlite3'
import { loadConfig } from '../src/config.js'

const target = process.argv[2]
if (!target) {
  console.error('usage: npm run backup -- <file>   (e.g. npm run backup -- backups/clockbridge-2026-11-24.db)')
  process.exit(2)
}
const config = loadConfig()
if (!existsSync(config.databasePath)) {
  console.error(`No database at ${config.databasePath}; set DATA_DIR or DATABASE_PATH to the one to back up.`)
  process.exit(1)
}
const destination = resolve(target)
if (existsSync(destination)) {
  console.error(`${destination} already exists; choose a new file name so no backup is overwritten.`)
  process.exit(1)
}
const source = new SQLite(config.databasePath, { readonly: true, fileMustExist: true })
source.pragma('busy_timeout = 5000')
try {
  const started = Date.now()
  await source.backup(destination)
  const check = new SQLite(destination, { readonly: true })
  const integrity = check.pragma('integrity_check', { simple: true })
  check.close()
  if (integrity !== 'ok') throw new Error(`the copy failed its integrity check: ${String(integrity)}`)
  console.log(`Backed up ${config.databasePath} to ${destination} in ${Date.now() - started} ms (integrity ok)`)
} catch (err) {
  console.error(`Backup failed: ${err instanceof Error ? err.message : String(err)}`)
  process.exitCode = 1
} finally {
  source.close()
}
