// Starts a worker thread on a module of ours (workerData.module, a file URL). Under npm start and
// the tests the source is TypeScript, so tsx's loader is registered first; a built .js module is
// imported as it is. Plain JavaScript, so that the worker can start before any loader exists.
import { workerData } from 'node:worker_threads'

const target = workerData?.module
if (typeof target !== 'string') throw new Error('worker-entry.mjs needs workerData.module')
if (target.endsWith('.ts')) {
  const { register } = await import('tsx/esm/api')
  register()
}
await import(target)
