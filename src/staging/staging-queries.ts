import type { Db } from '../db/database.js'
import type { Database, StagedStatus } from '../db/schema.js'
import type { ModuleId } from '../connectors/kit/records.js'
import { sql, type ExpressionBuilder, type SelectQueryBuilder } from 'kysely'
import { containsPattern } from '../lists/list-query.js'
import { hasStagedWordsIndex, likeIgnoringCase, withoutIndex } from '../db/dialect.js'
import { stagedWordsMatch } from './staged-words.js'

export const STAGING_PAGE_SIZE = 50
export const STAGED_STATUSES: StagedStatus[] = ['new', 'updated', 'imported', 'archived']
/** The columns of each sort, each served by an index of staged_records (the id breaks ties). */
export const STAGING_SORTS = { label: ['label'], external_id: ['external_id'], changed: ['last_changed_at'], status: ['status', 'label'] } as const

export type StagingFilter = {
  status: StagedStatus | ''
  removed: '' | 'yes' | 'no'
  q: string
  /** Only the records whose last IMPORT failed (they say why until one succeeds). */
  failed?: boolean
  /** Only these records: the ones with a conflict to settle (field-conflicts.ts finds them). */
  conflicts?: number[]
}
export type StagingSort = { sort: keyof typeof STAGING_SORTS; dir: 'asc' | 'desc' }

const scopeIdOf = (integration: string, module: string) => (eb: ExpressionBuilder<Database, keyof Database>) =>
  eb.selectFrom('staging_scopes').select('staging_scopes.id').where('staging_scopes.integration', '=', integration).where('staging_scopes.module', '=', module)

/**
 * The staged rows of one integration's module: their scope id, which SQLite looks up once and then
 * uses as the first column of every staged_records index.
 */
export const inScope = (integration: string, module: string) => (eb: ExpressionBuilder<Database, 'staged_records'>) =>
  eb('staged_records.scope_id', '=', scopeIdOf(integration, module)(eb))

/** The words of a search: runs of text between spaces that hold a letter or digit. */
export const searchTerms = (text: string) => text.split(/\s+/).filter((term) => /[\p{L}\p{N}]/u.test(term))

/**
 * A search as a full-text query: every word the admin typed must begin a word of the record's
 * name or external id ("smi jo" finds "Smith, John"; "8000-1" finds the id 8000-1). Quotes make
 * each word plain text, never query syntax.
 */
export const searchQuery = (terms: string[]) => terms.map((term) => `"${term.replaceAll('"', '""')}"*`).join(' AND ')

/**
 * The rows a search finds. SQLite: those whose ids its FTS5 index matches, and among the rows staged
 * since the index last caught up (see staged-search.ts), those holding every word anywhere in the
 * name or external id. PostgreSQL: those its GIN index finds (staged-words.ts), kept in step by the
 * database, tested on the row itself (as an id list, the planner misjudged its size and scanned).
 */
const searched = (db: Db, text: string) => (eb: ExpressionBuilder<Database, 'staged_records'>) => {
  const terms = searchTerms(text)
  if (terms.length === 0) return sql<boolean>`1 = 0`
  return hasStagedWordsIndex(db) ? eb('staged_records.id', 'in', sqliteSearchedIds(db, terms)) : stagedWordsMatch(terms)
}

function sqliteSearchedIds(db: Db, terms: string[]) {
  const everyWord = db
    .selectFrom('staged_records')
    .select('id')
    .where((eb) =>
      eb.and(
        terms.map((term) => {
          const pattern = containsPattern(term)
          return eb.or([likeIgnoringCase(db, sql`label`, pattern), likeIgnoringCase(db, sql`external_id`, pattern)])
        }),
      ),
    )
  const indexed = db
    .selectFrom('staged_search')
    .select('rowid as id')
    .where(sql<boolean>`staged_search match ${searchQuery(terms)}`)
  const notYetIndexed = everyWord.where('id', '>', (eb) => eb.selectFrom('staged_search_progress').select('indexed_through'))
  return indexed.unionAll(notYetIndexed)
}

