import type { Worker } from 'node:worker_threads'
import { startWorker } from '../runtime/workers.js'
import type SQLite from 'better-sqlite3'
import type { Db } from '../db/database.js'
import type { Actor } from '../audit/audit-log.js'
import { checkpointSoon } from '../db/wal-checkpointer.js'
import type { ImportArgs } from './import-args.js'

// IMPORT and Undo grow with the batch (100,000 records take seconds) and must stay all-or-nothing:
// one transaction. A backup's copy and check grow with the database. They run on a worker thread with its own connection to the same database file,
// so the server's connection and event loop keep answering (WAL: readers never wait for the
// writer). The worker is started on the first job and kept for the next ones (loading the code
// costs more than a small import), until it has been idle a while. An in-memory database (the
// tests) cannot be shared with a worker: there the jobs run here.

export type HeavyJob = { kind: 'import'; actor: Actor; args: ImportArgs } | { kind: 'undo'; actor: Actor; batchId: number } | { kind: 'backup'; file: string }

type Answer = { id: number; ok: true; value: unknown } | { id: number; ok: false; message: string }

const IDLE_MS = 60_000

type Pool = { worker: Worker; waiting: Map<number, (a: Answer) => void>; idle: NodeJS.Timeout | null }
let pool: Pool | null = null
let nextId = 1

function workerPool(): Pool {
  if (pool) return pool
  const worker = startWorker('off-thread')
  const started: Pool = { worker, waiting: new Map(), idle: null }
  const failAll = (message: string) => {
    for (const resolve of started.waiting.values()) resolve({ id: 0, ok: false, message })
    started.waiting.clear()
    if (pool === started) pool = null
  }
  worker.on('message', (a: Answer) => {
    started.waiting.get(a.id)?.(a)
    started.waiting.delete(a.id)
  })
  worker.on('error', (err) => failAll(err.message))
  worker.on('exit', (code) => failAll(`the worker stopped (exit code ${code}) before answering`))
  worker.unref()
  pool = started
  return started
}

/** Runs the job on the worker with its own connection (a file database), or here (an in-memory one). */
export async function runHeavy<T>(deps: { db: Db; sqlite: SQLite.Database | null }, job: HeavyJob, here: () => Promise<T>): Promise<T> {
  const { sqlite } = deps
  if (!sqlite || sqlite.memory) return here()
  const p = workerPool()
  if (p.idle) clearTimeout(p.idle)
  const id = nextId++
  const answer = await new Promise<Answer>((resolve) => {
    p.waiting.set(id, resolve)
    p.worker.postMessage({ id, databasePath: sqlite.name, job })
  })
  if (pool === p && p.waiting.size === 0) {
    p.idle = setTimeout(() => void p.worker.terminate(), IDLE_MS)
    p.idle.unref()
  }
  // Its writes went through its own connection; the WAL they left is checkpointed as a run's is.
  checkpointSoon(deps.sqlite)
  if (!answer.ok) throw new Error(`${{ import: 'IMPORT', undo: 'Undo', backup: 'The backup' }[job.kind]} failed: ${answer.message}`)
  return answer.value as T
}

/** Stops the worker (at shutdown, after the jobs in hand). */
export async function stopHeavyWorker(): Promise<void> {
  const p = pool
  if (!p) return
  pool = null
  await p.worker.terminate()
}
