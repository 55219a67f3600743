import type { VendorConfig } from '../config.js'

// How every cloud connector talks HTTP: a timeout per request, and retries where waiting helps: on
// 429 as long as the platform says (Retry-After), on 5xx and network errors with exponential backoff
// and jitter, up to a budget of attempts, then a failure that says what was tried.

export type Attempt = { attempt: number; status: number | null; error: string | null; retryInMs: number | null }
export type VendorResponse = { status: number; text: string; headers: Headers }

export type RetryOptions = {
  vendors: Pick<VendorConfig, 'requestTimeoutMs' | 'retryBaseMs'>
  signal?: AbortSignal
  /** Named in the failure: "QuickBooks Online (Employee query)". */
  what: string
  maxAttempts?: number
  onAttempt?: (a: Attempt) => void
}

const MAX_WAIT_MS = 60_000

export async function pacedFetch(url: URL | string, init: RequestInit, opts: RetryOptions): Promise<VendorResponse> {
  const maxAttempts = opts.maxAttempts ?? 6
  let last = ''
  for (let attempt = 1; ; attempt++) {
    const timeout = AbortSignal.timeout(opts.vendors.requestTimeoutMs)
    let wait: number
    try {
      const response = await fetch(url, { ...init, signal: opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout })
      const text = await response.text()
      const retryable = response.status === 429 || response.status >= 500
      if (!retryable || attempt >= maxAttempts) {
        opts.onAttempt?.({ attempt, status: response.status, error: null, retryInMs: null })
        if (retryable) throw new Error(`${opts.what}: gave up after ${attempt} attempts; the last answer was HTTP ${response.status}${response.status === 429 ? ' (too many requests)' : ''}. Try again later.`)
        return { status: response.status, text, headers: response.headers }
      }
      last = `HTTP ${response.status}`
      wait = response.status === 429 ? retryAfterMs(response.headers.get('retry-after')) ?? backoff(opts.vendors.retryBaseMs, attempt) : backoff(opts.vendors.retryBaseMs, attempt)
      opts.onAttempt?.({ attempt, status: response.status, error: null, retryInMs: wait })
    } catch (err) {
      if (opts.signal?.aborted) throw opts.signal.reason
      if (err instanceof Error && err.message.startsWith(`${opts.what}: gave up`)) throw err
      last = timeout.aborted ? `no answer within ${Math.round(opts.vendors.requestTimeoutMs / 1000)} s` : networkReason(err)
      if (attempt >= maxAttempts) {
        opts.onAttempt?.({ attempt, status: null, error: last, retryInMs: null })
        throw new Error(`${opts.what}: gave up after ${attempt} attempts; the last one failed with ${last}. Check the network and try again.`)
      }
      wait = backoff(opts.vendors.retryBaseMs, attempt)
      opts.onAttempt?.({ attempt, status: null, error: last, retryInMs: wait })
    }
    await sleep(wait, opts.signal)
  }
}

/** base x 2^(n-1), times a random factor between 0.5 and 1.5 so callers do not retry in step. */
export const backoff = (baseMs: number, attempt: number) => Math.min(MAX_WAIT_MS, baseMs * 2 ** (attempt - 1) * (0.5 + Math.random()))

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
