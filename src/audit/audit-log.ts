import type { Db } from '../db/database.js'

/** Who did it, from where: taken from the request that made the change. */
export type Actor = { userId: number | null; actor: string; ip: string | null; requestId: string | null }

export type AuditEvent = {
  action: string
  entityType: string
  entityId?: string | number | null
  summary: string
  before?: unknown
  after?: unknown
}

export const systemActor = (name: string): Actor => ({ userId: null, actor: name, ip: null, requestId: null })

/** Writes one audit entry; call it with the transaction that makes the change. */
export async function recordAudit(db: Db, actor: Actor, event: AuditEvent): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      at: new Date().toISOString(),
      user_id: actor.userId,
      actor: actor.actor,
      action: event.action,
      entity_type: event.entityType,
      entity_id: event.entityId == null ? null : String(event.entityId),
      summary: event.summary,
      before: event.before === undefined ? null : JSON.stringify(event.before),
      after: event.after === undefined ? null : JSON.stringify(event.after),
      ip: actor.ip,
      request_id: actor.requestId,
    })
    .execute()
}

/** The fields whose values differ, as before/after objects holding only those fields. */
export function changedFields<T extends Record<string, unknown>>(before: T, after: Partial<T>) {
  const b: Record<string, unknown> = {}
  const a: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(after)) {
    if (key === 'updated_at' || key === 'created_at' || key === 'password_hash') continue
    if (before[key] !== value) {
      b[key] = before[key]
      a[key] = value
    }
  }
  return { before: b, after: a, changed: Object.keys(a).length > 0 }
}

/** The audit log (of one kind of record, if given), for its page. */
export function auditQuery(db: Db, entityType?: string) {
  const query = db.selectFrom('audit_log').selectAll()
  return entityType ? query.where('entity_type', '=', entityType) : query
}
