import { sql } from 'kysely'
import type { Db } from '../db/database.js'
import type { ImportAction } from '../db/schema.js'
import { recordAudit, type Actor } from '../audit/audit-log.js'
import { MODULES, type ModuleId, type StagedPayload } from '../integrations/modules.js'
import { getSettings } from '../settings/service.js'
import { CORE_ADAPTERS, type CoreAdapter } from './core-adapters.js'
import { stagedStatus } from './staged-status.js'

export type ImportPlanItem = {
  stagedId: number
  externalId: string
  label: string
  action: 'create' | 'update' | 'link' | 'fail'
  /** The record that will be updated or linked, or that blocks the import. */
  core?: { id: number; label: string }
  message?: string
}

export type ImportPlan = { items: ImportPlanItem[]; skipped: number }

type Staged = { id: number; external_id: string; label: string; payload: string; hash: string; status: string; core_id: number | null; imported_payload: string | null; imported_hash: string | null; imported_at: string | null }

async function loadSelected(db: Db, integration: string, module: ModuleId, ids: number[]): Promise<Staged[]> {
  const rows: Staged[] = []
  for (let i = 0; i < ids.length; i += 500) {
    rows.push(
      ...(await db
        .selectFrom('staged_records')
        .select(['id', 'external_id', 'label', 'payload', 'hash', 'status', 'core_id', 'imported_payload', 'imported_hash', 'imported_at'])
        .where('integration', '=', integration)
        .where('module', '=', module)
        .where('id', 'in', ids.slice(i, i + 500))
        .orderBy('id')
        .execute()),
    )
  }
  return rows
}

async function coreExists(db: Db, adapter: CoreAdapter, id: number) {
  return db.selectFrom(adapter.table).select(['id', 'updated_at']).where('id', '=', id).executeTakeFirst()
}

/** What IMPORT would do with each selected record; Archived and Imported ones are left out. */
async function planItem(db: Db, integration: string, adapter: CoreAdapter, r: Staged): Promise<ImportPlanItem> {
  const base = { stagedId: r.id, externalId: r.external_id, label: r.label }
  const payload = JSON.parse(r.payload) as StagedPayload
  if (r.core_id !== null && (await coreExists(db, adapter, r.core_id))) return { ...base, action: 'update', core: { id: r.core_id, label: r.label } }
  const match = await adapter.match(db, payload)
  if (!match) return { ...base, action: 'create' }
  if (match.source_integration === null) return { ...base, action: 'link', core: { id: match.id, label: match.label } }
  if (match.source_integration === integration && match.external_id === r.external_id) return { ...base, action: 'update', core: { id: match.id, label: match.label } }
  return {
    ...base,
    action: 'fail',
    core: { id: match.id, label: match.label },
    message: `${adapter.noun} ${match.label} already exists, synced from ${match.source_integration} as ${match.external_id}; it is not linked twice`,
  }
}

export async function planImport(db: Db, integration: string, module: ModuleId, ids: number[]): Promise<ImportPlan> {
  const adapter = CORE_ADAPTERS[module]
  const rows = await loadSelected(db, integration, module, ids)
  const importable = rows.filter((r) => r.status === 'new' || r.status === 'updated')
  const items: ImportPlanItem[] = []
  for (const r of importable) items.push(await planItem(db, integration, adapter, r))
  return { items, skipped: ids.length - importable.length }
}

export type ImportResult = { batchId: number | null; created: number; updated: number; linked: number; failed: { externalId: string; label: string; message: string }[]; skipped: number }

function uniqueMessage(err: unknown, adapter: CoreAdapter): string | null {
  const text = err instanceof Error ? err.message : ''
  if (!text.includes('UNIQUE constraint failed')) return null
  const field = Object.entries(adapter.uniqueFields).find(([index]) => text.includes(index))?.[1] ?? 'a unique value'
  return `its ${field} is already used by another ${adapter.noun}; change it at the source or in ${adapter.noun === 'job site' ? 'Job sites' : 'the module'}, then IMPORT again`
}

/**
 * Imports the selected records in one transaction: each is created, updated, or linked to its
 * hand-entered twin (unless the admin chose "create new" for it). A record that cannot be written
 * (a collision, a missing reference) fails alone with its reason; the rest of the batch imports.
 */
