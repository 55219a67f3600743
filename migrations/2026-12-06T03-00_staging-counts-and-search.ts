import { sql, type Kysely } from 'kysely'
import { onPostgres } from './lib/portable.js'

// Frozen in time: this file never imports application code.

// Staging tabs over a million rows need exact counts and a search that does not read every row.
// - staging_counts holds how many rows of each scope have each (status, removed); the staging code
//   keeps it in step in the same transaction as every write (triggers measured 1.3x slower SYNCs
//   and 1.7x slower IMPORTs).
// - staged_search is a full-text index (words of the label and external id) of the staged rows,
//   keyed by their id. Contentless: the text lives in staged_records; contentless_delete lets a
//   changed label be replaced by id alone. Rows are added to it after they are staged, in small
//   chunks (it would double the cost of staging); staged_search_progress says how far it reached.
// - On PostgreSQL the same words are indexed by a GIN index over their text search vector instead
//   (prefix queries, kept in step by the database); staging_counts is an ordinary table there.
export async function up(db: Kysely<any>): Promise<void> {
  const postgres = onPostgres(db)
  // Sorting by last change reads this index instead of sorting every row (changes arrive in time order, so it costs little to keep).
  await db.schema.createIndex('staged_records_changed').on('staged_records').columns(['scope_id', 'last_changed_at']).execute()
  await db.schema
    .createTable('staging_counts')
    .addColumn('scope_id', 'integer', (c) => c.notNull().references('staging_scopes.id'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('removed', 'integer', (c) => c.notNull())
    .addColumn('n', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('staging_counts_pk', ['scope_id', 'status', 'removed'])
    .$call((table) => (postgres ? table : table.modifyEnd(sql`without rowid`)))
    .execute()
  await sql`insert into staging_counts (scope_id, status, removed, n) select scope_id, status, removed, count(*) from staged_records group by scope_id, status, removed`.execute(
    db,
  )
  if (postgres) {
    await sql`create index staged_records_words on staged_records using gin (to_tsvector('simple', label || ' ' || external_id))`.execute(db)
  } else {
    await sql`create virtual table staged_search using fts5(words, content='', contentless_delete=1)`.execute(db)
    await sql`insert into staged_search (rowid, words) select id, label || ' ' || external_id from staged_records`.execute(db)
  }
  await db.schema
    .createTable('staged_search_progress')
    .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
    .addColumn('indexed_through', 'integer', (c) => c.notNull())
    .execute()
  await sql`insert into staged_search_progress (id, indexed_through) select 1, coalesce(max(id), 0) from staged_records`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('staged_search_progress').execute()
  if (onPostgres(db)) await db.schema.dropIndex('staged_records_words').execute()
  else await sql`drop table staged_search`.execute(db)
  await db.schema.dropTable('staging_counts').execute()
  await db.schema.dropIndex('staged_records_changed').execute()
}
