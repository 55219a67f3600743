import { sql, type RawBuilder } from 'kysely'

// Staged search on PostgreSQL, with the rules of SQLite's FTS5 index (staging-queries.ts): every
// word the admin typed begins a word of the record's name or external id, ignoring case and
// accents. The GIN index staged_records_words (its migration, 2026-12-06T12-00) holds the words of
// WORDS_SQL, and must be that expression exactly for PostgreSQL to use it: a word is a run of
// letters and digits of the text folded as FOLDED_SQL folds it (lower case, decomposed, without
// combining marks). The index finds the rows holding words that begin as the typed ones do; a
// pattern over the folded text then keeps those where a typed word with punctuation begins a word.

const FOLDED_SQL = `regexp_replace(normalize(lower(label || ' ' || external_id), NFD), '[\\u0300-\\u036f]', '', 'g')`
/** The indexed expression, as the migration writes it. */
export const WORDS_SQL = `to_tsvector('simple'::regconfig, regexp_replace(${FOLDED_SQL}, '[^[:alnum:]]+', ' ', 'g'))`

/** A typed word folded as the index folds the text. */
const fold = (text: string) =>
  text
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')

/** The letters and digits of a typed word, as words of the index ("8000-2" holds 8000 and 2). */
const wordsOf = (term: string) => fold(term).match(/[\p{L}\p{N}]+/gu) ?? []

const REGEX_SPECIAL = /[\\^$.*+?()[\]{}|]/g

/** A typed word as a prefix query of the index: its longest run of letters or digits is a word of the row, whole or begun. */
const prefixQuery = (term: string) => `${wordsOf(term).reduce((a, b) => (b.length > a.length ? b : a))}:*`

/**
 * Whether a row's name or external id holds every typed word at the start of a word. The index is
 * asked for the longest typed word alone (the likeliest to be rare: a short one such as "1" or
 * "first" begins thousands of different words, which the index reads one by one); the others, and
 * the punctuation of a word such as "8000-2", are tested on the rows it finds.
 */
export function stagedWordsMatch(terms: string[]): RawBuilder<boolean> {
  const [rarest, ...others] = [...terms].sort((a, b) => prefixQuery(b).length - prefixQuery(a).length)
  const conditions = [sql<boolean>`${sql.raw(WORDS_SQL)} @@ to_tsquery('simple', ${prefixQuery(rarest!)})`]
  // The same words, concatenated with nothing: an expression the index does not hold, so tested row by row.
  for (const term of others) conditions.push(sql<boolean>`(${sql.raw(WORDS_SQL)} || ''::tsvector) @@ to_tsquery('simple', ${prefixQuery(term)})`)
  // A typed word that is one run is whole in the index; another ("8000-2", "-x") is held to its punctuation too.
  for (const term of terms)
    if (wordsOf(term).join('') !== fold(term))
      conditions.push(sql<boolean>`${sql.raw(FOLDED_SQL)} ~ ${`(^|[^[:alnum:]])${fold(term).replace(REGEX_SPECIAL, '\\$&')}`}`)
  return sql<boolean>`(${sql.join(conditions, sql` and `)})`
}
