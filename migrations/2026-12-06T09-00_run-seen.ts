import type { Kysely } from 'kysely'

// Frozen in time: this file never imports application code.

// The staged records a sync run has seen, so that after a full read the rest can be flagged removed
// at source. On SQLite a run keeps them in a temporary table of its connection (cheaper); on
// PostgreSQL, where the pages of one run may reach several instances and connections, here.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('sync_run_seen')
    .addColumn('run_id', 'integer', (c) => c.notNull())
    .addColumn('staged_id', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('sync_run_seen_pk', ['run_id', 'staged_id'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('sync_run_seen').execute()
}
