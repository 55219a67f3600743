// The test files that run on SQLite only, with why: `TEST_ON_POSTGRES=1 npm test` (CI's second
// run) leaves them out. Each is about SQLite itself; every feature's tests run on both databases.

/** Written against SQLite itself: its schema tables (sqlite_master) or its file. */
const SQLITE_ITSELF = [
  // Backups copy the SQLite file; a PostgreSQL database is backed up with its own tools.
  'test/backups/backups.test.ts',
  // Reads the unique indexes from sqlite_master (test/db/postgres-schema.test.ts holds PostgreSQL's to the same).
  'test/records/core-modules.test.ts',
  // Snapshots the database through sqlite_master to prove a refusal changed nothing.
  'test/http/fuzz.test.ts',
  // Moves a SQLite file into PostgreSQL: its source is SQLite by definition (it runs in the SQLite run).
  'test/db/move-to-postgres.test.ts',
  // SQLite's own locking (WAL, deferred and immediate transactions).
  'test/db/sqlite-write-lock.test.ts',
]

/** What a PostgreSQL run leaves out besides the browser and binary tests (their servers start on SQLite). */
export const SQLITE_ONLY = [...SQLITE_ITSELF]
