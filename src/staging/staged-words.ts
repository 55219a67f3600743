import { sql, type RawBuilder } from 'kysely'

// Staged search on PostgreSQL, with the rules of SQLite's FTS5 index (staging-queries.ts): every
// word the admin typed begins a word of the record's name or external id, ignoring case and
// accents. The GIN index staged_records_words (its migration, 2026-12-06T12-00) holds the words of
// WORDS_SQL, and must be that expression exactly for PostgreSQL to use it: a word is a run of
// letters and digits of the text folded as FOLD_FROM -> FOLD_TO says. The index finds the rows
// holding words that begin as the typed ones do; a pattern over the folded text then keeps those
// where the typed word, punctuation and all, begins a word.

const FOLD_FROM = 'àáâãäåçèéêëìíîïñòóôõöùúûüýÿāăąćĉċčďēĕėęěĝğġģĥĩīĭįĵķĺļľńņňōŏőŕŗřśŝşšţťũūŭůűųŵŷźżžơưǎǐǒǔǖǘǚǜǟǡǧǩǫǭǰǵǹǻȁȃȅȇȉȋȍȏȑȓȕȗșțȟȧȩȫȭȯȱȳ'
const FOLD_TO = 'aaaaaaceeeeiiiinooooouuuuyyaaaccccdeeeeegggghiiiijklllnnnooorrrssssttuuuuuuwyzzzouaiouuuuuaagkoojgnaaaeeiioorruusthaeooooy'

const FOLDED_SQL = `translate(lower(label || ' ' || external_id), '${FOLD_FROM}', '${FOLD_TO}')`
/** The indexed expression, as the migration writes it. */
export const WORDS_SQL = `to_tsvector('simple'::regconfig, regexp_replace(${FOLDED_SQL}, '[^[:alnum:]]+', ' ', 'g'))`

const folding = new Map([...FOLD_FROM].map((from, i) => [from, FOLD_TO[i]!]))

/** A typed word folded as the index folds the text. */
const fold = (text: string) => [...text.toLowerCase()].map((c) => folding.get(c) ?? c).join('')

/** The letters and digits of a typed word, as words of the index ("8000-2" holds 8000 and 2). */
const wordsOf = (term: string) => fold(term).match(/[\p{L}\p{N}]+/gu) ?? []

const REGEX_SPECIAL = /[\\^$.*+?()[\]{}|]/g

/** Whether a row's name or external id holds every typed word at the start of a word. */
export function stagedWordsMatch(terms: string[]): RawBuilder<boolean> {
  // Each run of letters or digits is a word the index holds whole; every but the last must be whole, the last may go on (a prefix).
  const query = terms
    .map((term) =>
      wordsOf(term)
        .map((word) => `${word}:*`)
        .join(' & '),
    )
    .join(' & ')
  // A typed word that is one run is whole in the index: its prefix query says all. Another ("8000-2", "-x") is held to its punctuation too.
  const patterns = terms
    .filter((term) => wordsOf(term).join('') !== fold(term))
    .map((term) => sql`${sql.raw(FOLDED_SQL)} ~ ${`(^|[^[:alnum:]])${fold(term).replace(REGEX_SPECIAL, '\\$&')}`}`)
  const words = sql<boolean>`${sql.raw(WORDS_SQL)} @@ to_tsquery('simple', ${query})`
  return patterns.length === 0 ? words : sql<boolean>`${words} and ${sql.join(patterns, sql` and `)}`
}
