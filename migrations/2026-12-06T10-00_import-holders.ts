import type { Kysely } from 'kysely'

// Frozen in time: this file never imports application code.

// Which instance runs an IMPORT (host:pid), as sync_runs.held_by says for a sync: another instance
// starting up, or sweeping every minute, marks only the IMPORTs whose instance stopped as interrupted.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('import_attempts').addColumn('held_by', 'text').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('import_attempts').dropColumn('held_by').execute()
}
