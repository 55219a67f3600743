import type { Kysely } from 'kysely'

// Frozen in time: this file never imports application code.

// An upload is read once when it arrives: its headings, row count, encoding and first rows are kept
// (JSON) beside it, so no page parses the file again.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('integration_uploads').addColumn('inspection', 'text').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('integration_uploads').dropColumn('inspection').execute()
}
