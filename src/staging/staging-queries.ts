import type { Db } from '../db/database.js'
import type { Database, StagedStatus } from '../db/schema.js'
import type { ModuleId } from '../integrations/modules.js'
import { containsPattern } from '../lists/list-query.js'
import { sql, type ExpressionBuilder } from 'kysely'

export const STAGING_PAGE_SIZE = 50
/** Counts stop here: over a million staged rows an exact count costs more than the page itself. */
export const COUNT_CAP = 10_000
export const STAGED_STATUSES: StagedStatus[] = ['new', 'updated', 'imported', 'archived']
export const STAGING_SORTS = { label: 'label', external_id: 'external_id', changed: 'last_changed_at', status: 'status' } as const

export type StagingFilter = { status: StagedStatus | ''; removed: '' | 'yes' | 'no'; q: string }
export type StagingSort = { sort: keyof typeof STAGING_SORTS; dir: 'asc' | 'desc' }

/**
 * The staged rows of one integration's module: their scope id, which SQLite looks up once and then
 * uses as the first column of every staged_records index.
 */
export const inScope =
  (integration: string, module: string) =>
  (eb: ExpressionBuilder<Database, 'staged_records'>) =>
    eb('staged_records.scope_id', '=', eb.selectFrom('staging_scopes').select('staging_scopes.id').where('staging_scopes.integration', '=', integration).where('staging_scopes.module', '=', module))

function filtered(db: Db, integration: string, module: ModuleId, f: StagingFilter) {
  let q = db.selectFrom('staged_records').where(inScope(integration, module))
  if (f.status) q = q.where('status', '=', f.status)
  if (f.removed) q = q.where('removed', '=', f.removed === 'yes' ? 1 : 0)
  if (f.q) {
    const pattern = containsPattern(f.q)
    q = q.where((eb) => eb.or([sql<boolean>`label like ${pattern} escape '\\'`, sql<boolean>`external_id like ${pattern} escape '\\'`]))
  }
  return q
}

/** How many rows match, exactly up to COUNT_CAP; `capped` says there are more. */
async function cappedCount(db: Db, query: ReturnType<typeof filtered>): Promise<{ total: number; capped: boolean }> {
  const limited = query.select(sql<number>`1`.as('one')).limit(COUNT_CAP + 1)
  const row = await db.selectFrom(limited.as('limited')).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
  const n = Number(row.n)
  return { total: Math.min(n, COUNT_CAP), capped: n > COUNT_CAP }
}

export async function stagingPage(db: Db, integration: string, module: ModuleId, f: StagingFilter, s: StagingSort, page: number) {
  const { total, capped } = await cappedCount(db, filtered(db, integration, module, f))
  const knownPages = Math.max(1, Math.ceil(total / STAGING_PAGE_SIZE))
  const current = capped ? Math.max(1, page) : Math.min(Math.max(1, page), knownPages)
  const rows = await filtered(db, integration, module, f)
    .select(['id', 'external_id', 'label', 'status', 'removed', 'core_id', 'last_changed_at', 'archived'])
    .orderBy(sql.ref(STAGING_SORTS[s.sort]), s.dir)
    .orderBy('id', s.dir)
    .limit(STAGING_PAGE_SIZE)
    .offset((current - 1) * STAGING_PAGE_SIZE)
    .execute()
  // Past the cap the last page is unknown: there is a next page while this one is full.
  const pageCount = capped ? Math.max(knownPages, current + (rows.length === STAGING_PAGE_SIZE ? 1 : 0)) : knownPages
  return { rows, total, capped, page: current, pageCount, pageSize: STAGING_PAGE_SIZE }
}

export type StagingRow = Awaited<ReturnType<typeof stagingPage>>['rows'][number]

/** The ids a "select all N matching" action applies to. */
export async function matchingIds(db: Db, integration: string, module: ModuleId, f: StagingFilter): Promise<number[]> {
  const rows = await filtered(db, integration, module, f).select('id').orderBy('id').execute()
  return rows.map((r) => r.id)
}

export type StatusCounts = Record<StagedStatus | 'removed', { total: number; capped: boolean }>

/** Per-status counts for the tab, each capped so a million-row module answers as fast as a small one. */
export async function statusCounts(db: Db, integration: string, module: ModuleId): Promise<StatusCounts> {
  const base = () => db.selectFrom('staged_records').where(inScope(integration, module))
  const counts = {} as StatusCounts
  for (const status of STAGED_STATUSES) counts[status] = await cappedCount(db, base().where('status', '=', status))
  counts.removed = await cappedCount(db, base().where('removed', '=', 1))
  return counts
}

export const countText = (c: { total: number; capped: boolean }) => (c.capped ? `${COUNT_CAP.toLocaleString('en-US')}+` : c.total.toLocaleString('en-US'))

export function getStagedRecord(db: Db, integration: string, module: ModuleId, id: number) {
  return db.selectFrom('staged_records').selectAll().where(inScope(integration, module)).where('id', '=', id).executeTakeFirst()
}

export function recentRuns(db: Db, integration: string, limit = 50) {
  return db
    .selectFrom('sync_runs')
    .leftJoin('users', 'users.id', 'sync_runs.requested_by')
    .selectAll('sync_runs')
    .select('users.email as requested_by_email')
    .where('integration', '=', integration)
    .orderBy('sync_runs.id', 'desc')
    .limit(limit)
    .execute()
}

export function recentBatches(db: Db, integration: string, limit = 50) {
  return db
    .selectFrom('import_batches')
    .leftJoin('users', 'users.id', 'import_batches.user_id')
    .selectAll('import_batches')
    .select('users.email as user_email')
    .where('integration', '=', integration)
    .orderBy('import_batches.id', 'desc')
    .limit(limit)
    .execute()
}

/** IMPORTs that did not finish (interrupted by a server stop, or failed as a whole), newest first. */
export function unfinishedImports(db: Db, integration: string, limit = 20) {
  return db
    .selectFrom('import_attempts')
    .leftJoin('users', 'users.id', 'import_attempts.user_id')
    .selectAll('import_attempts')
    .select('users.email as user_email')
    .where('import_attempts.integration', '=', integration)
    .where('import_attempts.status', 'in', ['interrupted', 'failed'])
    .orderBy('import_attempts.id', 'desc')
    .limit(limit)
    .execute()
}

export function latestRun(db: Db, integration: string, module: ModuleId) {
  return db.selectFrom('sync_runs').selectAll().where('integration', '=', integration).where('module', '=', module).orderBy('id', 'desc').limit(1).executeTakeFirst()
}

export function runErrors(db: Db, runId: number, limit?: number) {
  const q = db.selectFrom('sync_run_errors').selectAll().where('run_id', '=', runId).orderBy('id')
  return (limit ? q.limit(limit) : q).execute()
}
