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

/** Whether staged records have SQLite's full-text index of their words (staged_search, FTS5); PostgreSQL searches them by their text. */
export const hasStagedWordsIndex = (db: AnyDb): boolean => !onPostgres(db)

/** True when the database refused a row because a unique index already holds its value. */
export function isUniqueViolation(err: unknown): boolean {
  if (!(err instanceof Error) || !('code' in err)) return false
  const code = (err as { code: unknown }).code
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === '23505'
}
