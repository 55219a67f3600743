import type { Kysely } from 'kysely'

// Frozen in time: this file never imports application code.

// Which instance runs a sync (host:pid). With heartbeat_at, renewed while it runs, it tells a run in
// progress elsewhere from one whose instance stopped: only the latter is ended by another instance.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sync_runs').addColumn('held_by', 'text').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sync_runs').dropColumn('held_by').execute()
}
