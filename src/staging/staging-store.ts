import crypto from 'node:crypto'
import type SQLite from 'better-sqlite3'
import type { Db } from '../db/database.js'
import type { StagedStatus } from '../db/schema.js'
import type { ModuleSpec, StagedPayload } from '../connectors/kit/records.js'
import { stagedStatus } from './staged-status.js'
import { isUniqueViolation } from '../db/dialect.js'
import { cachedStatement, identifier, insertRow } from '../db/statements.js'
import { CountDelta } from './staged-counts.js'

// The hot path of every sync, written against SQLite's prepared statements because it runs once
// per record: a 100,000-record sync must cost about what inserting 100,000 rows costs. This is the
// one dialect-specific module of staging; everything else goes through Kysely.

/** A record ready to stage: its payload straight from normalizeRecord (fields in module order). */
export type StageInput = { externalId: string; payload: StagedPayload }
export type RowErrorInput = { row: number | null; externalId: string | null; field: string | null; message: string }

/** `staged`: each record's staged row, and whether its values were unchanged (View source need not keep it again). */
export type PageCounts = { new: number; updated: number; unchanged: number; staged?: StagedRef[] }
export type StagedRef = { externalId: string; id: number; unchanged: boolean }

type ExistingRow = {
  id: number
  external_id: string
  label: string
  hash: string
  status: StagedStatus
  archived: number
  removed: number
  core_id: number | null
  imported_hash: string | null
}
/** What the hot lookup reads of a known record: external id, id, hash, removed, status. */
type KnownRow = [string, number, string, number, StagedStatus]

// crypto.hash (Node 20.12+) is a one-shot digest, about three times cheaper than a Hash object per record.
export const hashOf: (json: string) => string =
  typeof crypto.hash === 'function' ? (json) => crypto.hash('sha1', json, 'base64') : (json) => crypto.createHash('sha1').update(json).digest('base64')

function statements(sqlite: SQLite.Database) {
  return {
    // First the few columns that tell an unchanged record; the rest only for records that changed.
    known: sqlite
      .prepare<[number, string], KnownRow>(
        `select external_id, id, hash, removed, status from staged_records where scope_id = ? and external_id in (select value from json_each(?))`,
      )
      .raw(),
    full: sqlite.prepare<[string], ExistingRow>(
      `select id, external_id, label, hash, status, archived, removed, core_id, imported_hash from staged_records where id in (select value from json_each(?))`,
    ),
    insert: sqlite.prepare(
      `insert into staged_records (scope_id, external_id, label, payload, hash, status, archived, removed, first_seen_at, last_changed_at, last_changed_run_id)
       values (?, ?, ?, ?, ?, 'new', 0, 0, ?, ?, ?)`,
    ),
    // A record imported as it stands keeps no copy of its payload (see markImported); when it
    // changes, the payload it was imported with is kept as imported_payload first. SQLite
    // evaluates every expression of an UPDATE against the old row.
    change: sqlite.prepare(
      `update staged_records set imported_payload = case when imported_payload is null and imported_hash = hash then payload else imported_payload end,
       label = ?, payload = ?, hash = ?, status = ?, removed = 0, last_changed_at = ?, last_changed_run_id = ? where id = ?`,
    ),
    unremove: sqlite.prepare(`update staged_records set removed = 0 where id in (select value from json_each(?))`),
    removeKnown: sqlite
      .prepare<[number, string], StagedStatus>(
        `update staged_records set removed = 1 where scope_id = ? and removed = 0 and external_id in (select value from json_each(?)) returning status`,
      )
      .pluck(),
    // A renamed record already in the search index is indexed again (a no-op for one not yet in it).
    reindexWords: sqlite.prepare(`update staged_search set words = ? || ' ' || ? where rowid = ?`),
    runRemoved: sqlite.prepare(`update sync_runs set removed_count = removed_count + ? where id = ?`),
    runCounts: sqlite.prepare(
      `update sync_runs set pages = pages + 1, records = records + ?, new_count = new_count + ?, updated_count = updated_count + ?,
       unchanged_count = unchanged_count + ?, error_count = error_count + ?, heartbeat_at = ? where id = ?`,
    ),
    rowError: sqlite.prepare(`insert into sync_run_errors (run_id, page, row_number, external_id, field, message) values (?, ?, ?, ?, ?, ?)`),
    checkpoint: sqlite.prepare(
      `insert into connector_state (integration, key, value, updated_at) values (?, ?, ?, ?)
       on conflict (integration, key) do update set value = excluded.value, updated_at = excluded.updated_at, expires_at = null`,
    ),
  }
}

