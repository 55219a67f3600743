import { escapeXml, parseXml } from '../../../lib/xml.js'
import { QBD_OWNER_ID } from '../settings.js'
import { QBWC_METHODS, QBWC_NAMESPACE, type QbwcMethod } from '../soap.js'
import type { QuickBooksCompany, QbSession } from './company.js'

// Plays Intuit's QuickBooks Web Connector against a Clockbridge server: the call sequence of one
// scheduled update (Programmer's Guide ch. 2), including the connectionError and getLastError
// paths, with QuickBooks itself played by a QuickBooksCompany. Used by the tests, the demo and
// the bench; `fetch` may be a real one or Hono's app.request.

export const DEFAULT_COMPANY_FILE = 'C:\\Users\\Public\\Documents\\Intuit\\QuickBooks\\Company Files\\Ridgeline Builders.QBW'

export type Fetch = (url: string, init: RequestInit) => Promise<Response>

export type VisitFaults = {
  /** QuickBooks cannot parse the nth request of the visit (1-based): 0x80040400. */
  parseErrorOnRequest?: number
  /** The Web Connector stops after this many responses, without closeConnection (a PC that went to sleep). */
  dropAfterResponses?: number
  /**
   * QuickBooks carries out the nth request, then its answer is lost: the PC goes down, the
   * connection drops or Clockbridge is gone before the Web Connector reports back.
   */
  crashAfterProcessingRequest?: number
  /** QuickBooks raises this HRESULT for the nth request without running it (a busy company file, say). */
  hresultOnRequest?: { request: number; hresult: string; message: string }
  /** QuickBooks cannot be opened at all. */
  connectionError?: { hresult: string; message: string }
}

export type VisitOptions = { username: string; password: string; companyFile?: string; faults?: VisitFaults; clientVersion?: string }

export type VisitResult = {
  outcome: 'done' | 'none' | 'nvu' | 'busy' | 'error' | 'dropped'
  /** Every call made, in order, with what it returned. */
  calls: { method: QbwcMethod; result: string | number | string[] }[]
  lastError?: string
  closeMessage?: string
  requests: number
}

export class SoapCallError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
  }
}

export class WebConnectorSimulator {
  constructor(
    private readonly url: string,
    private readonly company: QuickBooksCompany,
    private readonly fetch: Fetch = globalThis.fetch,
  ) {}

  /** One scheduled update, from serverVersion to closeConnection (or to the drop). */
  async visit(opts: VisitOptions): Promise<VisitResult> {
    const result: VisitResult = { outcome: 'done', calls: [], requests: 0 }
    const call = async <T extends string | number | string[]>(method: QbwcMethod, params: Record<string, string | number>): Promise<T> => {
      const value = (await this.call(method, params)) as T
      result.calls.push({ method, result: value })
      return value
    }
    await call('serverVersion', {})
    await call('clientVersion', { strVersion: opts.clientVersion ?? '2.3.0.215' })
    const [ticket = '', answer = ''] = await call<string[]>('authenticate', { strUserName: opts.username, strPassword: opts.password })
    if (answer === 'nvu' || answer === 'none' || answer === 'busy') {
      result.outcome = answer
      result.closeMessage = await call<string>('closeConnection', { ticket })
      return result
    }
    const faults = opts.faults ?? {}
    if (faults.connectionError) {
      await call('connectionError', { ticket, ...faults.connectionError })
      result.outcome = 'error'
      result.closeMessage = await call<string>('closeConnection', { ticket })
      return result
    }
    const session: QbSession = { iterators: new Map() }
    let first = true
    let responses = 0
    while (true) {
      const request = await call<string>('sendRequestXML', {
        ticket,
        strHCPResponse: first ? this.company.hostResponse(QBD_OWNER_ID) : '',
        strCompanyFileName: opts.companyFile ?? DEFAULT_COMPANY_FILE,
        qbXMLCountry: 'US',
        qbXMLMajorVers: 13,
        qbXMLMinorVers: 0,
      })
      first = false
      if (request === '') return this.stop(call, ticket, result)
      result.requests++
      const processed =
        faults.parseErrorOnRequest === result.requests
          ? { hresult: '0x80040400', message: 'QuickBooks found an error when parsing the provided XML text stream.' }
          : faults.hresultOnRequest?.request === result.requests
            ? { hresult: faults.hresultOnRequest.hresult, message: faults.hresultOnRequest.message }
            : this.company.process(request, session)
      if (faults.crashAfterProcessingRequest === result.requests) {
        result.outcome = 'dropped'
        return result
      }
      const percent = await call<number>(
        'receiveResponseXML',
        'response' in processed ? { ticket, response: processed.response, hresult: '', message: '' } : { ticket, response: '', ...processed },
      )
      responses++
      if (percent < 0) return this.stop(call, ticket, result)
      if (faults.dropAfterResponses !== undefined && responses >= faults.dropAfterResponses) {
        result.outcome = 'dropped'
        return result
      }
      if (percent >= 100) {
        result.closeMessage = await call<string>('closeConnection', { ticket })
        return result
      }
    }
  }

  /** After "" or a negative percent the Web Connector asks why, shows it, and closes. */
  private async stop(
    call: <T extends string | number | string[]>(m: QbwcMethod, p: Record<string, string | number>) => Promise<T>,
    ticket: string,
    result: VisitResult,
  ): Promise<VisitResult> {
    result.lastError = await call<string>('getLastError', { ticket })
    result.outcome = 'error'
    result.closeMessage = await call<string>('closeConnection', { ticket })
    return result
  }

  /** One SOAP call as the Web Connector's .NET client makes it. */
  async call(method: QbwcMethod, params: Record<string, string | number>): Promise<string | number | string[]> {
    const body = `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema"><soap:Body><${method} xmlns="${QBWC_NAMESPACE}">${QBWC_METHODS[method].params.map((p) => `<${p}>${escapeXml(String(params[p] ?? ''))}</${p}>`).join('')}</${method}></soap:Body></soap:Envelope>`
    const res = await this.fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: `"${QBWC_NAMESPACE}${method}"` },
      body,
    })
    const text = await res.text()
    const envelope = parseXml(text)
    const bodyEl = envelope.children.find((c) => c.name === 'Body')
    const fault = bodyEl?.children.find((c) => c.name === 'Fault')
    if (fault || res.status !== 200) throw new SoapCallError(res.status, fault?.children.find((c) => c.name === 'faultstring')?.text ?? `HTTP ${res.status}`)
    const resultEl = bodyEl?.children[0]?.children.find((c) => c.name === `${method}Result`)
    const kind = QBWC_METHODS[method].result
    if (kind === 'ArrayOfString') return resultEl?.children.filter((c) => c.name === 'string').map((c) => c.text) ?? []
    if (kind === 'int') {
      const n = Number(resultEl?.text)
      if (!Number.isInteger(n)) throw new SoapCallError(res.status, `${method} returned "${resultEl?.text}", not a whole number`)
      return n
    }
    return resultEl?.text ?? ''
  }
}
