import type { Db } from '../db/database.js'

// Failed sign-ins are counted per account from one address, and per account from anywhere, within
// a window; past a key's limit it is locked, and each further failure doubles the lock up to a
// ceiling. Never per address alone: an office behind one address is not locked out by a few
// colleagues' typos, and an attacker cannot dodge the count by changing address (the account
// count stops a spread-out guess).

const WINDOW_MS = 15 * 60 * 1000
const MAX_LOCK_MS = 60 * 60 * 1000
const LIMITS = { 'account-address': 5, account: 20 } as const
const FIRST_LOCK_MS = 60 * 1000

export type ThrottleKey = { kind: keyof typeof LIMITS; value: string }

export function throttleKeys(email: string, ip: string | null): ThrottleKey[] {
  const account = email.trim().toLowerCase()
  return [
    { kind: 'account-address', value: `${account}|${ip ?? 'unknown'}` },
    { kind: 'account', value: account },
  ]
}

const keyOf = (k: ThrottleKey) => `${k.kind}:${k.value}`

/** Milliseconds until sign-in may be tried again, or 0 when it may be tried now. */
export async function lockedFor(db: Db, keys: ThrottleKey[], now = Date.now()): Promise<number> {
  const rows = await db.selectFrom('login_throttle').select('locked_until').where('key', 'in', keys.map(keyOf)).execute()
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

/** A successful sign-in clears the account's counts (other addresses keep theirs for this account). */
export async function recordSuccess(db: Db, email: string, ip: string | null): Promise<void> {
  await db.deleteFrom('login_throttle').where('key', 'in', throttleKeys(email, ip).map(keyOf)).execute()
}