const cache = new WeakMap<SQLite.Database, ReturnType<typeof statements>>()
const prepared = (sqlite: SQLite.Database) => {
  let s = cache.get(sqlite)
  if (!s) cache.set(sqlite, (s = statements(sqlite)))
  return s
}

const scopeIds = new WeakMap<SQLite.Database, Map<string, number>>()

/**
 * The scope id of an integration's module: made on first use, or only looked up ('existing').
 * Scopes are never deleted, so an id is remembered per connection once it is committed.
 */
export function scopeOf(sqlite: SQLite.Database, integration: string, module: string, mode: 'make' | 'existing' = 'make'): number | undefined {
  const key = `${integration}\u0000${module}`
  const cache = scopeIds.get(sqlite) ?? scopeIds.set(sqlite, new Map()).get(sqlite)!
  const cached = cache.get(key)
  if (cached !== undefined) return cached
  if (mode === 'make') sqlite.prepare('insert into staging_scopes (integration, module) values (?, ?) on conflict do nothing').run(integration, module)
  const id = sqlite.prepare('select id from staging_scopes where integration = ? and module = ?').pluck().get(integration, module) as number | undefined
  // One made inside a transaction could still be rolled back.
  if (id !== undefined && !sqlite.inTransaction) cache.set(key, id)
  return id
}

/**
 * The ids a run has seen live in a temporary table of the connection, not in the staged rows, so an
 * unchanged record costs a read and never a rewrite. It dies with the process: a run that did not
 * finish computes no removals anyway.
 */
const seenTable = (runId: number) => `seen_run_${Math.trunc(runId)}`

/**
 * Runs that began on a module with no staged rows (its first sync, the largest one a customer
 * makes): until a record repeats, none of their records can be known, so their pages skip the
 * lookup of known records. Per connection, as the seen tables.
 */
const freshRuns = new WeakMap<SQLite.Database, Set<number>>()
const freshRunsOf = (sqlite: SQLite.Database) => freshRuns.get(sqlite) ?? freshRuns.set(sqlite, new Set()).get(sqlite)!

export function startSeen(sqlite: SQLite.Database, runId: number, integration: string, module: string): void {
  sqlite.exec(`create temp table if not exists ${seenTable(runId)} (id integer primary key)`)
  if (!sqlite.prepare('select 1 from staged_records where scope_id = ? limit 1').get(scopeOf(sqlite, integration, module))) freshRunsOf(sqlite).add(runId)
}

export function dropSeen(sqlite: SQLite.Database, runId: number): void {
  sqlite.exec(`drop table if exists temp.${seenTable(runId)}`)
  freshRunsOf(sqlite).delete(runId)
}

/** After a complete, successful full pull: every row of the module this run did not see is removed at source. */
export function flagUnseenRemoved(sqlite: SQLite.Database, integration: string, module: string, runId: number): number {
  const scope = scopeOf(sqlite, integration, module, 'existing')
  if (scope === undefined) return 0
  const unseen = `where scope_id = ? and removed = 0 and id not in (select id from temp.${seenTable(runId)})`
  const delta = new CountDelta()
  for (const r of sqlite.prepare(`select status, count(*) as n from staged_records ${unseen} group by status`).all(scope) as { status: string; n: number }[]) {
    delta.add(r.status, 0, -r.n)
    delta.add(r.status, 1, r.n)
  }
  const flagged = sqlite.prepare(`update staged_records set removed = 1 ${unseen}`).run(scope).changes
  delta.writeTo(sqlite, scope)
  return flagged
}

