import type { Db } from '../db/database.js'
import { addDays } from '../lib/dates.js'
import { THIS_INSTANCE } from '../runtime/instance-id.js'

// Scheduled jobs run by whichever instance claims each occurrence first: every instance keeps the
// same timers, and the database (one insert on a primary key) decides who runs. An instance that
// loses the claim does nothing for that occurrence.

/**
 * When an occurrence was due, as the same text on every instance: its minute, whatever the clock's
 * seconds; its second for an expression with a seconds field (six fields), whose occurrences may
 * fall within one minute.
 */
export const dueSlot = (due: Date, bySecond = false) => due.toISOString().slice(0, bySecond ? 19 : 16)

/** Whether a cron expression names seconds (node-cron's optional sixth field, first). */
export const hasSecondsField = (expression: string) => expression.trim().split(/\s+/).length === 6

/** True when this instance took the occurrence of `job` due at `due`; false when another one has it. */
export async function claimOccurrence(db: Db, job: string, due: Date, instance = THIS_INSTANCE, bySecond = false): Promise<boolean> {
  const result = await db
    .insertInto('job_claims')
    .values({ job, due_at: dueSlot(due, bySecond), claimed_by: instance, claimed_at: new Date().toISOString() })
    .onConflict((oc) => oc.columns(['job', 'due_at']).doNothing())
    .executeTakeFirst()
  return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1
}

/** Who took an occurrence, if anyone did. */
export async function claimOf(db: Db, job: string, due: Date, bySecond = false): Promise<string | null> {
  const row = await db.selectFrom('job_claims').select('claimed_by').where('job', '=', job).where('due_at', '=', dueSlot(due, bySecond)).executeTakeFirst()
  return row?.claimed_by ?? null
}

/** Claims older than a week say nothing any more. */
export async function forgetOldClaims(db: Db, today: string): Promise<void> {
  await db.deleteFrom('job_claims').where('due_at', '<', addDays(today, -7)).execute()
}
