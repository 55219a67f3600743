import type { Db } from '../db/database.js'

// Failed sign-ins are counted per account and per address within a window; past the limit the key
// is locked, and each further failure doubles the lock up to a ceiling.

const WINDOW_MS = 15 * 60 * 1000
const MAX_LOCK_MS = 60 * 60 * 1000
const LIMITS = { account: 5, address: 20 } as const
const FIRST_LOCK_MS = 60 * 1000

export type ThrottleKey = { kind: keyof typeof LIMITS; value: string }

export function throttleKeys(email: string, ip: string | null): ThrottleKey[] {
  const keys: ThrottleKey[] = [{ kind: 'account', value: email.trim().toLowerCase() }]
  if (ip) keys.push({ kind: 'address', value: ip })
  return keys
}

const keyOf = (k: ThrottleKey) => `${k.kind}:${k.value}`

/** Milliseconds until sign-in may be tried again, or 0 when it may be tried now. */
export async function lockedFor(db: Db, keys: ThrottleKey[], now = Date.now()): Promise<number> {
  const rows = await db
    .selectFrom('login_throttle')
    .select('locked_until')
    .where('key', 'in', keys.map(keyOf))
    .execute()
  const until = Math.max(0, ...rows.map((r) => (r.locked_until ? Date.parse(r.locked_until) : 0)))
  return Math.max(0, until - now)
}

export async function recordFailure(db: Db, keys: ThrottleKey[], now = Date.now()): Promise<void> {
  for (const k of keys) {
    const key = keyOf(k)
    const row = await db.selectFrom('login_throttle').selectAll().where('key', '=', key).executeTakeFirst()
    const fresh = !row || now - Date.parse(row.first_failure_at) > WINDOW_MS
    const failures = fresh ? 1 : row.failures + 1
    const over = failures - LIMITS[k.kind]
    const lockedUntil = over >= 0 ? new Date(now + Math.min(FIRST_LOCK_MS * 2 ** over, MAX_LOCK_MS)).toISOString() : null
    const firstFailureAt = fresh ? new Date(now).toISOString() : row.first_failure_at
    await db
      .insertInto('login_throttle')
      .values({ key, failures, first_failure_at: firstFailureAt, locked_until: lockedUntil })
      .onConflict((oc) => oc.column('key').doUpdateSet({ failures, first_failure_at: firstFailureAt, locked_until: lockedUntil }))
      .execute()
  }
}

/** A successful sign-in clears the account's count; the address keeps its count. */
export async function recordSuccess(db: Db, email: string): Promise<void> {
  await db.deleteFrom('login_throttle').where('key', '=', keyOf({ kind: 'account', value: email.trim().toLowerCase() })).execute()
}
