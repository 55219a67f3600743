import { sql, type Kysely } from 'kysely'
import { onPostgres } from './lib/portable.js'

// Frozen in time: this file never imports application code.

// PostgreSQL's index of the staged records' words, rebuilt to search as SQLite's FTS5 index does:
// letters folded to lower case without their accents (é -> e, ü -> u: decomposed by normalize(),
// the combining marks dropped, with no extension to install), and every run of letters and digits a
// word of its own ("QB-8000-1" is qb, 8000 and 1; PostgreSQL's parser alone reads -8000 as a
// number). The same expression is written in src/staging/staged-words.ts, which a test holds to
// this one. (translate() over a table of accented letters folded the same but made staging 1.5x
// slower than this.) SQLite: nothing changes.

export async function up(db: Kysely<any>): Promise<void> {
  if (!onPostgres(db)) return
  await sql`drop index staged_records_words`.execute(db)
  await sql`create index staged_records_words on staged_records using gin (to_tsvector('simple'::regconfig, regexp_replace(regexp_replace(normalize(lower(label || ' ' || external_id), NFD), '[\\u0300-\\u036f]', '', 'g'), '[^[:alnum:]]+', ' ', 'g')))`.execute(
    db,
  )
}

export async function down(db: Kysely<any>): Promise<void> {
  if (!onPostgres(db)) return
  await sql`drop index staged_records_words`.execute(db)
  await sql`create index staged_records_words on staged_records using gin (to_tsvector('simple', label || ' ' || external_id))`.execute(db)
}
