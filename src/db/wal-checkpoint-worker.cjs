// Runs WAL checkpoints on its own thread and connection, so the copy from the WAL into the
// database file never blocks the event loop (see wal-checkpointer.ts). Plain JavaScript: a worker
// thread loads it directly, under tsx and under vitest alike.
const { parentPort, workerData } = require('node:worker_threads')
const Database = require('better-sqlite3')

const describe = (err) => String(err && err.message ? err.message : err)

let db
try {
  // In the binary the SQLite addon is a file the main thread wrote out (see runtime/native-sqlite.ts).
  db = new Database(workerData.path, { fileMustExist: true, nativeBinding: process.env.CLOCKBRIDGE_SQLITE_ADDON })
  db.pragma('busy_timeout = 5000')
} catch (err) {
  parentPort.postMessage({ upTo: 0, ok: false, message: `cannot open ${workerData.path}: ${describe(err)}` })
  process.exit(1)
}
let asked = 0
let scheduled = false
let idle = null

// Requests that arrive while a checkpoint runs are served by one more checkpoint, not one each.
function checkpoint() {
  scheduled = false
  const upTo = asked
  try {
    const [result] = db.pragma('wal_checkpoint(PASSIVE)')
    parentPort.postMessage({ upTo, ok: true, ...result })
  } catch (err) {
    parentPort.postMessage({ upTo, ok: false, message: describe(err) })
  }
}

parentPort.on('message', (request) => {
  asked = request
  if (!scheduled) setImmediate(checkpoint)
  scheduled = true
  clearTimeout(idle)
  idle = setTimeout(() => (db.close(), process.exit(0)), workerData.idleMs)
})