function filtered(db: Db, integration: string, module: ModuleId, f: StagingFilter) {
  let q = db.selectFrom('staged_records')
  if (f.q) {
    // The ids the search finds are looked up one by one (the unary + keeps SQLite from scanning a
    // scope index instead and testing every row against them).
    q = q.where((eb) => eb(withoutIndex(db, 'staged_records.scope_id'), '=', scopeIdOf(integration, module)(eb))).where(searched(db, f.q))
    if (f.status) q = q.where(withoutIndex(db, 'status'), '=', f.status)
  } else {
    q = q.where(inScope(integration, module))
    if (f.status) q = q.where('status', '=', f.status)
  }
  if (f.removed) q = q.where('removed', '=', f.removed === 'yes' ? 1 : 0)
  if (f.failed) q = q.where('import_error', 'is not', null)
  if (f.conflicts) q = q.where('id', 'in', f.conflicts.length > 0 ? f.conflicts : [0])
  return q
}

/** How many rows match: from the kept counts, or by counting the matches of a search or of the failed. */
async function matchCount(db: Db, integration: string, module: ModuleId, f: StagingFilter): Promise<number> {
  if (f.q || f.failed || f.conflicts) {
    const row = await filtered(db, integration, module, f)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow()
    return Number(row.n)
  }
  let q = db.selectFrom('staging_counts').where('scope_id', '=', (eb) => scopeIdOf(integration, module)(eb))
  if (f.status) q = q.where('status', '=', f.status)
  if (f.removed) q = q.where('removed', '=', f.removed === 'yes' ? 1 : 0)
  const row = await q.select((eb) => eb.fn.coalesce(eb.fn.sum<number>('n'), sql<number>`0`).as('n')).executeTakeFirstOrThrow()
  return Number(row.n)
}

