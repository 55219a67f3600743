import { sql } from 'kysely'
import type { Db } from '../db/database.js'
import { changedFields, recordAudit, type Actor } from '../audit/audit-log.js'
import { type FieldErrors } from '../lib/validation.js'
import { isUniqueViolation } from '../db/dialect.js'
import type { CoreTable, UniqueRule } from './core-modules.js'

/** The tables of the core modules, which the record pages and services write. */
export type RecordTable = CoreTable

export type Result<T> = { ok: true; value: T } | { ok: false; errors: FieldErrors }

type Row = Record<string, unknown> & { id: number }

async function findClash(db: Db, table: RecordTable, rule: UniqueRule, exceptId: number | null) {
  if (rule.value === null) return undefined
  let q = db
    .selectFrom(table)
    .select('id')
    .where(sql<boolean>`lower(${sql.ref(rule.column)}) = lower(${rule.value})`)
  if (rule.scope) {
    const { column, value } = rule.scope
    q = q.where(sql<boolean>`coalesce(${sql.ref(column)}, 0) = coalesce(${value}, 0)`)
  }
  if (exceptId !== null) q = q.where('id', '!=', exceptId)
  return q.executeTakeFirst()
}

async function checkUnique(db: Db, table: RecordTable, rules: UniqueRule[], exceptId: number | null): Promise<FieldErrors | null> {
  const errors: FieldErrors = {}
  for (const rule of rules) {
    const clash = await findClash(db, table, rule, exceptId)
    if (clash && !errors[rule.field]) errors[rule.field] = await rule.message(clash)
  }
  return Object.keys(errors).length > 0 ? errors : null
}

/** The message for a unique index hit by a concurrent writer after our own check passed. */
function raceErrors(rules: UniqueRule[]): FieldErrors {
  return { [rules[0]?.field ?? '_form']: 'Another record with this value was saved a moment ago. Reload and check.' }
}

/** Inserts a hand-entered record (Synced status Manual) and audits it, all in one transaction. */
export async function createRecord(
  db: Db,
  actor: Actor,
  spec: { table: RecordTable; entityType: string; label: string; unique: UniqueRule[] },
  values: Record<string, unknown>,
): Promise<Result<number>> {
  const clash = await checkUnique(db, spec.table, spec.unique, null)
  if (clash) return { ok: false, errors: clash }
  const now = new Date().toISOString()
  try {
    const id = await db.transaction().execute(async (trx) => {
      const row = await trx
        .insertInto(spec.table)
        .values({ ...values, source_integration: null, external_id: null, created_at: now, updated_at: now } as never)
        .returning('id')
        .executeTakeFirstOrThrow()
      await recordAudit(trx, actor, {
        action: `${spec.entityType}.create`,
        entityType: spec.entityType,
        entityId: row.id,
        summary: `Created ${spec.entityType.replace('_', ' ')} ${spec.label}`,
        after: values,
      })
      return row.id
    })
    return { ok: true, value: id }
  } catch (err) {
    if (isUniqueViolation(err)) return { ok: false, errors: raceErrors(spec.unique) }
    throw err
  }
}

/** Updates the fields that changed and audits before/after; an unchanged save writes nothing. */
export async function updateRecord(
  db: Db,
  actor: Actor,
  spec: { table: RecordTable; entityType: string; label: string; unique: UniqueRule[] },
  id: number,
  values: Record<string, unknown>,
): Promise<Result<number>> {
  const current = (await db.selectFrom(spec.table).selectAll().where('id', '=', id).executeTakeFirst()) as Row | undefined
  if (!current) return { ok: false, errors: { _form: `This ${spec.entityType.replace('_', ' ')} no longer exists.` } }
  const clash = await checkUnique(db, spec.table, spec.unique, id)
  if (clash) return { ok: false, errors: clash }
  const diff = changedFields(current, values)
  if (!diff.changed) return { ok: true, value: id }
  try {
    await db.transaction().execute(async (trx) => {
      await trx
        .updateTable(spec.table)
        .set({ ...diff.after, updated_at: new Date().toISOString() } as never)
        .where('id', '=', id)
        .execute()
      await recordAudit(trx, actor, {
        action: `${spec.entityType}.update`,
        entityType: spec.entityType,
        entityId: id,
        summary: `Changed ${spec.entityType.replace('_', ' ')} ${spec.label}`,
        before: diff.before,
        after: diff.after,
      })
    })
    return { ok: true, value: id }
  } catch (err) {
    if (isUniqueViolation(err)) return { ok: false, errors: raceErrors(spec.unique) }
    throw err
  }
}

/** The integration the records sync from now (one at a time), if any. */
export async function currentSyncSource(db: Db): Promise<string | null> {
  const row = await db.selectFrom('integrations').select('id').where('is_sync_source', '=', 1).where('activated', '=', 1).executeTakeFirst()
  return row?.id ?? null
}

/** How many records a core module holds, and how many of them came from a sync. */
export async function countRecords(db: Db, table: RecordTable): Promise<{ total: number; synced: number }> {
  const row = await db
    .selectFrom(table)
    .select((eb) => [eb.fn.countAll<number>().as('total'), eb.fn.count<number>('source_integration').as('synced')])
    .executeTakeFirstOrThrow()
  return { total: Number(row.total), synced: Number(row.synced) }
}

/** A core record's ids at publish targets other than its source, found by matching (see payroll/target-links.ts). */
export function publishLinksOf(db: Db, table: RecordTable, id: number) {
  return db
    .selectFrom('publish_links')
    .select(['integration', 'external_id', 'matched_by'])
    .where('module', '=', table)
    .where('core_id', '=', id)
    .orderBy('integration')
    .execute()
}
