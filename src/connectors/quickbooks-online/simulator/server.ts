import { DAY_MS } from '../../../lib/dates.js'
import { randomBytes } from 'node:crypto'
import { Hono, type Context } from 'hono'
import { listenLocally } from '../../../lib/local-server.js'
import { html } from 'hono/html'
import { QboCompany, qboTime, type QboCompanyOptions, type QboEntity, type QboObject } from './company.js'

// A stand-in for Intuit: the OAuth consent page and token endpoints, and the Accounting API's
// query, cdc, timeactivity and companyinfo over one generated company, with the faults the
// connector must survive. Tests and the demo point QBO_AUTH_URL, QBO_TOKEN_URL, QBO_REVOKE_URL and
// QBO_API_BASE_URL at it; it listens on 127.0.0.1 only.

export type QboFault =
  | { kind: 'throttle'; retryAfterSeconds?: number }
  | { kind: 'server-error' }
  | { kind: 'slow'; ms: number }
  | { kind: 'expired-token' }
  | { kind: 'malformed-json' }
  | { kind: 'fault'; status: number; body: unknown }
  | { kind: 'duplicate-ids' }
  | { kind: 'missing-fields' }
  /** The request is carried out, then the connection drops before the answer leaves. */
  | { kind: 'lose-answer' }

export const SIM_CLIENT = { clientId: 'ABsimulatorClientId0001', clientSecret: 'simulator-secret-0001' }

type Grant = { realmId: string; expiresAt: number }

export class QboSimulator {
  readonly company: QboCompany
  readonly app = new Hono()
  /** Faults for the next API requests, consumed in order; `path` limits one to matching requests. */
  readonly faults: (QboFault & { path?: string })[] = []
  /** The next refresh answers invalid_grant (a revoked or expired refresh token). */
  invalidGrantOnRefresh = false
  /** The consent page sends the admin back without realmId. */
  omitRealmId = false
  /** Seconds an access token lives. */
  accessTokenSeconds = 3600
  readonly log: { method: string; path: string; query: string; at: number }[] = []
  /** Time spent answering API requests, for the benchmark. */
  handlerMs = 0
  refreshes = 0
  /** Intuit's limits per company, enforced with 429 and Retry-After: 10 at a time, 500 in any minute. */
  limits = { concurrent: 10, perMinute: 500, retryAfterSeconds: 1 }
  /** The most API requests in flight at once, and how many were answered 429 for a limit (not a fault). */
  maxInFlight = 0
  throttled = 0
  private inFlight = 0
  private readonly recent: number[] = []
  private readonly codes = new Map<string, { redirectUri: string; expiresAt: number }>()
  private readonly accessTokens = new Map<string, Grant>()
  private readonly refreshTokens = new Map<string, string>()
  private readonly replies = new Map<string, { status: number; body: unknown }>()
  private nextTimeActivity = 1_000_000

  constructor(opts: QboCompanyOptions = {}) {
    this.company = new QboCompany(opts)
    this.routes()
  }

  /** URLs to put in the configuration (QBO_*_URL). */
  urls(base: string) {
    return {
      QBO_AUTH_URL: `${base}/connect/oauth2`,
      QBO_TOKEN_URL: `${base}/oauth2/v1/tokens/bearer`,
      QBO_REVOKE_URL: `${base}/v2/oauth2/tokens/revoke`,
      QBO_API_BASE_URL: base,
    }
  }

  listen(port = 0): Promise<{ url: string; close: () => Promise<void> }> {
    return listenLocally(this.app.fetch, port)
  }

  /** Tokens as if an admin had consented: for tests that start connected. */
  issueTokens(): { accessToken: string; refreshToken: string } {
    const accessToken = `eyJsim.${randomBytes(18).toString('base64url')}`
    const refreshToken = `AB11sim${randomBytes(18).toString('base64url')}`
    this.accessTokens.set(accessToken, { realmId: this.company.realmId, expiresAt: Date.now() + this.accessTokenSeconds * 1000 })
    this.refreshTokens.set(refreshToken, this.company.realmId)
    return { accessToken, refreshToken }
  }

