// The test files that run on SQLite only for now, with why: `TEST_ON_POSTGRES=1 npm test` (CI's
// second run) leaves them out. Each is a defect of the PostgreSQL support to mend, not a choice;
// the list shrinks as staging moves onto both databases (issue: PostgreSQL and several instances).

/** Staging's hot path (SYNC, IMPORT, Undo, Archive, counts, search) is written for SQLite's prepared statements. */
const STAGING = [
  'test/staging/pipeline.test.ts',
  'test/staging/faults.test.ts',
  'test/staging/counts-and-search.test.ts',
  'test/staging/off-thread.test.ts',
  'test/integrations/routes.test.ts',
  'test/connectors/quickbooks-online/qbo-sync.test.ts',
  'test/connectors/quickbooks-online/qbo-faults.test.ts',
  'test/connectors/quickbooks-online/qbo-connect.test.ts',
  'test/connectors/quickbooks-desktop/qbwc-protocol.test.ts',
  'test/connectors/quickbooks-desktop/qbwc-sync.test.ts',
  'test/connectors/quickbooks-desktop/qbwc-setup.test.ts',
  'test/connectors/sage-intacct/intacct.test.ts',
  'test/connectors/sage-300-cre/sage300.test.ts',
  'test/connectors/crew-roster/crew-roster.test.ts',
  'test/payroll/publish-qbd.test.ts',
  'test/payroll/publish-qbd-killed.test.ts',
  'test/payroll/publish-qbo.test.ts',
  'test/payroll/publish-intacct.test.ts',
  'test/payroll/publish-targets.test.ts',
  'test/scripts/demo.test.ts',
]

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
]

/** What a PostgreSQL run leaves out besides the browser and binary tests (their servers start on SQLite). */
export const SQLITE_ONLY = [...STAGING, ...SQLITE_ITSELF]
