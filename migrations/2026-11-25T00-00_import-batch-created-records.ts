import type { Kysely } from 'kysely'

// Frozen in time: this file never imports application code.

// A batch that creates 100,000 records writes their (staged id, core id) pairs as one JSON array
// instead of 100,000 batch lines: created records have no earlier state for an undo to restore.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('import_batches').addColumn('created_records', 'text').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('import_batches').dropColumn('created_records').execute()
}