  expireAllAccessTokens(): void {
    for (const grant of this.accessTokens.values()) grant.expiresAt = 0
  }

  private routes() {
    const app = this.app
    app.get('/connect/oauth2', (c) => {
      const q = c.req.query()
      if (q.client_id !== SIM_CLIENT.clientId)
        return c.html(
          html`<h1>Invalid client</h1>
            <p>The client id is not registered.</p>`,
          400,
        )
      if (q.response_type !== 'code' || !q.redirect_uri || !q.state || !q.scope?.includes('com.intuit.quickbooks.accounting'))
        return c.html(html`<h1>Bad request</h1>`, 400)
      return c.html(
        html`<!doctype html>
          <html>
            <head>
              <title>Intuit: connect an app</title>
            </head>
            <body>
              <h1>Connect to ${this.company.companyName}</h1>
              <p>An app wants to read and write your QuickBooks Online accounting data.</p>
              <form method="post" action="/connect/oauth2/consent">
                <input type="hidden" name="redirect_uri" value="${q.redirect_uri}" /><input type="hidden" name="state" value="${q.state}" />
                <button name="decision" value="allow">Connect</button> <button name="decision" value="deny">Cancel</button>
              </form>
            </body>
          </html>`,
      )
    })
    app.post('/connect/oauth2/consent', async (c) => {
      const form = (await c.req.parseBody()) as Record<string, string>
      const back = new URL(form.redirect_uri!)
      back.searchParams.set('state', form.state ?? '')
      if (form.decision !== 'allow') {
        back.searchParams.set('error', 'access_denied')
        return c.redirect(back.toString(), 302)
      }
      const code = `AB11code${randomBytes(12).toString('base64url')}`
      this.codes.set(code, { redirectUri: form.redirect_uri!, expiresAt: Date.now() + 5 * 60_000 })
      back.searchParams.set('code', code)
      if (!this.omitRealmId) back.searchParams.set('realmId', this.company.realmId)
      return c.redirect(back.toString(), 302)
    })
    app.post('/oauth2/v1/tokens/bearer', async (c) => {
      if (c.req.header('authorization') !== `Basic ${Buffer.from(`${SIM_CLIENT.clientId}:${SIM_CLIENT.clientSecret}`).toString('base64')}`)
        return c.json({ error: 'invalid_client' }, 401)
      const form = (await c.req.parseBody()) as Record<string, string>
      if (form.grant_type === 'authorization_code') {
        const code = this.codes.get(form.code ?? '')
        this.codes.delete(form.code ?? '')
        if (!code || code.expiresAt < Date.now() || code.redirectUri !== form.redirect_uri) return c.json({ error: 'invalid_grant' }, 400)
        return c.json(this.tokenBody())
      }
      if (form.grant_type === 'refresh_token') {
        this.refreshes++
        const realm = this.refreshTokens.get(form.refresh_token ?? '')
        if (!realm || this.invalidGrantOnRefresh) return c.json({ error: 'invalid_grant' }, 400)
        this.refreshTokens.delete(form.refresh_token!) // rotated: the old one is spent
        return c.json(this.tokenBody())
      }
      return c.json({ error: 'unsupported_grant_type' }, 400)
    })
    app.post('/v2/oauth2/tokens/revoke', async (c) => {
      const body = (await c.req.json().catch(() => ({}))) as { token?: string }
      this.refreshTokens.delete(body.token ?? '')
      this.accessTokens.clear()
      return c.body(null, 200)
    })
    app.all('/v3/company/:realm/*', async (c) => {
      const started = performance.now()
      const limited = this.overLimit()
      if (limited) return limited(c)
      this.inFlight++
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight)
      try {
        return await this.api(c)
      } finally {
        this.inFlight--
        this.handlerMs += performance.now() - started
      }
    })
  }

  /** Over Intuit's per-company limits: the 429 it answers (ThrottleExceeded, Retry-After), or null. */
  private overLimit(): ((c: Context) => Response) | null {
    const now = Date.now()
    while (this.recent.length > 0 && this.recent[0]! <= now - 60_000) this.recent.shift()
    if (this.inFlight < this.limits.concurrent && this.recent.length < this.limits.perMinute) {
      this.recent.push(now)
      return null
    }
    this.throttled++
    const why =
      this.inFlight >= this.limits.concurrent
        ? `more than ${this.limits.concurrent} requests at a time`
        : `more than ${this.limits.perMinute} requests in a minute`
    return (c) =>
      c.json(faultBody('ThrottleExceeded', `You have exceeded the number of allowed requests: ${why}.`, '003001'), 429, {
        'retry-after': String(this.limits.retryAfterSeconds),
      })
  }

  private tokenBody() {
    const { accessToken, refreshToken } = this.issueTokens()
    return {
      token_type: 'bearer',
      access_token: accessToken,
      expires_in: this.accessTokenSeconds,
      refresh_token: refreshToken,
      x_refresh_token_expires_in: 8726400,
    }
  }

  private async api(c: Context): Promise<Response> {
    const url = new URL(c.req.url)
    const path = url.pathname.replace(/^\/v3\/company\/[^/]+/, '')
    this.log.push({ method: c.req.method, path, query: url.search, at: Date.now() })
    const token = (c.req.header('authorization') ?? '').replace(/^Bearer /, '')
    const grant = this.accessTokens.get(token)
    const faultAt = this.faults.findIndex((f) => !f.path || path.includes(f.path) || url.search.includes(f.path))
    const fault = faultAt >= 0 ? this.faults.splice(faultAt, 1)[0] : undefined
    if (fault?.kind === 'expired-token' && grant) grant.expiresAt = 0
    if (!grant || grant.expiresAt < Date.now()) {
      return c.json(
        {
          fault: {
            error: [{ message: 'message=AuthenticationFailed; errorCode=003200; statusCode=401', detail: 'Token expired', code: '3200' }],
            type: 'AUTHENTICATION',
          },
          time: qboTime(),
        },
        401,
      )
    }
    // A token opens one company: any other realm in the URL is refused, as Intuit does.
    if (grant.realmId !== c.req.param('realm')) {
      return c.json(
        {
          fault: {
            error: [
              {
                message: 'message=ApplicationAuthorizationFailed; errorCode=003100; statusCode=403',
                detail: `The token was not issued for company ${c.req.param('realm')}`,
                code: '3100',
              },
            ],
            type: 'AUTHORIZATION',
          },
          time: qboTime(),
        },
        403,
      )
    }
    if (fault?.kind === 'throttle') {
      return c.json(
        faultBody('ThrottleExceeded', 'You have exceeded the number of allowed requests.', '003001'),
        429,
        fault.retryAfterSeconds === undefined ? {} : { 'retry-after': String(fault.retryAfterSeconds) },
      )
    }
    if (fault?.kind === 'server-error') return c.text('Internal Server Error', 500)
    if (fault?.kind === 'slow') await new Promise((r) => setTimeout(r, fault.ms))
    if (fault?.kind === 'malformed-json') return c.body('{"QueryResponse":{"Employee":[{"Id":"1",', 200, { 'content-type': 'application/json' })
    if (fault?.kind === 'fault') return c.json(fault.body as object, fault.status as 400)

    const replayKey = url.searchParams.get('requestid')
    if (replayKey && this.replies.has(replayKey)) {
      const reply = this.replies.get(replayKey)!
      if (fault?.kind === 'lose-answer') {
        ;(c.env as { incoming?: { socket?: { destroy: () => void } } }).incoming?.socket?.destroy()
        return new Response(null, { status: 500 })
      }
      return c.json(reply.body as object, reply.status as 200)
    }
    const reply = await this.answer(c, path, url, fault)
    if (replayKey && c.req.method === 'POST') this.replies.set(replayKey, reply)
    if (fault?.kind === 'lose-answer') {
      ;(c.env as { incoming?: { socket?: { destroy: () => void } } }).incoming?.socket?.destroy()
      return new Response(null, { status: 500 })
    }
    return c.json(reply.body as object, reply.status as 200)
  }

  private async answer(c: Context, path: string, url: URL, fault: QboFault | undefined): Promise<{ status: number; body: unknown }> {
    if (c.req.method === 'GET' && path === '/query') return this.query(url.searchParams.get('query') ?? '', fault)
    if (c.req.method === 'GET' && path === '/cdc') return this.cdc(url.searchParams.get('entities') ?? '', url.searchParams.get('changedSince') ?? '')
    if (c.req.method === 'GET' && path.startsWith('/companyinfo/'))
      return ok({ CompanyInfo: { CompanyName: this.company.companyName, Id: '1', SyncToken: '0' } })
    if (c.req.method === 'GET' && path.startsWith('/timeactivity/')) {
      const obj = this.company.get('TimeActivity', decodeURIComponent(path.slice('/timeactivity/'.length)))
      return obj ? ok({ TimeActivity: obj }) : notFound()
    }
    if (c.req.method === 'POST' && path === '/timeactivity') {
      const body = (await c.req.json().catch(() => null)) as Record<string, unknown> | null
      if (!body) return { status: 400, body: faultBody('Request has invalid or unsupported property', 'The request body is not JSON', '2010') }
      return url.searchParams.get('operation') === 'delete' ? this.deleteTimeActivity(body) : this.createTimeActivity(body)
    }
    return { status: 400, body: faultBody('Unsupported Operation', `${c.req.method} ${path} is not supported by the simulator`, '500') }
  }

  private query(statement: string, fault: QboFault | undefined): { status: number; body: unknown } {
    const m = /^select \* from (\w+)(?: where (.+?))?(?: orderby (\w+))?(?: startposition (\d+))?(?: maxresults (\d+))?\s*$/i.exec(statement.trim())
    if (!m) return { status: 400, body: faultBody('QueryParserError', `Encountered an unexpected token in: ${statement}`, '4000') }
    const entity = m[1] as QboEntity
    const list = this.company.objects.get(entity)
    if (!list) return { status: 400, body: faultBody('QueryValidationError', `Invalid entity: ${entity}`, '4001') }
    const max = Number(m[5] ?? 100)
    if (max > 1000) return { status: 400, body: faultBody('QueryValidationError', 'MAXRESULTS cannot exceed 1000', '4001') }
    const start = Math.max(1, Number(m[4] ?? 1))
    const conditions = (m[2] ?? '').split(/\s+and\s+/i).filter(Boolean)
    let includesInactive = false
    const tests: ((o: QboObject) => boolean)[] = []
    for (const cond of conditions) {
      if (/^active in \(\s*true\s*,\s*false\s*\)$/i.test(cond)) includesInactive = true
      else if (/^type = '(\w+)'$/i.test(cond)) {
        const type = /'(\w+)'/.exec(cond)![1]
        tests.push((o) => o.Type === type)
      } else {
        const since = /^metadata\.lastupdatedtime > '([^']+)'$/i.exec(cond)
        if (!since) return { status: 400, body: faultBody('QueryParserError', `Unsupported condition: ${cond}`, '4000') }
        const at = Date.parse(since[1]!)
        tests.push((o) => Date.parse(o.MetaData.LastUpdatedTime) > at)
      }
    }
    // Name lists answer active records only unless the query asks for both.
    const matching = list.filter((o) => (includesInactive || entity === 'TimeActivity' || o.Active !== false) && tests.every((t) => t(o)))
    let page: Record<string, unknown>[] = matching.slice(start - 1, start - 1 + max)
    if (fault?.kind === 'duplicate-ids' && page.length > 1) page = [...page, page[0]!]
    if (fault?.kind === 'missing-fields' && page.length > 0) page = [{ Id: page[0]!.Id, SyncToken: '0', Active: true }, ...page.slice(1)]
    if (page.length === 0) return ok({ QueryResponse: {} })
    return ok({ QueryResponse: { [entity]: page, startPosition: start, maxResults: page.length } })
  }

  private cdc(entities: string, changedSince: string): { status: number; body: unknown } {
    const since = Date.parse(changedSince)
    if (!Number.isFinite(since))
      return { status: 400, body: faultBody('Invalid changedSince', `changedSince is not a date: ${changedSince}`, '2010', 'changedSince') }
    if (Date.now() - since > 30 * DAY_MS)
      return { status: 400, body: faultBody('Invalid changedSince', 'changedSince cannot be more than 30 days ago', '2010', 'changedSince') }
    const responses = entities.split(',').map((name) => {
      const entity = name.trim() as QboEntity
      const changed: Record<string, unknown>[] = (this.company.objects.get(entity) ?? []).filter((o) => Date.parse(o.MetaData.LastUpdatedTime) > since)
      const deleted = this.company.deleted
        .filter((d) => d.entity === entity && Date.parse(d.at) > since)
        .map((d) => ({ domain: 'QBO', status: 'Deleted', Id: d.Id, MetaData: { LastUpdatedTime: d.at } }))
      const all = [...changed, ...deleted].slice(0, 1000)
      return all.length > 0 ? { [entity]: all, startPosition: 1, maxResults: all.length } : {}
    })
    return ok({ CDCResponse: [{ QueryResponse: responses }] })
  }

  private createTimeActivity(body: Record<string, unknown>): { status: number; body: unknown } {
    const refs: [string, QboEntity][] = [
      ['EmployeeRef', 'Employee'],
      ['CustomerRef', 'Customer'],
      ['ItemRef', 'Item'],
      ['ClassRef', 'Class'],
      ['DepartmentRef', 'Department'],
    ]
    if (body.NameOf !== 'Employee' || !body.EmployeeRef)
      return {
        status: 400,
        body: faultBody(
          'Required param missing, need to supply the required value for the API',
          'Required parameter EmployeeRef is missing in the request',
          '2020',
          'EmployeeRef',
        ),
      }
    for (const [field, entity] of refs) {
      const ref = body[field] as { value?: string } | undefined
      if (ref && !this.company.get(entity, String(ref.value)))
        return { status: 400, body: faultBody('Invalid Reference Id', `Invalid Reference Id : ${entity} assigned is invalid: ${ref.value}`, '2500', field) }
    }
    const minutes = Number(body.Minutes ?? 0)
    if (!Number.isInteger(body.Hours) || !Number.isInteger(minutes) || minutes < 0 || minutes > 59)
      return { status: 400, body: faultBody('Invalid Number', 'Hours must be a whole number and Minutes 0 to 59', '2040', 'Minutes') }
    const { Id: _ignored, ...fields } = body
    return ok({ TimeActivity: this.company.create('TimeActivity', fields, String(this.nextTimeActivity++)) })
  }

  private deleteTimeActivity(body: Record<string, unknown>): { status: number; body: unknown } {
    const obj = this.company.get('TimeActivity', String(body.Id))
    if (!obj) return notFound()
    if (String(body.SyncToken) !== obj.SyncToken)
      return {
        status: 400,
        body: faultBody(
          'Stale Object Error',
          `You and someone else are editing the same TimeActivity. SyncToken ${body.SyncToken} is not the current one`,
          '5010',
          'SyncToken',
        ),
      }
    this.company.remove('TimeActivity', obj.Id)
    return ok({ TimeActivity: { status: 'Deleted', domain: 'QBO', Id: obj.Id } })
  }
}

const ok = (body: Record<string, unknown>) => ({ status: 200, body: { ...body, time: qboTime() } })
const notFound = () => ({
  status: 400,
  body: faultBody('Object Not Found', "Object Not Found : Something you're trying to use has been made inactive or deleted.", '610'),
})

export function faultBody(message: string, detail: string, code: string, element = '') {
  return { Fault: { Error: [{ Message: message, Detail: detail, code, element }], type: 'ValidationFault' }, time: qboTime() }
}