export async function runImport(
  db: Db,
  actor: Actor,
  args: { integration: string; integrationName: string; module: ModuleId; ids: number[]; createNew?: ReadonlySet<number>; trigger: 'manual' | 'auto'; defaultTimeZone: string },
): Promise<ImportResult> {
  const adapter = CORE_ADAPTERS[args.module]
  const settings = await getSettings(db, args.defaultTimeZone)
  return db.transaction().execute(async (trx) => {
    const rows = await loadSelected(trx, args.integration, args.module, args.ids)
    const importable = rows.filter((r) => r.status === 'new' || r.status === 'updated')
    const result: ImportResult = { batchId: null, created: 0, updated: 0, linked: 0, failed: [], skipped: args.ids.length - importable.length }
    if (importable.length === 0) return result
    const now = new Date().toISOString()
    const batch = await trx
      .insertInto('import_batches')
      .values({ integration: args.integration, module: args.module, trigger: args.trigger, user_id: actor.userId, created_count: 0, updated_count: 0, linked_count: 0, failed_count: 0, created_at: now })
      .returning('id')
      .executeTakeFirstOrThrow()
    result.batchId = batch.id
    for (const r of importable) {
      let plan = await planItem(trx, args.integration, adapter, r)
      if (plan.action === 'link' && args.createNew?.has(r.id)) plan = { ...plan, action: 'create', core: undefined }
      const item = { batch_id: batch.id, staged_record_id: r.id, external_id: r.external_id, previous_imported_payload: r.imported_payload, previous_imported_hash: r.imported_hash, previous_core_id: r.core_id, previous_imported_at: r.imported_at }
      const fail = async (message: string) => {
        result.failed.push({ externalId: r.external_id, label: r.label, message })
        await trx.insertInto('import_batch_items').values({ ...item, action: 'failed', core_id: plan.core?.id ?? null, core_updated_at: null, message }).execute()
      }
      if (plan.action === 'fail') {
        await fail(plan.message!)
        continue
      }
      const mapped = await adapter.values(trx, JSON.parse(r.payload) as StagedPayload, { defaultCountry: settings.defaultCountry })
      if ('error' in mapped) {
        await fail(mapped.error)
        continue
      }
      await sql`savepoint import_record`.execute(trx)
      try {
        const coreId = await writeCore(trx, adapter, plan, mapped.values, args.integration, r.external_id, now)
        await trx
          .updateTable('staged_records')
          .set({ core_id: coreId, imported_payload: r.payload, imported_hash: r.hash, imported_at: now, status: stagedStatus({ archived: 0, core_id: coreId, imported_hash: r.hash, hash: r.hash }) })
          .where('id', '=', r.id)
          .execute()
        const action: ImportAction = plan.action === 'create' ? 'created' : plan.action === 'link' ? 'linked' : 'updated'
        await trx.insertInto('import_batch_items').values({ ...item, action, core_id: coreId, core_updated_at: now, message: null }).execute()
        await sql`release savepoint import_record`.execute(trx)
        result[action]++
      } catch (err) {
        await sql`rollback to savepoint import_record`.execute(trx)
        await sql`release savepoint import_record`.execute(trx)
        const message = uniqueMessage(err, adapter)
        if (!message) throw err
        await fail(message)
      }
    }
    await trx
      .updateTable('import_batches')
      .set({ created_count: result.created, updated_count: result.updated, linked_count: result.linked, failed_count: result.failed.length })
      .where('id', '=', batch.id)
      .execute()
    await recordAudit(trx, actor, {
      action: 'integration.import',
      entityType: 'import_batch',
      entityId: batch.id,
      summary: `Imported ${MODULES[args.module].label.toLowerCase()} from ${args.integrationName}: ${result.created} created, ${result.updated} updated, ${result.linked} linked, ${result.failed.length} failed`,
    })
    return result
  })
}

async function writeCore(trx: Db, adapter: CoreAdapter, plan: ImportPlanItem, values: Record<string, unknown>, integration: string, externalId: string, now: string): Promise<number> {
  if (plan.action === 'create') {
    const row = await trx
      .insertInto(adapter.table)
      .values({ ...values, source_integration: integration, external_id: externalId, created_at: now, updated_at: now } as never)
      .returning('id')
      .executeTakeFirstOrThrow()
    return row.id
  }
  const id = plan.core!.id
  await trx
    .updateTable(adapter.table)
    .set({ ...values, source_integration: integration, external_id: externalId, updated_at: now } as never)
    .where('id', '=', id)
    .execute()
  return id
}

export type UndoResult = { removed: number; kept: { label: string; reason: string }[] }

/**
 * Undoes a batch: the records it created that nobody changed since are removed and their staged
 * rows return to New; everything else is kept, each with the reason.
 */
