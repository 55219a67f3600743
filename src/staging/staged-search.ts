import type SQLite from 'better-sqlite3'
import type { Db } from '../db/database.js'
import type { Logger } from 'pino'
import { cachedStatement } from '../db/statements.js'
import { checkpointsDone, checkpointSoon } from '../db/wal-checkpointer.js'

// The search index (staged_search, see its migration) is filled after staging, not during it:
// indexing as rows are staged doubled the cost of a SYNC. Rows past the progress mark are added
// a chunk per short transaction once a run ends, every minute, and at start-up; until then a
// search also looks at them directly (staging-queries.ts), so it never misses one.

const CHUNK = 500

/** Adds the next staged rows past the progress mark to the index, in one transaction; returns how many. */
export function indexNextStaged(sqlite: SQLite.Database, chunk = CHUNK): number {
  return sqlite
    .transaction(() => {
      const from = cachedStatement(sqlite, 'select indexed_through from staged_search_progress where id = 1').pluck().get() as number
      const through = cachedStatement(sqlite, 'select max(id) from (select id from staged_records where id > ? order by id limit ?)')
        .pluck()
        .get(from, chunk) as number | null
      if (through === null) return 0
      const added = cachedStatement(
        sqlite,
        `insert into staged_search (rowid, words) select id, label || ' ' || external_id from staged_records where id > ? and id <= ?`,
      ).run(from, through).changes
      cachedStatement(sqlite, 'update staged_search_progress set indexed_through = ? where id = 1').run(through)
      return added
    })
    .immediate()
}

const catchingUp = new WeakMap<SQLite.Database, Promise<number>>()

/**
 * Indexes every staged row not yet in the search index, a chunk at a time with other requests
 * answered between chunks. One pass per connection at a time; a call during a pass joins it.
 */
export function catchUpSearchIndex(deps: { db: Db; sqlite: SQLite.Database | null; logger: Logger }): Promise<number> {
  const { sqlite } = deps
  // PostgreSQL keeps its own text index (a GIN index of the staged rows) in step with every write.
  if (!sqlite) return Promise.resolve(0)
  const running = catchingUp.get(sqlite)
  if (running) return running
  const pass = indexAll({ ...deps, sqlite }).finally(() => catchingUp.delete(sqlite))
  catchingUp.set(sqlite, pass)
  return pass
}

async function indexAll({ db, sqlite, logger }: { db: Db; sqlite: SQLite.Database; logger: Logger }): Promise<number> {
  let total = 0
  try {
    // The run's WAL is copied to the database first (by the checkpoint worker), so these writes
    // start a fresh WAL and never reach the size where a commit checkpoints on the event loop.
    await checkpointsDone(sqlite)
    // Kysely's connection is held for each chunk, so no Kysely transaction is open around it.
    while (true) {
      const added = await db.connection().execute(async () => indexNextStaged(sqlite))
      if (added === 0) break
      total += added
      await new Promise<void>((resolve) => setImmediate(resolve))
    }
    if (total > 0) checkpointSoon(sqlite)
  } catch (err) {
    logger.error({ event: 'search_index_failed', err }, 'adding staged records to the search index failed; the next pass retries')
  }
  return total
}
