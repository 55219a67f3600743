import { z } from 'zod'
import type { Db } from '../db/database.js'
import { recordAudit, type Actor } from '../audit/audit-log.js'
import { field } from '../lib/validation.js'
import { isUniqueViolation } from '../db/dialect.js'
import type { Result } from '../records/record-service.js'

/** Vacation is the leave pay ID every payroll mapping relies on; it can be renamed, never removed. */
export const PERMANENT_LEAVE = 'VAC'

export const leavePayIdSchema = z.object({
  code: z.preprocess(
    (v) => (typeof v === 'string' ? v.trim().toUpperCase() : v),
    z.string().regex(/^[A-Z0-9_]{2,12}$/, 'Code must be 2 to 12 letters, digits or underscores, such as PTO'),
  ),
  name: field.required('Name', 100),
})

export type LeavePayIdInput = z.output<typeof leavePayIdSchema>

export const listPayIds = (db: Db) => db.selectFrom('pay_ids').selectAll().orderBy('kind').orderBy('position').orderBy('code').execute()
export const getPayId = (db: Db, id: number) => db.selectFrom('pay_ids').selectAll().where('id', '=', id).executeTakeFirst()

const codeTaken = (code: string) => ({ code: `Pay ID ${code} already exists` })

export async function createLeavePayId(db: Db, actor: Actor, input: LeavePayIdInput): Promise<Result<number>> {
  if (await db.selectFrom('pay_ids').select('id').where('code', '=', input.code).executeTakeFirst()) return { ok: false, errors: codeTaken(input.code) }
  const now = new Date().toISOString()
  try {
    const id = await db.transaction().execute(async (trx) => {
      const last = await trx
        .selectFrom('pay_ids')
        .select((eb) => eb.fn.max('position').as('p'))
        .executeTakeFirst()
      const { id } = await trx
        .insertInto('pay_ids')
        .values({ ...input, kind: 'leave', position: Number(last?.p ?? 0) + 1, created_at: now, updated_at: now })
        .returning('id')
        .executeTakeFirstOrThrow()
      await recordAudit(trx, actor, {
        action: 'pay_id.create',
        entityType: 'pay_id',
        entityId: id,
        summary: `Created leave pay ID ${input.code}`,
        after: input,
      })
      return id
    })
    return { ok: true, value: id }
  } catch (err) {
    if (isUniqueViolation(err)) return { ok: false, errors: codeTaken(input.code) }
    throw err
  }
}

export async function updateLeavePayId(db: Db, actor: Actor, id: number, input: LeavePayIdInput): Promise<Result<number>> {
  const current = await getPayId(db, id)
  if (!current || current.kind !== 'leave')
    return { ok: false, errors: { _form: 'Only leave pay IDs can be edited; fixed pay IDs are part of the pay policy.' } }
  if (current.code === PERMANENT_LEAVE && input.code !== PERMANENT_LEAVE)
    return { ok: false, errors: { code: 'The code of VAC cannot change; rename it instead' } }
  const clash = await db.selectFrom('pay_ids').select('id').where('code', '=', input.code).where('id', '!=', id).executeTakeFirst()
  if (clash) return { ok: false, errors: codeTaken(input.code) }
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('pay_ids')
      .set({ ...input, updated_at: new Date().toISOString() })
      .where('id', '=', id)
      .execute()
    await recordAudit(trx, actor, {
      action: 'pay_id.update',
      entityType: 'pay_id',
      entityId: id,
      summary: `Changed leave pay ID ${input.code}`,
      before: { code: current.code, name: current.name },
      after: input,
    })
  })
  return { ok: true, value: id }
}

export async function deleteLeavePayId(db: Db, actor: Actor, id: number): Promise<Result<number>> {
  const current = await getPayId(db, id)
  if (!current) return { ok: false, errors: { _form: 'This pay ID no longer exists.' } }
  if (current.kind !== 'leave') return { ok: false, errors: { _form: `${current.code} is a fixed pay ID and cannot be removed.` } }
  if (current.code === PERMANENT_LEAVE) return { ok: false, errors: { _form: 'VAC cannot be removed: vacation is always available as a leave pay ID.' } }
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('pay_ids').where('id', '=', id).execute()
    await recordAudit(trx, actor, {
      action: 'pay_id.delete',
      entityType: 'pay_id',
      entityId: id,
      summary: `Removed leave pay ID ${current.code}`,
      before: current,
    })
  })
  return { ok: true, value: id }
}
