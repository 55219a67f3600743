import type { Selectable } from 'kysely'
import type { Db } from '../db/database.js'
import type { FieldOverridesTable } from '../db/schema.js'
import { recordAudit, type Actor } from '../audit/audit-log.js'
import { CORE_MODULES, type CoreTable } from './core-modules.js'

// "Keep my value": a field of a synced record taken over locally. IMPORT leaves the field alone
// (src/staging/field-conflicts.ts decides what it does when the source changes it too) and keeps
// the source's latest value on the override, so that releasing it puts that value back at once.

export type FieldOverride = Selectable<FieldOverridesTable>

/** The overrides of these records of a table, by record id. */
export async function overridesOf(db: Db, table: CoreTable, ids: readonly number[]): Promise<Map<number, FieldOverride[]>> {
  const byRecord = new Map<number, FieldOverride[]>()
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await db
      .selectFrom('field_overrides')
      .selectAll()
      .where('core_table', '=', table)
      .where('core_id', 'in', ids.slice(i, i + 500))
      .orderBy('id')
      .execute()
    for (const row of rows) byRecord.set(row.core_id, [...(byRecord.get(row.core_id) ?? []), row])
  }
  return byRecord
}

/** Every override of a table (they are few: each is one admin's deliberate choice). */
export function allOverrides(db: Db, table: CoreTable): Promise<FieldOverride[]> {
  return db.selectFrom('field_overrides').selectAll().where('core_table', '=', table).orderBy('core_id').orderBy('id').execute()
}

/** The override of one field of one record, if it has one. */
const overrideOf = (db: Db, t: Pick<OverrideTarget, 'table' | 'id' | 'field'>) =>
  db.selectFrom('field_overrides').selectAll().where('core_table', '=', t.table).where('core_id', '=', t.id).where('field', '=', t.field).executeTakeFirst()

/** The audit log's entity type of a table's records (job_site). */
const entityOf = (table: CoreTable) => CORE_MODULES[table].noun.replace(' ', '_')

type OverrideTarget = { table: CoreTable; id: number; label: string; field: string; fieldLabel: string; source: string }

/** The field stops following its source on this record; its current value (the source's) is kept as the upstream value. */
export async function keepFieldLocally(db: Db, actor: Actor, t: OverrideTarget): Promise<{ ok: true } | { error: string }> {
  if (!CORE_MODULES[t.table].columns.includes(t.field)) return { error: `${CORE_MODULES[t.table].title} have no field ${t.field}.` }
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom(t.table)
      .select(['id', t.field as 'id'])
      .where('id', '=', t.id)
      .executeTakeFirst()
    if (!row) return { error: `This ${CORE_MODULES[t.table].noun} no longer exists.` }
    if (await overrideOf(trx, t)) return { ok: true as const }
    const current = (row as Record<string, unknown>)[t.field] ?? null
    await trx
      .insertInto('field_overrides')
      .values({
        core_table: t.table,
        core_id: t.id,
        field: t.field,
        upstream: JSON.stringify(current),
        resolution: null,
        resolved_upstream: null,
        created_by: actor.userId,
        created_at: new Date().toISOString(),
      })
      .execute()
    await recordAudit(trx, actor, {
      action: `${entityOf(t.table)}.field_kept`,
      entityType: entityOf(t.table),
      entityId: t.id,
      summary: `Kept ${t.fieldLabel} of ${t.label} locally: ${t.source} no longer writes it here`,
      after: { field: t.field, value: current },
    })
    return { ok: true as const }
  })
}

/** The field follows its source again: the source's latest value is written back and the override removed. */
export async function releaseField(db: Db, actor: Actor, t: OverrideTarget): Promise<{ ok: true } | { error: string }> {
  return db.transaction().execute(async (trx) => {
    const override = await overrideOf(trx, t)
    if (!override) return { ok: true as const }
    const row = (await trx.selectFrom(t.table).selectAll().where('id', '=', t.id).executeTakeFirst()) as Record<string, unknown> | undefined
    if (!row) return { error: `This ${CORE_MODULES[t.table].noun} no longer exists.` }
    const upstream = override.upstream === null ? null : (JSON.parse(override.upstream) as unknown)
    await trx.deleteFrom('field_overrides').where('id', '=', override.id).execute()
    if (upstream !== (row[t.field] ?? null))
      await trx
        .updateTable(t.table)
        .set({ [t.field]: upstream, updated_at: new Date().toISOString() } as never)
        .where('id', '=', t.id)
        .execute()
    await recordAudit(trx, actor, {
      action: `${entityOf(t.table)}.field_released`,
      entityType: entityOf(t.table),
      entityId: t.id,
      summary: `Released ${t.fieldLabel} of ${t.label}: it follows ${t.source} again`,
      before: { [t.field]: row[t.field] ?? null },
      after: { [t.field]: upstream },
    })
    return { ok: true as const }
  })
}
