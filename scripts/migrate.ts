// npm run migrate: applies pending migrations to the configured database and exits.
import { loadConfig } from '../src/config.js'
import { openDatabase } from '../src/db/database.js'
import { migrateToLatest } from '../src/db/migrator.js'

const config = loadConfig()
const { db } = openDatabase(config.databasePath)
try {
  const results = await migrateToLatest(db)
  if (results.length === 0) console.log(`${config.databasePath}: already up to date`)
  for (const r of results) console.log(`${r.migrationName}: ${r.status}`)
} catch (err) {
  console.error(err instanceof Error ? err.message : err)
  process.exitCode = 1
} finally {
  await db.destroy()
}
