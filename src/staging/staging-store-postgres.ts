import { sql } from 'kysely'
import type { Db } from '../db/database.js'
import type { StagedStatus } from '../db/schema.js'
import { CountDelta } from './staged-counts.js'
import { stagedStatus } from './staged-status.js'
import { hashOf, type PageCounts, type StagedRef, type StagePageArgs } from './staging-store.js'

// SYNC's writes on PostgreSQL: the same steps as staging-store.ts takes on SQLite (look the page's
// records up, insert the new, rewrite the changed, remember what the run saw, keep the counts,
// the run's counters and the connector's checkpoint in the same transaction), as set-based
// statements over arrays: the lookup, the new records, the changed ones, the seen set and the counts
// are one statement each, whatever the page's size. What a run saw is kept in sync_run_seen, which
// every instance and connection sees.

/** The scope id of an integration's module, made on first use (one statement either way: a page pays one round trip for it). */
export async function scopeIdOf(db: Db, integration: string, module: string, mode: 'make' | 'existing' = 'make'): Promise<number | undefined> {
  if (mode === 'existing')
    return (await db.selectFrom('staging_scopes').select('id').where('integration', '=', integration).where('module', '=', module).executeTakeFirst())?.id
  // A conflict that rewrites the same value still returns the row: the id comes back whether it was made now or before.
  const row = await db
    .insertInto('staging_scopes')
    .values({ integration, module })
    .onConflict((oc) => oc.columns(['integration', 'module']).doUpdateSet({ module }))
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

/** Adds a scope's count changes to staging_counts, in one statement. */
export async function writeCounts(db: Db, scopeId: number, delta: CountDelta): Promise<void> {
  const rows = delta.entries().map((e) => ({ scope_id: scopeId, ...e, status: e.status as StagedStatus }))
  if (rows.length === 0) return
  await db
    .insertInto('staging_counts')
    .values(rows)
    .onConflict((oc) => oc.columns(['scope_id', 'status', 'removed']).doUpdateSet({ n: sql`staging_counts.n + excluded.n` }))
    .execute()
}

export async function stagePageOnPostgres(db: Db, args: StagePageArgs): Promise<PageCounts> {
  return db.transaction().execute(async (trx) => {
    const { integration, module, runId } = args
    const now = new Date().toISOString()
    const scope = (await scopeIdOf(trx, integration, module.id))!
    const externalIds = args.records.map((r) => r.externalId)
    const known = new Map(
      (
        await trx
          .selectFrom('staged_records')
          .select(['id', 'external_id', 'label', 'hash', 'status', 'archived', 'removed', 'core_id', 'imported_hash'])
          .where('scope_id', '=', scope)
          .where('external_id', '=', sql<string>`any(${externalIds}::text[])`)
          .execute()
      ).map((row) => [row.external_id, row]),
    )
    const staged: StagedRef[] = []
    const counts: PageCounts = { new: 0, updated: 0, unchanged: 0, staged }
    const delta = new CountDelta()
    const seen: number[] = []
    const reappeared: number[] = []
    const fresh: { external_id: string; label: string; payload: string; hash: string }[] = []
    const rewritten: { id: number; label: string; payload: string; hash: string; status: StagedStatus }[] = []
    for (const record of args.records) {
      const json = JSON.stringify(record.payload)
      const hash = hashOf(json)
      const label = module.label_of(record.payload).slice(0, 300)
      const row = known.get(record.externalId)
      if (!row) {
        fresh.push({ external_id: record.externalId, label, payload: json, hash })
      } else if (row.hash === hash) {
        seen.push(row.id)
        staged.push({ externalId: record.externalId, id: row.id, unchanged: true })
        if (row.removed) {
          reappeared.push(row.id)
          delta.move([row.status, 1], [row.status, 0])
        }
        counts.unchanged++
      } else {
        const status = stagedStatus({ ...row, hash })
        rewritten.push({ id: row.id, label, payload: json, hash, status })
        delta.move([row.status, row.removed], [status, 0])
        seen.push(row.id)
        staged.push({ externalId: record.externalId, id: row.id, unchanged: false })
        counts.updated++
      }
    }
    if (fresh.length > 0) {
      // One statement over four arrays: the driver sends four values, not eleven per row.
      const column = (key: keyof (typeof fresh)[number]) => fresh.map((f) => f[key])
      const inserted = await sql<{ id: number; external_id: string }>`
        insert into staged_records (scope_id, external_id, label, payload, hash, status, archived, removed, first_seen_at, last_changed_at, last_changed_run_id)
        select ${scope}, v.external_id, v.label, v.payload, v.hash, 'new', 0, 0, ${now}, ${now}, ${runId}
        from unnest(${column('external_id')}::text[], ${column('label')}::text[], ${column('payload')}::text[], ${column('hash')}::text[])
          as v(external_id, label, payload, hash)
        returning id, external_id`.execute(trx)
      for (const r of inserted.rows) {
        seen.push(r.id)
        staged.push({ externalId: r.external_id, id: r.id, unchanged: false })
      }
    }
    if (rewritten.length > 0) {
      // The payload it was imported with is kept before it is replaced (see staging-store.ts); the
      // right-hand side reads the row as it was.
      const column = (key: keyof (typeof rewritten)[number]) => rewritten.map((r) => r[key])
      await sql`
        update staged_records s set
          imported_payload = case when s.imported_payload is null and s.imported_hash = s.hash then s.payload else s.imported_payload end,
          label = v.label, payload = v.payload, hash = v.hash, status = v.status, removed = 0, last_changed_at = ${now}, last_changed_run_id = ${runId}
        from unnest(${column('id')}::int[], ${column('label')}::text[], ${column('payload')}::text[], ${column('hash')}::text[], ${column('status')}::text[])
          as v(id, label, payload, hash, status)
        where s.id = v.id`.execute(trx)
    }
    counts.new = fresh.length
    delta.add('new', 0, counts.new)
    if (reappeared.length > 0)
      await trx
        .updateTable('staged_records')
        .set({ removed: 0 })
        .where('id', '=', sql<number>`any(${reappeared}::int[])`)
        .execute()
    if (args.removedExternalIds?.length) {
      const removed = await trx
        .updateTable('staged_records')
        .set({ removed: 1 })
        .where('scope_id', '=', scope)
        .where('removed', '=', 0)
        .where('external_id', '=', sql<string>`any(${args.removedExternalIds}::text[])`)
        .returning('status')
        .execute()
      for (const r of removed) delta.move([r.status, 0], [r.status, 1])
      if (removed.length > 0)
        await trx
          .updateTable('sync_runs')
          .set({ removed_count: sql`removed_count + ${removed.length}` })
          .where('id', '=', runId)
          .execute()
    }
    await writeCounts(trx, scope, delta)
    if (seen.length > 0) await sql`insert into sync_run_seen (run_id, staged_id) select ${runId}, unnest(${seen}::int[]) on conflict do nothing`.execute(trx)
    if (args.rowErrors.length > 0)
      await trx
        .insertInto('sync_run_errors')
        .values(
          args.rowErrors.map((e) => ({
            run_id: runId,
            page: args.page,
            row_number: e.row,
            external_id: e.externalId,
            field: e.field,
            message: e.message.slice(0, 1000),
          })),
        )
        .execute()
    for (const [key, value] of Object.entries(args.checkpoint ?? {}))
      await trx
        .insertInto('connector_state')
        .values({ integration, key, value, updated_at: now })
        .onConflict((oc) => oc.columns(['integration', 'key']).doUpdateSet({ value, updated_at: now, expires_at: null }))
        .execute()
    await trx
      .updateTable('sync_runs')
      .set({
        pages: sql`pages + 1`,
        records: sql`records + ${args.records.length}`,
        new_count: sql`new_count + ${counts.new}`,
        updated_count: sql`updated_count + ${counts.updated}`,
        unchanged_count: sql`unchanged_count + ${counts.unchanged}`,
        error_count: sql`error_count + ${args.rowErrors.length}`,
        heartbeat_at: now,
      })
      .where('id', '=', runId)
      .execute()
    return counts
  })
}

/** After a complete, successful full pull: every row of the module this run did not see is removed at source. */
export async function flagUnseenRemovedOnPostgres(db: Db, integration: string, module: string, runId: number): Promise<number> {
  const scope = await scopeIdOf(db, integration, module, 'existing')
  if (scope === undefined) return 0
  const unseen = sql<boolean>`scope_id = ${scope} and removed = 0 and not exists (select 1 from sync_run_seen s where s.run_id = ${runId} and s.staged_id = staged_records.id)`
  const delta = new CountDelta()
  const byStatus = await db
    .selectFrom('staged_records')
    .select(['status', sql<string>`count(*)`.as('n')])
    .where(unseen)
    .groupBy('status')
    .execute()
  for (const r of byStatus) {
    delta.add(r.status, 0, -Number(r.n))
    delta.add(r.status, 1, Number(r.n))
  }
  const flagged = await db.updateTable('staged_records').set({ removed: 1 }).where(unseen).executeTakeFirst()
  await writeCounts(db, scope, delta)
  return Number(flagged.numUpdatedRows)
}

/** The run ended: what it saw is forgotten. */
export async function forgetSeenOnPostgres(db: Db, runId: number): Promise<void> {
  await db.deleteFrom('sync_run_seen').where('run_id', '=', runId).execute()
}
