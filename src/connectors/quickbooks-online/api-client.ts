import type { ConnectorContext } from '../kit/types.js'
import { pacedFetch, type Attempt } from '../kit/http-retry.js'
import type { RequestGates } from '../kit/request-gate.js'

// The QuickBooks Online Accounting API (v3) as the connector uses it: JSON over HTTPS with a bearer
// token, minorversion 75, at most 500 requests a minute and 10 at a time per company (one gate for
// every caller of the company, paused by a Retry-After), retries on 429 / 5xx / network errors, one
// token refresh on a 401, and Fault bodies turned into messages.

const MINOR_VERSION = '75'
const PRODUCTION_API = 'https://quickbooks.api.intuit.com'
const SANDBOX_API = 'https://sandbox-quickbooks.api.intuit.com'

/** What QuickBooks Online said no to, in words an admin can act on. */
export class QboError extends Error {
  constructor(
    message: string,
    readonly code: string | null = null,
    readonly httpStatus: number | null = null,
  ) {
    super(message)
  }
}

type FaultError = { message: string; detail: string; code: string; element: string }

/** Fault bodies come as `Fault.Error` or, on some 401s, `fault.error`: read both. */
function faultErrors(body: unknown): FaultError[] | null {
  const pick = (o: unknown, key: string): unknown => {
    if (!o || typeof o !== 'object') return undefined
    const hit = Object.keys(o).find((k) => k.toLowerCase() === key)
    return hit ? (o as Record<string, unknown>)[hit] : undefined
  }
  const fault = pick(body, 'fault')
  if (!fault) return null
  const errors = pick(fault, 'error')
  return (Array.isArray(errors) ? errors : []).map((e) => ({
    message: String(pick(e, 'message') ?? ''),
    detail: String(pick(e, 'detail') ?? ''),
    code: String(pick(e, 'code') ?? ''),
    element: String(pick(e, 'element') ?? ''),
  }))
}

function faultMessage(what: string, errors: FaultError[]): string {
  const parts = errors.map((e) => {
    const where = [e.code && `code ${e.code}`, e.element && `field ${e.element}`].filter(Boolean).join(', ')
    const detail = e.detail && e.detail !== e.message ? `: ${e.detail}` : ''
    return `${e.message || 'Error'}${where ? ` (${where})` : ''}${detail}`
  })
  return `QuickBooks Online refused the ${what}: ${parts.join('; ') || 'no reason given'}`
}

/** Intuit's documented limits per company (realm): 500 requests in any minute, 10 at a time. */
export const QBO_LIMITS = { concurrent: 10, perMinute: 500 }

/** The one gate of a QuickBooks Online company: every module, publishing and token refreshes share it. */
export const qboGate = (gates: RequestGates, realm: string) => gates(`quickbooks-online:${realm}`, QBO_LIMITS)

export type QboRequest = { method: 'GET' | 'POST'; path: string; query?: Record<string, string>; body?: unknown; what: string }

export class QboClient {
  /** Requests made (each attempt counts), for the benchmark and tests. */
  requests = 0

  constructor(
    private readonly ctx: Pick<ConnectorContext<unknown>, 'credentials' | 'credentialsRejected' | 'vendors' | 'signal' | 'log' | 'gates'>,
    private readonly environment: 'sandbox' | 'production',
  ) {}

  private baseUrl(realm: string) {
    const host = this.ctx.vendors.addresses.apiBaseUrl ?? (this.environment === 'sandbox' ? SANDBOX_API : PRODUCTION_API)
    return `${host}/v3/company/${encodeURIComponent(realm)}`
  }

  /** One call, with the token refreshed once if QuickBooks refuses it; the JSON body it answered. */
  async call(req: QboRequest): Promise<Record<string, unknown>> {
    let grant = await this.ctx.credentials()
    for (let authAttempt = 0; ; authAttempt++) {
      const url = new URL(`${this.baseUrl(grant.account)}${req.path}`)
      for (const [k, v] of Object.entries({ ...req.query, minorversion: MINOR_VERSION })) url.searchParams.set(k, v)
      const response = await pacedFetch(
        url,
        {
          method: req.method,
          headers: {
            authorization: `Bearer ${grant.accessToken}`,
            accept: 'application/json',
            ...(req.body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          body: req.body === undefined ? undefined : JSON.stringify(req.body),
        },
        {
          vendors: this.ctx.vendors,
          signal: this.ctx.signal,
          what: `QuickBooks Online (${req.what})`,
          onAttempt: (a: Attempt) => this.onAttempt(a),
          gate: qboGate(this.ctx.gates, grant.account),
        },
      )
      const text = response.text
      let body: unknown
      try {
        body = text === '' ? {} : JSON.parse(text)
      } catch {
        throw new QboError(
          `QuickBooks Online sent a response that is not JSON for the ${req.what} (HTTP ${response.status}, starting "${text.slice(0, 60).replace(/\s+/g, ' ')}"); nothing of it was used.`,
          null,
          response.status,
        )
      }
      if (response.status === 401 && authAttempt === 0) {
        grant = await this.ctx.credentialsRejected(grant.accessToken)
        continue
      }
      const errors = faultErrors(body)
      if (response.status >= 400 || errors) {
        if (response.status === 401)
          throw new QboError(
            `QuickBooks Online refused the access token even after a refresh (HTTP 401) for the ${req.what}. Connect again on the Setup tab.`,
            '3200',
            401,
          )
        throw new QboError(
          errors ? faultMessage(req.what, errors) : `QuickBooks Online answered HTTP ${response.status} to the ${req.what}`,
          errors?.[0]?.code ?? null,
          response.status,
        )
      }
      if (!body || typeof body !== 'object' || Array.isArray(body))
        throw new QboError(`QuickBooks Online sent an unexpected answer to the ${req.what}: not a JSON object.`)
      return body as Record<string, unknown>
    }
  }

  private onAttempt(a: Attempt) {
    this.requests++
    if (a.retryInMs !== null)
      this.ctx.log.warn(
        { event: 'vendor_retry', vendor: 'quickbooks-online', status: a.status, error: a.error, retryInMs: a.retryInMs },
        'retrying a QuickBooks Online request',
      )
  }
}
