import type { VendorConfig } from './types.js'
import type { RequestGate } from './request-gate.js'

// How every cloud connector talks HTTP: a timeout per request, and retries where waiting helps: on
// 429 as long as the platform says (Retry-After, which pauses every request of the company through
// its gate), on 5xx and network errors with exponential backoff and jitter, up to a budget of
// attempts, then a failure that says what was tried and whether the platform may have acted on it.

export type Attempt = { attempt: number; status: number | null; error: string | null; retryInMs: number | null }
export type VendorResponse = { status: number; text: string; headers: Headers }

export type RetryOptions = {
  vendors: Pick<VendorConfig, 'requestTimeoutMs' | 'retryBaseMs'>
  signal?: AbortSignal
  /** Named in the failure: "QuickBooks Online (Employee query)". */
  what: string
  maxAttempts?: number
  onAttempt?: (a: Attempt) => void
  /** The company's request gate: each attempt takes a place in it, and a Retry-After pauses it. */
  gate?: RequestGate
}

/**
 * Every attempt failed. `mayHaveApplied`: some attempt may have reached the platform and been
 * carried out (it timed out, the connection broke, or the platform answered 5xx), so a write
 * must be settled before it is sent again; a 429 was certainly not carried out.
 */
export class VendorGaveUp extends Error {
  constructor(
    message: string,
    readonly lastStatus: number | null,
    readonly mayHaveApplied: boolean,
  ) {
    super(message)
  }
}

const MAX_WAIT_MS = 60_000

export async function pacedFetch(url: URL | string, init: RequestInit, opts: RetryOptions): Promise<VendorResponse> {
  const maxAttempts = opts.maxAttempts ?? 6
  let mayHaveApplied = false
  for (let attempt = 1; ; attempt++) {
    const release = (await opts.gate?.acquire(opts.signal)) ?? (() => {})
    const timeout = AbortSignal.timeout(opts.vendors.requestTimeoutMs)
    let answer: VendorResponse | { error: string }
    try {
      const response = await fetch(url, { ...init, signal: opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout })
      answer = { status: response.status, text: await response.text(), headers: response.headers }
    } catch (err) {
      if (opts.signal?.aborted) throw opts.signal.reason
      answer = { error: timeout.aborted ? `no answer within ${Math.round(opts.vendors.requestTimeoutMs / 1000)} s` : networkReason(err) }
    } finally {
      release()
    }
    const status = 'status' in answer ? answer.status : null
    const error = 'error' in answer ? answer.error : null
    if (status !== null && status !== 429 && status < 500) {
      opts.onAttempt?.({ attempt, status, error: null, retryInMs: null })
      return answer as VendorResponse
    }
    if (status !== 429) mayHaveApplied = true
    if (attempt >= maxAttempts) {
      opts.onAttempt?.({ attempt, status, error, retryInMs: null })
      throw new VendorGaveUp(
        status !== null
          ? `${opts.what}: gave up after ${attempt} attempts; the last answer was HTTP ${status}${status === 429 ? ' (too many requests)' : ''}. Try again later.`
          : `${opts.what}: gave up after ${attempt} attempts; the last one failed with ${error}. Check the network and try again.`,
        status,
        mayHaveApplied,
      )
    }
    const retryAfter = status === 429 && 'headers' in answer ? retryAfterMs(answer.headers.get('retry-after')) : null
    // The platform asked the whole company to slow down: every caller waits, not only this one.
    if (retryAfter !== null) opts.gate?.pauseFor(retryAfter)
    const wait = retryAfter ?? backoff(opts.vendors.retryBaseMs, attempt)
    opts.onAttempt?.({ attempt, status, error, retryInMs: wait })
    await sleep(wait, opts.signal)
  }
}

/** base x 2^(n-1), times a random factor between 0.5 and 1.5 so callers do not retry in step. */
const backoff = (baseMs: number, attempt: number) => Math.min(MAX_WAIT_MS, baseMs * 2 ** (attempt - 1) * (0.5 + Math.random()))

function retryAfterMs(header: string | null): number | null {
  if (!header) return null
  const seconds = Number(header)
  if (Number.isFinite(seconds)) return Math.min(MAX_WAIT_MS, Math.max(0, seconds * 1000))
  const date = Date.parse(header)
  return Number.isNaN(date) ? null : Math.min(MAX_WAIT_MS, Math.max(0, date - Date.now()))
}

function networkReason(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } })?.cause
  return cause?.code ?? cause?.message ?? (err as Error)?.message ?? String(err)
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = () => {
      clearTimeout(timer)
      reject(signal!.reason)
    }
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
