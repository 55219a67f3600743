// How many requests a platform takes from one company: at most `concurrent` at a time and
// `perMinute` in any minute, and none at all while the platform has asked us to wait (a 429 with
// Retry-After pauses every caller of that company: every module's sync, publishing, token
// refreshes). Two layers: a queue per company in this process (CompanyGate), so its callers wait
// without asking the database; then the ledger the instances share (GateLedger, kept in the
// database by src/integrations/request-gates.ts), which counts every instance's requests and
// carries a pause to all of them.

export type RequestGate = {
  /** Waits for a free place (and the end of any pause); call the returned function when the request is done. */
  acquire: (signal?: AbortSignal) => Promise<() => void>
  /** The platform asked every request of this company to wait this long. */
  pauseFor: (ms: number) => void
}

export type GateLimits = { concurrent: number; perMinute?: number }

class CompanyGate implements RequestGate {
  private readonly sent: number[] = []
  private running = 0
  private pausedUntil = 0
  private readonly waiting: (() => void)[] = []

  constructor(public limits: GateLimits) {}

  async acquire(signal?: AbortSignal): Promise<() => void> {
    while (this.running >= this.limits.concurrent) await new Promise<void>((r) => this.waiting.push(r))
    this.running++
    try {
      for (;;) {
        signal?.throwIfAborted()
        const now = Date.now()
        if (this.pausedUntil > now) {
          await sleep(this.pausedUntil - now)
          continue
        }
        const perMinute = this.limits.perMinute
        if (perMinute === undefined) break
        while (this.sent.length > 0 && this.sent[0]! <= now - 60_000) this.sent.shift()
        if (this.sent.length < perMinute) break
        await sleep(this.sent[0]! + 60_000 - now)
      }
    } catch (err) {
      this.release()
      throw err
    }
    this.sent.push(Date.now())
    let released = false
    return () => {
      if (released) return
      released = true
      this.release()
    }
  }

  pauseFor(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, Date.now() + ms)
  }

  private release() {
    this.running--
    this.waiting.shift()?.()
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** The queues of this process, one per company and platform. */
export type LocalGates = Map<string, CompanyGate>
const processGates: LocalGates = new Map()

/** This process's queue of one company at one platform ("quickbooks-online:9130…"), with the limits in force now (a setting may change them). */
function localGate(gates: LocalGates, key: string, limits: GateLimits): CompanyGate {
  let gate = gates.get(key)
  if (!gate) gates.set(key, (gate = new CompanyGate(limits)))
  else if (gate.limits.concurrent !== limits.concurrent || gate.limits.perMinute !== limits.perMinute) gate.limits = limits
  return gate
}

/** What every instance of one database knows of a company's requests. */
export type GateLedger = {
  /** A place for one request (held at most `leaseMs`, in case its process dies), or how long to wait before asking again. */
  take(key: string, limits: GateLimits, leaseMs: number): Promise<{ token: string } | { waitMs: number }>
  give(token: string): Promise<void>
  /** No request of this company goes before `until` (epoch ms), from any instance. */
  pause(key: string, until: number): Promise<void>
}

/** How a connector gets the gate of a company: `gates("sage-intacct:harbor-line", { concurrent: 2 })`. */
export type RequestGates = (key: string, limits: GateLimits) => RequestGate

/** A wait for the ledger, however long it asks: short enough to notice a place freed by another instance soon. */
const LEDGER_POLL_MS = { min: 20, max: 1_000 }

class SharedGate implements RequestGate {
  constructor(
    private readonly local: CompanyGate,
    private readonly ledger: GateLedger,
    private readonly key: string,
    private readonly leaseMs: number,
  ) {}

  async acquire(signal?: AbortSignal): Promise<() => void> {
    const releaseLocal = await this.local.acquire(signal)
    try {
      for (;;) {
        signal?.throwIfAborted()
        const taken = await this.ledger.take(this.key, this.local.limits, this.leaseMs)
        if ('token' in taken) {
          let released = false
          return () => {
            if (released) return
            released = true
            releaseLocal()
            // A place not given back (the database is unreachable) frees itself when its lease ends.
            this.ledger.give(taken.token).catch(() => {})
          }
        }
        await sleep(Math.min(LEDGER_POLL_MS.max, Math.max(LEDGER_POLL_MS.min, taken.waitMs)))
      }
    } catch (err) {
      releaseLocal()
      throw err
    }
  }

  pauseFor(ms: number): void {
    this.local.pauseFor(ms)
    this.ledger.pause(this.key, Date.now() + ms).catch(() => {})
  }
}

/**
 * The gates of one database's instances: each company's queue in this process, then its ledger.
 * `leaseMs`: how long a place is held at most (a request's time-out and a margin). `locals`: the
 * queues, this process's unless a test stands in for another process.
 */
export function requestGates(ledger: GateLedger, leaseMs: number, locals: LocalGates = processGates): RequestGates {
  return (key, limits) => new SharedGate(localGate(locals, key, limits), ledger, key, leaseMs)
}
