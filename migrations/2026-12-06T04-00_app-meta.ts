import type { Kysely } from 'kysely'

// Frozen in time: this file never imports application code.

// Facts about the database itself, such as which Clockbridge version last migrated it (so an older
// version that finds migrations it does not know can say which version to run instead).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('app_meta')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('app_meta').execute()
}