export type StagePageArgs = {
  integration: string
  module: ModuleSpec
  runId: number
  page: number
  records: StageInput[]
  rowErrors: RowErrorInput[]
  checkpoint?: Record<string, string>
  /** Records the source reported deleted (change data capture). */
  removedExternalIds?: string[]
}

/**
 * Stages one page in one transaction: new records inserted, changed ones rewritten with their new
 * status, unchanged ones only marked as seen by this run. The run's counters and the connector's
 * checkpoint are written in the same transaction, so a crash never saves one without the other.
 * Kysely's connection is held meanwhile, so no other transaction can be open around it.
 */
export async function stagePage(db: Db, sqlite: SQLite.Database, args: StagePageArgs): Promise<PageCounts> {
  return db.connection().execute(async () => stagePageNow(sqlite, args))
}

function stagePageNow(sqlite: SQLite.Database, args: StagePageArgs): PageCounts {
  const fresh = freshRunsOf(sqlite)
  if (!fresh.has(args.runId)) return stageInTransaction(sqlite, args, true)
  try {
    return stageInTransaction(sqlite, args, false)
  } catch (err) {
    if (!isUniqueViolation(err)) throw err
    // A record of an earlier page came again: the page was rolled back; from now on, look records up.
    fresh.delete(args.runId)
    return stageInTransaction(sqlite, args, true)
  }
}

function stageInTransaction(sqlite: SQLite.Database, args: StagePageArgs, lookUpKnown: boolean): PageCounts {
  const s = prepared(sqlite)
  const now = new Date().toISOString()
  const { integration, module, runId } = args
  const scope = scopeOf(sqlite, integration, module.id)!
  return sqlite.transaction(() => {
    const known = new Map(lookUpKnown ? s.known.all(scope, JSON.stringify(args.records.map((r) => r.externalId))).map((k) => [k[0], k]) : [])
    const staged: StagedRef[] = []
    const counts: PageCounts = { new: 0, updated: 0, unchanged: 0, staged }
    const delta = new CountDelta()
    const seen: number[] = []
    const reappeared: number[] = []
    // normalizeRecord writes every field in the module's order, so this JSON is already canonical.
    const jsons = args.records.map((record) => JSON.stringify(record.payload))
    const hashes = jsons.map(hashOf)
    const changed = changedRows(s, args.records, hashes, known)
    args.records.forEach((record, i) => {
      const json = jsons[i]!
      const hash = hashes[i]!
      const k = known.get(record.externalId)
      if (!k) {
        const id = Number(s.insert.run(scope, record.externalId, module.label_of(record.payload).slice(0, 300), json, hash, now, now, runId).lastInsertRowid)
        seen.push(id)
        staged.push({ externalId: record.externalId, id, unchanged: false })
        counts.new++
      } else if (k[2] === hash) {
        // Unchanged: the row is not rewritten, only remembered as seen by this run.
        seen.push(k[1])
        staged.push({ externalId: record.externalId, id: k[1], unchanged: true })
        if (k[3]) {
          reappeared.push(k[1])
          delta.move([k[4], 1], [k[4], 0])
        }
        counts.unchanged++
      } else {
        const row = changed.get(record.externalId)!
        const label = module.label_of(record.payload).slice(0, 300)
        const status = stagedStatus({ ...row, hash })
        s.change.run(label, json, hash, status, now, runId, row.id)
        if (label !== row.label) s.reindexWords.run(label, row.external_id, row.id)
        delta.move([row.status, row.removed], [status, 0])
        seen.push(row.id)
        staged.push({ externalId: record.externalId, id: row.id, unchanged: false })
        counts.updated++
      }
    })
    delta.add('new', 0, counts.new)
    if (reappeared.length > 0) s.unremove.run(JSON.stringify(reappeared))
    if (args.removedExternalIds?.length) {
      const removed = s.removeKnown.all(scope, JSON.stringify(args.removedExternalIds))
      for (const status of removed) delta.move([status, 0], [status, 1])
      if (removed.length > 0) s.runRemoved.run(removed.length, runId)
    }
    delta.writeTo(sqlite, scope)
    sqlite.prepare(`insert or ignore into temp.${seenTable(runId)} (id) select value from json_each(?)`).run(JSON.stringify(seen))
    for (const e of args.rowErrors) s.rowError.run(runId, args.page, e.row, e.externalId, e.field, e.message.slice(0, 1000))
    for (const [key, value] of Object.entries(args.checkpoint ?? {})) s.checkpoint.run(integration, key, value, now)
    s.runCounts.run(args.records.length, counts.new, counts.updated, counts.unchanged, args.rowErrors.length, now, runId)
    return counts
  })()
}

