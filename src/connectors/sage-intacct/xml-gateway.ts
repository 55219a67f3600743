import { randomUUID } from 'node:crypto'
import type { ConnectorContext } from '../kit/types.js'
import { pacedFetch } from '../kit/http-retry.js'
import type { RequestGate } from '../kit/request-gate.js'
import { child, childText, el, leaf, parseXml, writeXml, XmlError, type XmlElement, type XmlNode } from '../../lib/xml.js'

// Sage Intacct's XML gateway: one endpoint, a <request> with a control block (the Web Services
// sender) and an operation (a login or a session) holding functions; a <response> with a control
// status and one <result> per function. A session comes from getAPISession with the user's login,
// at the tenant endpoint it names; a session that expired mid-run is opened again once.

export type IntacctCredentials = { senderId: string; senderPassword: string; companyId: string; userId: string; userPassword: string }

export type IntacctErrorDetail = { errorno: string; description: string; description2: string; correction: string }

export class IntacctError extends Error {
  constructor(
    message: string,
    readonly errors: IntacctErrorDetail[] = [],
  ) {
    super(message)
  }
}

/**
 * Intacct refused a request because its control id was used before (uniqueid true): an earlier
 * try of the same write reached Intacct. What it did is read back, never assumed.
 */
export class IntacctRepeatedRequest extends IntacctError {}

/** A refusal that names a control id already used: Intacct's answer to a repeated write with uniqueid true. */
const isRepeatedControlId = (errors: IntacctErrorDetail[]) =>
  errors.some((e) => /control ?id/i.test(`${e.description} ${e.description2}`) && /already|duplicate|used/i.test(`${e.description} ${e.description2}`))

/** Intacct's error number for a session (or login) it does not accept. */
const SIGN_IN_FAILED = 'XL03000006'

function errorsOf(holder: XmlElement | undefined): IntacctErrorDetail[] {
  return (child(holder, 'errormessage')?.children ?? [])
    .filter((e) => e.name === 'error')
    .map((e) => ({
      errorno: childText(e, 'errorno') ?? '',
      description: childText(e, 'description') ?? '',
      description2: childText(e, 'description2') ?? '',
      correction: childText(e, 'correction') ?? '',
    }))
}

export function describeErrors(errors: IntacctErrorDetail[]): string {
  return (
    errors
      .map((e) => [e.errorno, [e.description, e.description2].filter(Boolean).join(' '), e.correction && `(${e.correction})`].filter(Boolean).join(' '))
      .join('; ') || 'no reason given'
  )
}

/** One function's answer: its status, data and errors. */
export type FunctionResult = { status: string; controlId: string; data: XmlElement | undefined; errors: IntacctErrorDetail[] }

export class IntacctGateway {
  /** Requests made, for the benchmark and tests. */
  requests = 0
  private session: { id: string; endpoint: string } | null = null

  constructor(
    private readonly ctx: Pick<ConnectorContext<unknown>, 'vendors' | 'signal' | 'log'>,
    private readonly credentials: IntacctCredentials,
    private readonly endpoint: string,
    /** The company's gate: at most its allowed concurrent requests, whoever sends them. */
    private readonly gate?: RequestGate,
  ) {}

  /** Opens a session with the user's login; the answer names the company's own endpoint. */
  async openSession(): Promise<{ id: string; endpoint: string }> {
    const login = el(
      'login',
      {},
      leaf('userid', this.credentials.userId),
      leaf('companyid', this.credentials.companyId),
      leaf('password', this.credentials.userPassword),
    )
    const [result] = await this.send(this.endpoint, el('authentication', {}, login), [el('function', { controlid: 'session' }, el('getAPISession'))], {
      uniqueId: false,
      what: 'sign-in (getAPISession)',
    })
    const api = child(result!.data, 'api')
    const id = childText(api, 'sessionid')
    if (result!.status !== 'success' || !id) throw new IntacctError(`Sage Intacct did not open a session: ${describeErrors(result!.errors)}`, result!.errors)
    this.session = { id, endpoint: childText(api, 'endpoint') || this.endpoint }
    return this.session
  }

