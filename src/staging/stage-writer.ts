import type SQLite from 'better-sqlite3'
import type { Db } from '../db/database.js'
import { checkpointSoon } from '../db/wal-checkpointer.js'
import { dropSeen, flagUnseenRemoved, stagePage, startSeen, type PageCounts, type StagePageArgs } from './staging-store.js'
import { flagUnseenRemovedOnPostgres, forgetSeenOnPostgres, stagePageOnPostgres } from './staging-store-postgres.js'

// Where a sync's pages are written: SQLite's prepared-statement hot path (staging-store.ts) when
// there is a SQLite connection, PostgreSQL's set-based statements (staging-store-postgres.ts)
// otherwise. The one place in staging that chooses; sync-runs.ts drives either the same way.

export type StageWriter = {
  /** A run starts remembering the records it sees. */
  begin(runId: number, integration: string, module: string): Promise<void>
  /** One page in its own transaction, with the run's counters and the connector's checkpoint. */
  stage(args: StagePageArgs): Promise<PageCounts>
  /** Inside the completing transaction `trx`: what the run did not see is flagged removed at source; how many. */
  flagUnseenRemoved(trx: Db, integration: string, module: string, runId: number): Promise<number>
  /** The run ended: what it saw is forgotten, and its writes are settled. */
  end(runId: number): Promise<void>
}

export function stageWriterOf(deps: { db: Db; sqlite: SQLite.Database | null }): StageWriter {
  const { db, sqlite } = deps
  if (!sqlite) {
    return {
      begin: (runId) => forgetSeenOnPostgres(db, runId),
      stage: (args) => stagePageOnPostgres(db, args),
      flagUnseenRemoved: (trx, integration, module, runId) => flagUnseenRemovedOnPostgres(trx, integration, module, runId),
      end: (runId) => forgetSeenOnPostgres(db, runId),
    }
  }
  return {
    // The raw statements run on the connection Kysely holds meanwhile, so no transaction of Kysely's is open around them.
    begin: (runId, integration, module) => db.connection().execute(async () => startSeen(sqlite, runId, integration, module)),
    stage: (args) => stagePage(db, sqlite, args),
    // The same connection as `trx`: these statements are part of its transaction.
    flagUnseenRemoved: async (_trx, integration, module, runId) => flagUnseenRemoved(sqlite, integration, module, runId),
    end: (runId) =>
      db.connection().execute(async () => {
        dropSeen(sqlite, runId)
        // The pages it wrote are checkpointed from the WAL into the database file (by a worker thread).
        checkpointSoon(sqlite)
      }),
  }
}
