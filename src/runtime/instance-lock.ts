import { closeSync, openSync, readFileSync, rmSync, statSync, utimesSync, writeSync } from 'node:fs'
import { hostname } from 'node:os'
import { processAlive } from './instance-id.js'

// One server per database: two would each run the scheduler, send the same payroll twice and keep
// their own in-memory state of runs. The first to start holds <database>.lock (its pid and host) and
// touches it every 30 s; another refuses to start while that process lives. A lock whose process
// is gone, or untouched for 90 s (a container that was replaced, another machine), is taken over.

export class InstanceLockedError extends Error {}

type Holder = { pid: number; host: string; startedAt: string }

const TOUCH_MS = 30_000
const STALE_MS = 90_000

function holderOf(file: string): Holder | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Holder
  } catch {
    return null
  }
}

/** The lock of the configured database: none on PostgreSQL, where several instances share one database by design. */
export function lockInstance(config: { databasePath: string; databaseUrl: string | null }): () => void {
  return config.databaseUrl ? () => {} : lockDatabase(config.databasePath)
}

/** Takes the database's lock for this process; returns what releases it. */
export function lockDatabase(databasePath: string): () => void {
  if (databasePath === ':memory:') return () => {}
  const file = `${databasePath}.lock`
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600)
      writeSync(fd, JSON.stringify({ pid: process.pid, host: hostname(), startedAt: new Date().toISOString() } satisfies Holder))
      closeSync(fd)
      const touch = setInterval(() => {
        const now = new Date()
        utimesSync(file, now, now)
      }, TOUCH_MS)
      touch.unref()
      const release = () => {
        clearInterval(touch)
        rmSync(file, { force: true })
      }
      process.once('exit', release)
      return release
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      const holder = holderOf(file)
      let fresh: boolean
      try {
        fresh = Date.now() - statSync(file).mtimeMs < STALE_MS
      } catch {
        continue // released meanwhile: try again
      }
      if (holder && fresh && holder.host !== hostname()) {
        throw new InstanceLockedError(
          `${databasePath} is in use by Clockbridge on ${holder.host} (process ${holder.pid}, since ${holder.startedAt}). Stop that one first; if that machine no longer runs it, delete ${file}.`,
        )
      }
      if (holder && fresh && holder.host === hostname() && holder.pid !== process.pid && processAlive(holder.pid)) {
        throw new InstanceLockedError(
          `Another Clockbridge (process ${holder.pid}, started ${holder.startedAt}) is using ${databasePath}. Stop it first, or give this one its own --data-dir.`,
        )
      }
      // Left by a process that is gone, or stale, or half-written by one that died: taken over.
      rmSync(file, { force: true })
    }
  }
  throw new InstanceLockedError(`Could not take ${file}: another Clockbridge is starting on the same database.`)
}
