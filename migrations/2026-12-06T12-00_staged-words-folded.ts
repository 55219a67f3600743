import { sql, type Kysely } from 'kysely'
import { onPostgres } from './lib/portable.js'

// Frozen in time: this file never imports application code.

// PostgreSQL's index of the staged records' words, rebuilt to search as SQLite's FTS5 index does:
// letters folded to lower case without their accents (é -> e, ü -> u: translate() over Latin
// letters, with no extension to install), and every run of letters and digits a word of its own
// ("QB-8000-1" is qb, 8000 and 1; PostgreSQL's parser alone reads -8000 as a number). The same
// expression is written in src/staging/staged-words.ts, which a test holds to this one. SQLite:
// nothing changes.

const FROM = 'àáâãäåçèéêëìíîïñòóôõöùúûüýÿāăąćĉċčďēĕėęěĝğġģĥĩīĭįĵķĺļľńņňōŏőŕŗřśŝşšţťũūŭůűųŵŷźżžơưǎǐǒǔǖǘǚǜǟǡǧǩǫǭǰǵǹǻȁȃȅȇȉȋȍȏȑȓȕȗșțȟȧȩȫȭȯȱȳ'
const TO = 'aaaaaaceeeeiiiinooooouuuuyyaaaccccdeeeeegggghiiiijklllnnnooorrrssssttuuuuuuwyzzzouaiouuuuuaagkoojgnaaaeeiioorruusthaeooooy'

export async function up(db: Kysely<any>): Promise<void> {
  if (!onPostgres(db)) return
  await sql`drop index staged_records_words`.execute(db)
  await sql`create index staged_records_words on staged_records using gin (to_tsvector('simple'::regconfig, regexp_replace(translate(lower(label || ' ' || external_id), ${sql.lit(FROM)}, ${sql.lit(TO)}), '[^[:alnum:]]+', ' ', 'g')))`.execute(
    db,
  )
}

export async function down(db: Kysely<any>): Promise<void> {
  if (!onPostgres(db)) return
  await sql`drop index staged_records_words`.execute(db)
  await sql`create index staged_records_words on staged_records using gin (to_tsvector('simple', label || ' ' || external_id))`.execute(db)
}