export async function undoBatch(db: Db, actor: Actor, batchId: number): Promise<UndoResult | { error: string }> {
  return db.transaction().execute(async (trx) => {
    const batch = await trx.selectFrom('import_batches').selectAll().where('id', '=', batchId).executeTakeFirst()
    if (!batch) return { error: 'This import batch does not exist.' }
    if (batch.undone_at) return { error: `This batch was already undone on ${batch.undone_at.slice(0, 16).replace('T', ' ')} UTC.` }
    const adapter = CORE_ADAPTERS[batch.module as ModuleId]
    const items = await trx
      .selectFrom('import_batch_items')
      .innerJoin('staged_records', 'staged_records.id', 'import_batch_items.staged_record_id')
      .select(['import_batch_items.id', 'import_batch_items.action', 'import_batch_items.core_id', 'import_batch_items.core_updated_at', 'import_batch_items.staged_record_id', 'import_batch_items.previous_imported_payload', 'import_batch_items.previous_imported_hash', 'import_batch_items.previous_core_id', 'import_batch_items.previous_imported_at', 'staged_records.label', 'staged_records.hash', 'staged_records.archived', 'staged_records.imported_at'])
      .where('import_batch_items.batch_id', '=', batchId)
      .execute()
    const result: UndoResult = { removed: 0, kept: [] }
    for (const item of items) {
      if (item.action === 'failed') continue
      if (item.action !== 'created') {
        result.kept.push({ label: item.label, reason: item.action === 'linked' ? 'it existed before the import and was only linked' : 'it existed before the import and was only updated' })
        continue
      }
      const core = item.core_id ? await trx.selectFrom(adapter.table).select(['id', 'updated_at']).where('id', '=', item.core_id).executeTakeFirst() : undefined
      if (!core) {
        result.kept.push({ label: item.label, reason: 'it was already deleted' })
        continue
      }
      if (core.updated_at !== item.core_updated_at) {
        result.kept.push({ label: item.label, reason: `it was changed after the import (${core.updated_at.slice(0, 16).replace('T', ' ')} UTC)` })
        continue
      }
      const refs = await adapter.keptBecause(trx, core.id)
      if (refs) {
        result.kept.push({ label: item.label, reason: refs })
        continue
      }
      await trx.deleteFrom(adapter.table).where('id', '=', core.id).execute()
      // The staged record returns to where it stood before this batch (New if never imported).
      if (item.imported_at === item.core_updated_at) {
        await trx
          .updateTable('staged_records')
          .set({
            core_id: item.previous_core_id,
            imported_payload: item.previous_imported_payload,
            imported_hash: item.previous_imported_hash,
            imported_at: item.previous_imported_at,
            status: stagedStatus({ archived: item.archived, core_id: item.previous_core_id, imported_hash: item.previous_imported_hash, hash: item.hash }),
          })
          .where('id', '=', item.staged_record_id)
          .execute()
      }
      result.removed++
    }
    const now = new Date().toISOString()
    await trx.updateTable('import_batches').set({ undone_at: now, undone_by: actor.userId }).where('id', '=', batchId).execute()
    await recordAudit(trx, actor, {
      action: 'integration.import_undo',
      entityType: 'import_batch',
      entityId: batchId,
      summary: `Undid import batch #${batchId}: ${result.removed} removed, ${result.kept.length} kept`,
      after: { kept: result.kept },
    })
    return result
  })
}

/** Archive sets records aside (never imported while archived); Unarchive returns each to what its data says. */
export async function setArchived(db: Db, actor: Actor, args: { integration: string; module: ModuleId; ids: number[]; archived: boolean }): Promise<number> {
  return db.transaction().execute(async (trx) => {
    let changed = 0
    for (let i = 0; i < args.ids.length; i += 500) {
      const chunk = args.ids.slice(i, i + 500)
      const base = trx.updateTable('staged_records').where('integration', '=', args.integration).where('module', '=', args.module).where('id', 'in', chunk)
      const result = args.archived
        ? await base.set({ archived: 1, status: 'archived' }).where('archived', '=', 0).executeTakeFirst()
        : await base
            .set({
              archived: 0,
              status: sql`case when core_id is null or imported_hash is null then 'new' when hash = imported_hash then 'imported' else 'updated' end`,
            })
            .where('archived', '=', 1)
            .executeTakeFirst()
      changed += Number(result.numUpdatedRows)
    }
    await recordAudit(trx, actor, {
      action: args.archived ? 'integration.archive' : 'integration.unarchive',
      entityType: 'staged_record',
      summary: `${args.archived ? 'Archived' : 'Unarchived'} ${changed} staged ${MODULES[args.module].label.toLowerCase()} of ${args.integration}`,
    })
    return changed
  })
}
