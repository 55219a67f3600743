import { mkdirSync, statfsSync, statSync } from 'node:fs'
import { join } from 'node:path'
import type SQLite from 'better-sqlite3'
import { copyDatabase } from './copy.js'
import { sql } from 'kysely'
import type { Logger } from 'pino'
import type { Db } from './database.js'
import { migrateToLatest } from './migrator.js'
import { MIGRATIONS } from './migration-list.js'
import { assetText } from '../runtime/assets.js'

// Every start (and every command that opens the database) goes through here. A database written by
// a newer Clockbridge is left untouched and the start refused; one that needs migrations and holds
// data is first copied to <data>/backups (after checking there is room), then migrated forward in
// one transaction.

export class UpgradeRefusedError extends Error {}

export const appVersion = () => (JSON.parse(assetText('package.json')) as { version: string }).version

/** Room the backup and the migration may need besides the database itself. */
const SPARE_BYTES = 64 * 1024 * 1024

async function executedMigrations(db: Db): Promise<string[]> {
  const tables = await db.introspection.getTables({ withInternalKyselyTables: true })
  if (!tables.some((t) => t.name === 'kysely_migration')) return []
  return (await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db)).rows.map((r) => r.name)
}

async function migratedBy(db: Db): Promise<string | null> {
  try {
    return (await db.selectFrom('app_meta').select('value').where('key', '=', 'schema_by').executeTakeFirst())?.value ?? null
  } catch {
    return null
  }
}

/** A copy of the database before it is migrated, or an error when the disk cannot hold one. */
async function backupBeforeUpgrade(sqlite: SQLite.Database, dataDir: string, pending: string[]): Promise<string> {
  const dir = join(dataDir, 'backups')
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  const size = statSync(sqlite.name).size + (statSafe(`${sqlite.name}-wal`) ?? 0)
  const fs = statfsSync(dir)
  const free = fs.bavail * fs.bsize
  if (free < size * 2 + SPARE_BYTES) {
    throw new UpgradeRefusedError(
      `This version needs ${pending.length} database migration(s), and a backup first: ${mb(size * 2 + SPARE_BYTES)} free are needed in ${dir}, ${mb(free)} are. Free some space and start again; the database is untouched.`,
    )
  }
  const file = join(dir, `before-${appVersion()}-${new Date().toISOString().replace(/[:.]/g, '-')}.db`)
  await copyDatabase(sqlite, file, 'quick_check')
  return file
}

const statSafe = (path: string) => {
  try {
    return statSync(path).size
  } catch {
    return null
  }
}
const mb = (bytes: number) => `${Math.ceil(bytes / 1024 / 1024)} MB`

/** Brings the database to this version's schema, safely; returns the migrations applied. */
export async function upgradeDatabase({ db, sqlite }: { db: Db; sqlite: SQLite.Database | null }, dataDir: string, logger?: Logger): Promise<string[]> {
  const executed = await executedMigrations(db)
  const known = new Set(Object.keys(MIGRATIONS))
  const unknown = executed.filter((name) => !known.has(name))
  if (unknown.length > 0) {
    const by = await migratedBy(db)
    throw new UpgradeRefusedError(
      `This database was migrated by ${by ? `Clockbridge ${by}` : 'a newer Clockbridge'}; this is ${appVersion()}, which does not know ${unknown.length} of its migration(s) (${unknown.at(-1)}). Run ${by ? `Clockbridge ${by} or newer` : 'the newer version'}; this one leaves the database untouched.`,
    )
  }
  const pending = Object.keys(MIGRATIONS).filter((name) => !executed.includes(name))
  if (pending.length === 0) return []
  // A PostgreSQL database is backed up by its own tools (pg_dump) before an upgrade, as its owner does already.
  if (executed.length > 0 && sqlite && !sqlite.memory) {
    const backup = await backupBeforeUpgrade(sqlite, dataDir, pending)
    logger?.info({ event: 'upgrade_backup', backup, pending: pending.length }, 'database backed up before migrating')
  }
  const applied = (await migrateToLatest(db)).map((r) => r.migrationName)
  await db
    .insertInto('app_meta')
    .values({ key: 'schema_by', value: appVersion() })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: appVersion() }))
    .execute()
  for (const name of applied) logger?.info({ event: 'migration', name, status: 'Success' }, 'migration applied')
  return applied
}
