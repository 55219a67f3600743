import { sql, type Kysely } from 'kysely'
import { generatedId } from './lib/portable.js'

// Frozen in time: this file never imports application code.

// A field of a synced record that an admin took over locally ("keep my value"): IMPORT does not
// write it until the override is released, but keeps `upstream` (the value the source last sent,
// as JSON of the column's value) so a release restores it. When the source changes the field as
// well, the admin chooses (`resolution`, for the upstream value `resolved_upstream`): keep ours or take theirs.
// A batch line keeps the overrides of its record as they were, so an undo puts them back.
// A job site's name is a link key (two customers' jobs share one): indexed as lower(name) for IMPORT's look-ups.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('field_overrides')
    .addColumn('id', 'integer', generatedId(db))
    .addColumn('core_table', 'text', (c) => c.notNull())
    .addColumn('core_id', 'integer', (c) => c.notNull())
    .addColumn('field', 'text', (c) => c.notNull())
    .addColumn('upstream', 'text')
    .addColumn('resolution', 'text')
    .addColumn('resolved_upstream', 'text')
    .addColumn('created_by', 'integer')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('field_overrides_field').on('field_overrides').columns(['core_table', 'core_id', 'field']).unique().execute()
  await db.schema.alterTable('import_batch_items').addColumn('previous_overrides', 'text').execute()
  await db.schema
    .createIndex('job_sites_name')
    .on('job_sites')
    .expression(sql`lower(name)`)
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('job_sites_name').execute()
  await db.schema.alterTable('import_batch_items').dropColumn('previous_overrides').execute()
  await db.schema.dropTable('field_overrides').execute()
}