export async function stagingPage(db: Db, integration: string, module: ModuleId, f: StagingFilter, s: StagingSort, page: number) {
  const total = await matchCount(db, integration, module, f)
  const pageCount = Math.max(1, Math.ceil(total / STAGING_PAGE_SIZE))
  const current = Math.min(Math.max(1, page), pageCount)
  const offset = (current - 1) * STAGING_PAGE_SIZE
  const end = Math.min(offset + STAGING_PAGE_SIZE, total)
  // Past the middle the page is found walking from the other end: the same rows, in reverse.
  const fromEnd = offset > total - end
  const reversed = s.dir === 'asc' ? 'desc' : 'asc'
  const ids = fromEnd
    ? (await pageIds(db, integration, module, f, { ...s, dir: reversed }, end - offset, total - end)).reverse()
    : await pageIds(db, integration, module, f, s, STAGING_PAGE_SIZE, offset)
  const rows =
    ids.length === 0
      ? []
      : await sorted(
          db
            .selectFrom('staged_records')
            .select(['id', 'external_id', 'label', 'status', 'removed', 'core_id', 'last_changed_at', 'archived', 'import_error'])
            .where('id', 'in', ids),
          s,
        ).execute()
  return { rows, total, page: current, pageCount, pageSize: STAGING_PAGE_SIZE }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any selection of staged_records
function sorted<Q extends SelectQueryBuilder<Database, 'staged_records', any>>(query: Q, s: StagingSort): Q {
  let q = query
  for (const column of STAGING_SORTS[s.sort]) q = q.orderBy(column, s.dir) as Q
  return q.orderBy('id', s.dir) as Q
}

/**
 * The ids of one page, in order, read from an index alone (the rows are fetched after, 50 of them).
 * All statuses by name, the tab as it opens, merges the four statuses' runs of the
 * (status, name) index: each gives at most the rows up to the page, so no row is sorted.
 */
async function pageIds(db: Db, integration: string, module: ModuleId, f: StagingFilter, s: StagingSort, limit: number, offset: number): Promise<number[]> {
  if (!f.q && !f.status && !f.failed && !f.conflicts && s.sort === 'label') {
    const runs = STAGED_STATUSES.map((status) =>
      db
        .selectFrom(
          sorted(filtered(db, integration, module, { ...f, status }).select(['id', 'label']), s)
            .limit(offset + limit)
            .as('run'),
        )
        .select(['run.id', 'run.label']),
    )
    const merged = runs.slice(1).reduce((all, run) => all.unionAll(run), runs[0]!)
    const rows = await db
      .selectFrom(merged.as('merged'))
      .select('merged.id')
      .orderBy('merged.label', s.dir)
      .orderBy('merged.id', s.dir)
      .limit(limit)
      .offset(offset)
      .execute()
    return rows.map((r) => r.id)
  }
  const rows = await sorted(filtered(db, integration, module, f).select('id'), s)
    .limit(limit)
    .offset(offset)
    .execute()
  return rows.map((r) => r.id)
}

export type StagingRow = Awaited<ReturnType<typeof stagingPage>>['rows'][number]

/** The ids a "select all N matching" action applies to. */
export async function matchingIds(db: Db, integration: string, module: ModuleId, f: StagingFilter): Promise<number[]> {
  const rows = await filtered(db, integration, module, f).select('id').orderBy('id').execute()
  return rows.map((r) => r.id)
}

export type StatusCounts = Record<StagedStatus | 'removed' | 'failed', number> & { conflicts?: number }

/** Per-status counts for the tab, read from the kept counts (see staged-counts.ts). */
export async function statusCounts(db: Db, integration: string, module: ModuleId): Promise<StatusCounts> {
  const rows = await db
    .selectFrom('staging_counts')
    .select(['status', 'removed', 'n'])
    .where('scope_id', '=', (eb) => scopeIdOf(integration, module)(eb))
    .execute()
  // The few whose last IMPORT failed are counted through their own (partial) index.
  const failed = await db
    .selectFrom('staged_records')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where(inScope(integration, module))
    .where('import_error', 'is not', null)
    .executeTakeFirstOrThrow()
  const counts: StatusCounts = { new: 0, updated: 0, imported: 0, archived: 0, removed: 0, failed: Number(failed.n) }
  for (const r of rows) {
    counts[r.status] += r.n
    if (r.removed) counts.removed += r.n
  }
  return counts
}

export function getStagedRecord(db: Db, integration: string, module: ModuleId, id: number) {
  return db.selectFrom('staged_records').selectAll().where(inScope(integration, module)).where('id', '=', id).executeTakeFirst()
}

/** The latest runs, or those of one day (`on`, YYYY-MM-DD in UTC: where a bar of the History chart leads). */
export function recentRuns(db: Db, integration: string, on?: string, limit = on ? 500 : 50) {
  let q = db
    .selectFrom('sync_runs')
    .leftJoin('users', 'users.id', 'sync_runs.requested_by')
    .selectAll('sync_runs')
    .select('users.email as requested_by_email')
    .where('integration', '=', integration)
  if (on) q = q.where('sync_runs.created_at', '>=', on).where('sync_runs.created_at', '<', `${on}T99`)
  return q.orderBy('sync_runs.id', 'desc').limit(limit).execute()
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
  return db
    .selectFrom('sync_runs')
    .selectAll()
    .where('integration', '=', integration)
    .where('module', '=', module)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst()
}

export function runErrors(db: Db, runId: number, limit?: number) {
  const q = db.selectFrom('sync_run_errors').selectAll().where('run_id', '=', runId).orderBy('id')
  return (limit ? q.limit(limit) : q).execute()
}

/** A sync run of this integration (never another's, whatever id the URL names). */
export function runOf(db: Db, integration: string, runId: number) {
  return db.selectFrom('sync_runs').selectAll().where('id', '=', runId).where('integration', '=', integration).executeTakeFirst()
}

/** An import batch of this integration (never another's). */
export function batchOf(db: Db, integration: string, batchId: number) {
  return db.selectFrom('import_batches').select('id').where('id', '=', batchId).where('integration', '=', integration).executeTakeFirst()
}
