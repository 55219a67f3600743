// What this process is running right now: a handle on each sync and payroll send it started.
import { THIS_INSTANCE } from '../runtime/instance-id.js'

/** Runs executing in this process, so they can be cancelled and awaited. */
export class RunRegistry {
  /** This instance's name in the runs it holds and the jobs it claims. */
  constructor(readonly instance: string = THIS_INSTANCE) {}
  readonly active = new Map<number, { controller: AbortController; done: Promise<void> }>()
  /** Payroll being sent to a target, by target id: one sender per target in this process. */
  readonly sending = new Map<string, Promise<unknown>>()
  /** Work a finished run left going in the background (telling people of it), so that it too is awaited. */
  readonly background = new Set<Promise<unknown>>()
  /** Keeps `work` among the background work until it settles; returns it. */
  track<T>(work: Promise<T>): Promise<T> {
    this.background.add(work)
    void work.finally(() => this.background.delete(work)).catch(() => {})
    return work
  }
  /** Resolves when every run, send and background work this process started has finished (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.active.size > 0 || this.sending.size > 0 || this.background.size > 0)
      await Promise.allSettled([...[...this.active.values()].map((r) => r.done), ...this.sending.values(), ...this.background])
  }
}
