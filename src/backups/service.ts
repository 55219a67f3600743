import { mkdirSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import type SQLite from 'better-sqlite3'
import type { Db } from '../db/database.js'
import type { Config } from '../config.js'
import type { Logger } from 'pino'
import { recordAudit, type Actor } from '../audit/audit-log.js'
import { runHeavy } from '../staging/off-thread.js'

// Backups Clockbridge takes by itself: daily at an hour (a setting, off by default) or "Back up
// now". Each is a checked one-file copy in <data>/backups named by its time, taken on the worker
// thread (the copy and its check grow with the database); after a good one the oldest beyond the
// number to keep are deleted. Each is recorded in backup_runs, so a failure shows on the home page.

export type BackupDeps = { db: Db; sqlite: SQLite.Database | null; config: Config; logger: Logger }

const NAME = /^clockbridge-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z\.db$/

export const backupFolder = (config: Config) => join(config.dataDir, 'backups')

/** Takes a backup now; returns its row. Never throws: a failure is recorded with its reason. */
export async function takeBackup(deps: BackupDeps, trigger: 'scheduled' | 'manual', keep: number, actor?: Actor) {
  const startedAt = new Date().toISOString()
  const { id } = await deps.db
    .insertInto('backup_runs')
    .values({ trigger, status: 'running', removed: 0, started_at: startedAt })
    .returning('id')
    .executeTakeFirstOrThrow()
  const log = deps.logger.child({ job: 'backup', backupId: id })
  let outcome: { status: 'succeeded'; file: string; bytes: number; removed: number } | { status: 'failed'; error: string }
  try {
    if (!deps.sqlite) throw new Error('a PostgreSQL database is backed up with its own tools (pg_dump, or the service that hosts it), not by Clockbridge')
    if (deps.sqlite.memory) throw new Error('an in-memory database has nothing to back up')
    const folder = backupFolder(deps.config)
    mkdirSync(folder, { recursive: true, mode: 0o700 })
    const file = join(folder, `clockbridge-${startedAt.replace(/[:.]/g, '-')}.db`)
    const bytes = await runHeavy(deps, { kind: 'backup', file }, () => Promise.reject(new Error('unreachable')))
    outcome = { status: 'succeeded', file, bytes: bytes as number, removed: removeOldest(folder, keep) }
    log.info({ event: 'backup_taken', file, bytes, removed: outcome.removed }, 'backup taken')
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err)
    outcome = { status: 'failed', error: `${reason}. Check that ${backupFolder(deps.config)} is writable and has room, then press Back up now under Settings.` }
    log.error({ event: 'backup_failed', error: reason }, 'backup failed')
  }
  await deps.db
    .updateTable('backup_runs')
    .set({ ...outcome, finished_at: new Date().toISOString() })
    .where('id', '=', id)
    .execute()
  if (actor)
    await recordAudit(deps.db, actor, {
      action: 'backup.take',
      entityType: 'backup_run',
      entityId: id,
      summary: outcome.status === 'succeeded' ? `Backed up the database to ${outcome.file}` : `A backup failed: ${outcome.error}`,
    })
  return deps.db.selectFrom('backup_runs').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
}

/** Deletes the oldest of our backups beyond `keep` (never the upgrade copies, never other files). */
function removeOldest(folder: string, keep: number): number {
  const ours = readdirSync(folder)
    .filter((name) => NAME.test(name))
    .sort()
  const old = ours.slice(0, Math.max(0, ours.length - keep))
  for (const name of old) rmSync(join(folder, name), { force: true })
  return old.length
}

export const recentBackups = (db: Db, limit = 5) => db.selectFrom('backup_runs').selectAll().orderBy('id', 'desc').limit(limit).execute()

/** The latest finished backup when it failed: what the home page warns about. */
export async function failedBackup(db: Db) {
  const latest = await db.selectFrom('backup_runs').selectAll().where('status', '!=', 'running').orderBy('id', 'desc').limit(1).executeTakeFirst()
  return latest?.status === 'failed' ? latest : null
}
