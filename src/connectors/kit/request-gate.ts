// How many requests a platform takes from one company: at most `concurrent` at a time and
// `perMinute` in any minute, and none at all while the platform has asked us to wait (a 429 with
// Retry-After pauses every caller of that company: every module's sync, publishing, token
// refreshes). One gate per company and platform, shared by every caller in this process.

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

const gates = new Map<string, CompanyGate>()

/** The gate of one company at one platform ("quickbooks-online:9130…"), with the limits in force now (a setting may change them). */
export function gateFor(key: string, limits: GateLimits): RequestGate {
  let gate = gates.get(key)
  if (!gate) gates.set(key, (gate = new CompanyGate(limits)))
  else if (gate.limits.concurrent !== limits.concurrent || gate.limits.perMinute !== limits.perMinute) gate.limits = limits
  return gate
}