/** The full rows of the page's known records whose hash changed, read in one statement. */
function changedRows(s: ReturnType<typeof statements>, records: StageInput[], hashes: string[], known: Map<string, KnownRow>): Map<string, ExistingRow> {
  const ids: number[] = []
  records.forEach((record, i) => {
    const k = known.get(record.externalId)
    if (k && k[2] !== hashes[i]) ids.push(k[1])
  })
  return new Map(ids.length > 0 ? s.full.all(JSON.stringify(ids)).map((row) => [row.external_id, row]) : [])
}

/**
 * The staged record now matches what was imported: its baseline, core link and status. The
 * imported payload is the current one, so it is not copied (imported_payload null with
 * imported_hash = hash); a sync that changes the record keeps the old payload then.
 */
export function markImported(sqlite: SQLite.Database, stagedId: number, coreId: number, hash: string, at: string): void {
  const sql = `update staged_records set core_id = ?, imported_payload = null, imported_hash = ?, imported_at = ?, status = 'imported', import_error = null where id = ?`
  cachedStatement(sqlite, sql).run(coreId, hash, at, stagedId)
}

/** The staged record's IMPORT failed: why, until one succeeds. */
export function markImportFailed(sqlite: SQLite.Database, stagedId: number, message: string): void {
  cachedStatement(sqlite, 'update staged_records set import_error = ? where id = ?').run(message.slice(0, 1000), stagedId)
}

/** The values a staged record was last imported with, or null if it never was. */
export function importedPayload(r: { payload: string; hash: string; imported_payload: string | null; imported_hash: string | null }): string | null {
  return r.imported_payload ?? (r.imported_hash !== null && r.imported_hash === r.hash ? r.payload : null)
}

export type StagedForImport = {
  id: number
  external_id: string
  label: string
  payload: string
  hash: string
  status: string
  core_id: number | null
  imported_payload: string | null
  imported_hash: string | null
  imported_at: string | null
}

/** The selected staged rows of a module, in id order, for IMPORT to plan and write. */
export function loadStaged(sqlite: SQLite.Database, scope: number, ids: number[]): StagedForImport[] {
  // The unary + keeps SQLite on the primary key: a scope index would scan the whole module.
  const sql = `select id, external_id, label, payload, hash, status, core_id, imported_payload, imported_hash, imported_at from staged_records
    where +scope_id = ? and id in (select value from json_each(?)) order by id`
  return cachedStatement(sqlite, sql).all(scope, JSON.stringify(ids)) as StagedForImport[]
}

/** A row of a core table as IMPORT reads it: what it needs by name, the rest by column. */
export type CoreRow = { id: number; source_integration: string | null; external_id: string | null; [column: string]: unknown }

/** The core rows whose natural-key column holds one of the values (compared without case, as its unique index). */
export function coreRowsByKey(sqlite: SQLite.Database, table: string, column: string, values: string[]): CoreRow[] {
  const statement = cachedStatement(sqlite, `select * from ${identifier(table)} where lower(${identifier(column)}) in (select value from json_each(?))`)
  return statement.all(JSON.stringify(values)) as CoreRow[]
}

/** Which of these core ids still exist. */
export function existingCoreIds(sqlite: SQLite.Database, table: string, ids: number[]): Set<number> {
  const statement = cachedStatement(sqlite, `select id from ${identifier(table)} where id in (select value from json_each(?))`)
  return new Set(statement.pluck().all(JSON.stringify(ids)) as number[])
}

/** One line of an import batch: what happened to one staged record, and what undo needs. */
export function insertBatchItem(sqlite: SQLite.Database, item: Record<string, unknown>): void {
  insertRow(sqlite, 'import_batch_items', item)
}
