import { parentPort } from 'node:worker_threads'
import { openDatabase } from '../db/database.js'
import { importHere, undoHere } from './import-service.js'
import { copyDatabase } from '../db/copy.js'
import type { HeavyJob } from './off-thread.js'

// The worker side of off-thread.ts: each job on the worker's own connection to the database it
// names, one at a time, each answered once.

type Request = { id: number; databasePath: string; job: HeavyJob }

let queue = Promise.resolve()

parentPort!.on('message', (request: Request) => {
  queue = queue.then(() => run(request))
})

/** One connection per database, kept while the worker lives: its prepared statements stay warm. */
const connections = new Map<string, ReturnType<typeof openDatabase>>()

async function run({ id, databasePath, job }: Request): Promise<void> {
  let opened = connections.get(databasePath)
  if (!opened) connections.set(databasePath, (opened = openDatabase(databasePath, { writeLockingTransactions: true })))
  const { db, sqlite } = opened
  try {
    const value =
      job.kind === 'import'
        ? await importHere({ db, sqlite }, job.actor, job.args)
        : job.kind === 'undo'
          ? await undoHere({ db, sqlite }, job.actor, job.batchId)
          : await copyDatabase(sqlite, job.file, 'quick_check')
    parentPort!.postMessage({ id, ok: true, value })
  } catch (err) {
    parentPort!.postMessage({ id, ok: false, message: err instanceof Error ? err.message : String(err) })
  }
}
