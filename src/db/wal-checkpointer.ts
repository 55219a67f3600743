import { statSync } from 'node:fs'
import type { Worker } from 'node:worker_threads'
import { startWorker } from '../runtime/workers.js'
import type SQLite from 'better-sqlite3'

// SQLite copies the write-ahead log back into the database file at a checkpoint. On the writing
// connection that copy runs on the event loop (a quarter of a second after a 100,000-record sync),
// so the app asks a worker thread with its own connection to do it. A PASSIVE checkpoint never
// blocks readers or writers; the writer's own automatic checkpoint (AUTOCHECKPOINT_PAGES) is the backstop.
// PostgreSQL (no SQLite connection) checkpoints by itself: every function here is then a no-op.

/**
 * The writer's own automatic checkpoint, in pages: the backstop that bounds the WAL during a long
 * sync, whose pages commit one by one. A sync commits every page on its own; checkpointing every
 * 4 MB (SQLite's default) would copy the same index pages back into the database file again and
 * again, so every 64 MB instead.
 */
export const AUTOCHECKPOINT_PAGES = 16384

/** A WAL smaller than this is left for later: checkpointing it costs the main thread next to nothing. */
const WORTH_BYTES = 4 * 1024 * 1024
/** A worker with nothing to do for this long ends; the next request starts another. */
const IDLE_MS = 30_000

type Checkpointer = { worker: Worker; asked: number; done: number; waiters: (() => void)[] }
const checkpointers = new WeakMap<SQLite.Database, Checkpointer>()
const reporters = new WeakMap<SQLite.Database, (problem: string) => void>()

/** Where a failed checkpoint is told (the app's log); the writer's own checkpoint still bounds the WAL. */
export function reportCheckpointProblems(sqlite: SQLite.Database | null, report: (problem: string) => void): void {
  if (sqlite) reporters.set(sqlite, report)
}

/** After a large write (a sync run, an import): asks the worker for a checkpoint if the WAL is worth one. */
export function checkpointSoon(sqlite: SQLite.Database | null): void {
  if (!sqlite || sqlite.memory || !sqlite.open || walBytes(sqlite.name) <= WORTH_BYTES) return
  const checkpointer = checkpointers.get(sqlite) ?? startCheckpointer(sqlite)
  checkpointer.worker.postMessage(++checkpointer.asked)
}

/**
 * One large transaction (an IMPORT): its commit would run the writer's automatic checkpoint on the
 * event loop, so that is off while it runs and the worker checkpoints after it.
 */
export async function withCheckpointAfter<T>(sqlite: SQLite.Database | null, write: () => Promise<T>): Promise<T> {
  if (!sqlite) return write()
  sqlite.pragma('wal_autocheckpoint = 0')
  try {
    return await write()
  } finally {
    sqlite.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`)
    checkpointSoon(sqlite)
  }
}

/** Resolves when every checkpoint asked for so far has run (benchmarks, tests, shutdown). */
export function checkpointsDone(sqlite: SQLite.Database | null): Promise<void> {
  const checkpointer = sqlite ? checkpointers.get(sqlite) : undefined
  if (!checkpointer || checkpointer.done >= checkpointer.asked) return Promise.resolve()
  return new Promise((resolve) => checkpointer.waiters.push(resolve))
}

/** Ends the connection's checkpoint worker, if it has one (the connection is closing). */
export async function stopCheckpoints(sqlite: SQLite.Database): Promise<void> {
  const checkpointer = checkpointers.get(sqlite)
  if (!checkpointer) return
  forget(sqlite, checkpointer)
  await checkpointer.worker.terminate()
}

function startCheckpointer(sqlite: SQLite.Database): Checkpointer {
  const worker = startWorker('wal-checkpoint', { workerData: { path: sqlite.name, idleMs: IDLE_MS } })
  worker.unref()
  const checkpointer: Checkpointer = { worker, asked: 0, done: 0, waiters: [] }
  worker.on('message', (reply: { upTo: number; ok: boolean; message?: string }) => {
    if (!reply.ok) reporters.get(sqlite)?.(`the WAL checkpoint failed: ${reply.message}`)
    checkpointer.done = reply.upTo
    if (checkpointer.done >= checkpointer.asked) settle(checkpointer)
  })
  worker.on('exit', () => forget(sqlite, checkpointer))
  worker.on('error', (err) => {
    reporters.get(sqlite)?.(`the WAL checkpoint worker stopped: ${err.message}`)
    forget(sqlite, checkpointer)
  })
  checkpointers.set(sqlite, checkpointer)
  return checkpointer
}

/** A worker that ended (idle, terminated or failed) owes nothing more: its waiters go on. */
function forget(sqlite: SQLite.Database, checkpointer: Checkpointer): void {
  if (checkpointers.get(sqlite) === checkpointer) checkpointers.delete(sqlite)
  settle(checkpointer)
}

function settle(checkpointer: Checkpointer): void {
  for (const resolve of checkpointer.waiters.splice(0)) resolve()
}

function walBytes(databasePath: string): number {
  try {
    return statSync(`${databasePath}-wal`).size
  } catch {
    return 0
  }
}
