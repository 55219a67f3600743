import { Worker, type WorkerOptions } from 'node:worker_threads'
import { fileURLToPath } from 'node:url'
import { assetText, inBinary } from './assets.js'

// The worker threads of the app, one place for how each starts. From the source tree a worker is
// its file (a TypeScript one through worker-entry.mjs, which registers tsx first); in the binary it
// is a bundle the build wrote as an asset, run from its text.

export const WORKERS = {
  'sheet-reader': 'src/connectors/kit/sheets/sheet-reader-worker.mjs',
  'wal-checkpoint': 'src/db/wal-checkpoint-worker.cjs',
  'off-thread': 'src/staging/off-thread-worker.ts',
} as const

export type WorkerName = keyof typeof WORKERS

/** The asset holding a worker's bundle inside the binary. */
export const workerAsset = (name: WorkerName) => `workers/${name}.cjs`

const sourceFile = (path: string) => new URL(`../../${path}`, import.meta.url)

export function startWorker(name: WorkerName, options: WorkerOptions = {}): Worker {
  if (inBinary()) return new Worker(assetText(workerAsset(name)), { ...options, eval: true })
  const file = sourceFile(WORKERS[name])
  if (!file.pathname.endsWith('.ts')) return new Worker(file, options)
  return new Worker(sourceFile('src/lib/worker-entry.mjs'), { ...options, workerData: { ...options.workerData, module: file.href } })
}

/** The path of a worker's source file (for the build). */
export const workerSource = (name: WorkerName) => fileURLToPath(sourceFile(WORKERS[name]))
