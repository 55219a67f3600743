import type { Kysely } from 'kysely'

// Frozen in time: this file never imports application code.

// A record's id at a publish target that is not its sync source (an employee synced from QuickBooks
// Desktop and published to Sage Intacct too): found by matching the target's records on natural keys.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('publish_links')
    .addColumn('integration', 'text', (c) => c.notNull())
    .addColumn('module', 'text', (c) => c.notNull())
    .addColumn('core_id', 'integer', (c) => c.notNull())
    .addColumn('external_id', 'text', (c) => c.notNull())
    .addColumn('matched_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('publish_links_pk', ['integration', 'module', 'core_id'])
    .execute()
  await db.schema.createIndex('publish_links_external').on('publish_links').columns(['integration', 'module', 'external_id']).unique().execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('publish_links').execute()
}
