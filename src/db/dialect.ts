import { PostgresAdapter, sql, type Kysely, type RawBuilder } from 'kysely'

// What differs between SQLite and PostgreSQL for the code above src/db/, in one place: a service
// asks for "text like this, ignoring case", never which database it is on. (The migrations have
// their own frozen copy of what they need, in migrations/lib/portable.ts.)

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any schema
type AnyDb = Kysely<any>

export const onPostgres = (db: AnyDb): boolean => db.getExecutor().adapter instanceof PostgresAdapter

/** `value` matches a LIKE pattern (escaped with \), ignoring case as SQLite's LIKE does for ASCII letters. */
export function likeIgnoringCase(db: AnyDb, value: RawBuilder<unknown>, pattern: string): RawBuilder<boolean> {
  return onPostgres(db) ? sql<boolean>`${value} ilike ${pattern} escape '\\'` : sql<boolean>`${value} like ${pattern} escape '\\'`
}

/** A column to sort by without regard to case. */
export function ignoringCase(db: AnyDb, column: string): RawBuilder<unknown> {
  return onPostgres(db) ? sql`lower(${sql.ref(column)})` : sql`${sql.ref(column)} collate nocase`
}

/**
 * A column compared without its index: SQLite's unary + (a planner hint that keeps it on the primary
 * key); PostgreSQL plans by its statistics and takes the column as it is.
 */
export function withoutIndex(db: AnyDb, column: string): RawBuilder<unknown> {
  return onPostgres(db) ? sql`${sql.ref(column)}` : sql`+${sql.ref(column)}`
}

/**
 * Whether staged records have SQLite's full-text index of their words (staged_search, FTS5, filled
 * after a run); PostgreSQL's is a GIN index over their folded words (src/staging/staged-words.ts).
 */
export const hasStagedWordsIndex = (db: AnyDb): boolean => !onPostgres(db)

// eslint-disable-next-line no-control-regex -- the ASCII range starts at NUL on purpose
const BEYOND_ASCII = /[^\u0000-\u007f]/

/** SQLite's lower() folds A-Z only, so "É" and "é" are two values to its unique indexes. */
const foldAsciiLetters = (value: string): string =>
  BEYOND_ASCII.test(value) ? value.replace(/[A-Z]+/g, (capitals) => capitals.toLowerCase()) : value.toLowerCase()

/**
 * A value as the database's lower() folds it, so that a key compared in memory is one value exactly
 * when a unique index on lower(column) takes it for one: SQLite folds ASCII letters only,
 * PostgreSQL (in a UTF-8 database) every letter.
 */
export const caseFolding = (db: AnyDb): ((value: string) => string) => (onPostgres(db) ? (value) => value.toLowerCase() : foldAsciiLetters)

/** True when the database refused a row because a unique index already holds its value. */
export function isUniqueViolation(err: unknown): boolean {
  if (!(err instanceof Error) || !('code' in err)) return false
  const code = (err as { code: unknown }).code
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === '23505'
}
