import { sql, type Kysely } from 'kysely'

// Frozen in time: this file never imports application code.

// Why a staged record's last IMPORT failed, kept on the record until an IMPORT of it succeeds, so
// the staging tab shows "Failed: reason" and filters on it. A partial index of the few that failed.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('staged_records').addColumn('import_error', 'text').execute()
  await db.schema
    .createIndex('staged_records_import_failed')
    .on('staged_records')
    .columns(['scope_id', 'label'])
    .where(sql.ref('import_error'), 'is not', null)
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('staged_records_import_failed').execute()
  await db.schema.alterTable('staged_records').dropColumn('import_error').execute()
}