  /** Runs functions in one request (each on its own: transaction false); a session Intacct no longer accepts is renewed once. */
  async run(functions: XmlNode[], opts: { controlId?: string; uniqueId?: boolean; what: string }): Promise<FunctionResult[]> {
    for (let attempt = 0; ; attempt++) {
      const session = this.session ?? (await this.openSession())
      try {
        return await this.send(session.endpoint, el('authentication', {}, leaf('sessionid', session.id)), functions, {
          uniqueId: opts.uniqueId ?? false,
          controlId: opts.controlId,
          what: opts.what,
        })
      } catch (err) {
        if (attempt === 0 && err instanceof IntacctError && err.errors.some((e) => e.errorno === SIGN_IN_FAILED)) {
          this.ctx.log.info({ event: 'intacct_session_renewed' }, 'Sage Intacct session expired; opening a new one')
          this.session = null
          continue
        }
        throw err
      }
    }
  }

  private async send(
    endpoint: string,
    authentication: XmlNode,
    functions: XmlNode[],
    opts: { uniqueId: boolean; controlId?: string; what: string },
  ): Promise<FunctionResult[]> {
    const body = requestXml(this.credentials, authentication, functions, opts.controlId ?? randomUUID(), opts.uniqueId)
    const response = await pacedFetch(
      endpoint,
      { method: 'POST', headers: { 'content-type': 'application/xml', accept: 'application/xml' }, body },
      {
        vendors: this.ctx.vendors,
        signal: this.ctx.signal,
        what: `Sage Intacct (${opts.what})`,
        gate: this.gate,
        onAttempt: (a) => {
          this.requests++
          if (a.retryInMs !== null)
            this.ctx.log.warn(
              { event: 'vendor_retry', vendor: 'sage-intacct', status: a.status, error: a.error, retryInMs: a.retryInMs },
              'retrying a Sage Intacct request',
            )
        },
      },
    )
    if (response.status !== 200) throw new IntacctError(`Sage Intacct answered HTTP ${response.status} to the ${opts.what}.`)
    let root: XmlElement
    try {
      root = parseXml(response.text)
    } catch (err) {
      throw new IntacctError(
        `Sage Intacct sent a response that is not valid XML for the ${opts.what} (${err instanceof XmlError ? err.message : String(err)}); nothing of it was used.`,
      )
    }
    if (root.name !== 'response') throw new IntacctError(`Sage Intacct sent <${root.name}> instead of a <response> for the ${opts.what}.`)
    const control = child(root, 'control')
    if (childText(control, 'status') !== 'success') {
      const errors = errorsOf(root)
      if (opts.uniqueId && isRepeatedControlId(errors))
        throw new IntacctRepeatedRequest(
          `Sage Intacct had already received this ${opts.what} (control id ${opts.controlId}): ${describeErrors(errors)}`,
          errors,
        )
      throw new IntacctError(
        `Sage Intacct refused the request for the ${opts.what}: ${describeErrors(errors)}. Check the Web Services sender id and password.`,
        errors,
      )
    }
    const operation = child(root, 'operation')
    if (childText(child(operation, 'authentication'), 'status') !== 'success') {
      const errors = errorsOf(operation)
      throw new IntacctError(
        `Sage Intacct did not accept the sign-in for the ${opts.what}: ${describeErrors(errors)}. Check the company id, user id and password.`,
        errors,
      )
    }
    const results = (operation?.children ?? []).filter((c) => c.name === 'result')
    if (results.length !== functions.length)
      throw new IntacctError(`Sage Intacct answered ${results.length} result(s) to ${functions.length} function(s) for the ${opts.what}.`)
    return results.map((r) => ({
      status: childText(r, 'status') ?? '',
      controlId: childText(r, 'controlid') ?? '',
      data: child(r, 'data'),
      errors: errorsOf(r),
    }))
  }
}

/** The request document, in the element order of Intacct's DTD 3.0. */
export function requestXml(creds: IntacctCredentials, authentication: XmlNode, functions: XmlNode[], controlId: string, uniqueId: boolean): string {
  const doc = el(
    'request',
    {},
    el(
      'control',
      {},
      leaf('senderid', creds.senderId),
      leaf('password', creds.senderPassword),
      leaf('controlid', controlId),
      leaf('uniqueid', String(uniqueId)),
      leaf('dtdversion', '3.0'),
      leaf('includewhitespace', 'false'),
    ),
    el('operation', { transaction: 'false' }, authentication, el('content', {}, ...functions)),
  )
  return `<?xml version="1.0" encoding="UTF-8"?>\n${writeXml(doc)}`
}
