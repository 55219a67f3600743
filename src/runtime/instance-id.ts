import { hostname } from 'node:os'

// Which running Clockbridge did something (holds a run, claimed a scheduled job): host and pid.
// Several instances may share one PostgreSQL database; each sees the others' names in the database.

/** This process. */
export const THIS_INSTANCE = `${hostname()}:${process.pid}`

/** Whether the process still runs (a process of another user counts as running). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** An instance on this machine whose process has ended; one on another machine cannot be told here (its lease says). */
export function instanceGone(instance: string): boolean {
  const at = instance.lastIndexOf(':')
  const pid = Number(instance.slice(at + 1))
  return instance.slice(0, at) === hostname() && Number.isInteger(pid) && pid > 0 && pid !== process.pid && !processAlive(pid)
}
