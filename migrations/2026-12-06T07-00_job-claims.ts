import type { Kysely } from 'kysely'

// Frozen in time: this file never imports application code.

// One row per occurrence of a scheduled job (a sync's schedule, the backup, the every-minute
// rechecks) that an instance took: whichever instance inserts it first runs it, so two or more
// instances on one database run each occurrence once.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('job_claims')
    .addColumn('job', 'text', (c) => c.notNull())
    .addColumn('due_at', 'text', (c) => c.notNull())
    .addColumn('claimed_by', 'text', (c) => c.notNull())
    .addColumn('claimed_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('job_claims_pk', ['job', 'due_at'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('job_claims').execute()
}
