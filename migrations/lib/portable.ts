import { PostgresAdapter, type ColumnDefinitionBuilder, type Kysely } from 'kysely'

// What the migrations write differently on SQLite and on PostgreSQL, so that one migration builds
// an equivalent schema on either. Frozen as the migrations are: add to it, never change what a
// helper produces, since applied migrations relied on it.

export const onPostgres = (db: Kysely<any>): boolean => db.getExecutor().adapter instanceof PostgresAdapter

/** An integer key the database numbers: SQLite's autoincrement (never reused), PostgreSQL's identity column. */
export const generatedId =
  (db: Kysely<any>) =>
  (column: ColumnDefinitionBuilder): ColumnDefinitionBuilder =>
    onPostgres(db) ? column.primaryKey().generatedByDefaultAsIdentity() : column.primaryKey().autoIncrement()

/** Bytes (an uploaded file): SQLite's blob, PostgreSQL's bytea. */
export const bytesType = (db: Kysely<any>): 'blob' | 'bytea' => (onPostgres(db) ? 'bytea' : 'blob')
