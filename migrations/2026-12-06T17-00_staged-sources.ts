import type { Kysely } from 'kysely'
import { bytesType, generatedId } from './lib/portable.js'

// Frozen in time: this file never imports application code.

// What the source sent, for View source: each page's records as the platform sent them, compressed
// together with the request that fetched them, and for each staged record the page holding its
// latest copy. Pages no record points at any more are dropped when a run ends.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('staged_source_pages')
    .addColumn('id', 'integer', generatedId(db))
    .addColumn('scope_id', 'integer', (c) => c.notNull())
    .addColumn('run_id', 'integer', (c) => c.notNull())
    .addColumn('page', 'integer', (c) => c.notNull())
    .addColumn('request', 'text')
    .addColumn('fetched_at', 'text', (c) => c.notNull())
    .addColumn('content', bytesType(db), (c) => c.notNull())
    .execute()
  await db.schema.createIndex('staged_source_pages_scope').on('staged_source_pages').columns(['scope_id', 'id']).execute()
  // Keyed by the staged row's id (SQLite's rowid itself: no second index to write per record).
  await db.schema
    .createTable('staged_sources')
    .addColumn('staged_id', 'integer', (c) => c.primaryKey())
    .addColumn('page_id', 'integer', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('staged_sources_page').on('staged_sources').column('page_id').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('staged_sources').execute()
  await db.schema.dropTable('staged_source_pages').execute()
}
