import { describe, expect, it } from 'vitest'
import { connectorStore } from '../../../src/integrations/connector-store.js'
import { QBD_ID } from '../../../src/connectors/quickbooks-desktop/settings.js'
import { qbdHub, QBWC_PASSWORD } from '../../helpers/qbd.js'
import { createTestApp } from '../../helpers/test-app.js'
import { connectionStatus } from '../../../src/connectors/quickbooks-desktop/setup.js'
import { saveSettings } from '../../../src/integrations/integration-service.js'
import { quickbooksDesktopConnector } from '../../../src/connectors/quickbooks-desktop/connector.js'
import { QBWC_BODY_LIMIT_BYTES } from '../../../src/connectors/quickbooks-desktop/soap-routes.js'
import { actor } from '../../helpers/hub.js'
import { WebConnectorSimulator } from '../../../src/connectors/quickbooks-desktop/simulator/web-connector.js'

const soap = (method: string, inner: string, ns = 'http://developer.intuit.com/') =>
  `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><${method} xmlns="${ns}">${inner}</${method}></soap:Body></soap:Envelope>`
const post = (app: { request: (u: string, i: RequestInit) => Response | Promise<Response> }, body: string) =>
  Promise.resolve(app.request('http://localhost/qbwc', { method: 'POST', headers: { 'content-type': 'text/xml; charset=utf-8' }, body }))

describe('the SOAP service', () => {
  it('describes itself at ?wsdl with every method, Intuit namespace and SOAP actions', async () => {
    const t = await createTestApp()
    const res = await t.app.request('/qbwc?wsdl')
    expect(res.headers.get('content-type')).toContain('text/xml')
    const wsdl = await res.text()
    for (const m of [
      'serverVersion',
      'clientVersion',
      'authenticate',
      'sendRequestXML',
      'receiveResponseXML',
      'connectionError',
      'getLastError',
      'closeConnection',
    ]) {
      expect(wsdl).toContain(`soapAction="http://developer.intuit.com/${m}"`)
      expect(wsdl).toContain(`<s:element name="${m}Response">`)
    }
    expect(wsdl).toContain('targetNamespace="http://developer.intuit.com/"')
    expect(wsdl).toContain('<soap:address location="http://localhost/qbwc"/>')
    expect(wsdl).toContain('name="receiveResponseXMLResult" type="s:int"')
    expect(wsdl).toContain('name="authenticateResult" type="tns:ArrayOfString"')
  })

  it('answers serverVersion and clientVersion', async () => {
    const h = await qbdHub()
    expect(await h.webConnector.call('serverVersion', {})).toMatch(/^Clockbridge /)
    expect(await h.webConnector.call('clientVersion', { strVersion: '2.3.0.215' })).toBe('')
  })

  it('refuses malformed SOAP, unknown methods, the wrong namespace and oversized bodies with SOAP faults', async () => {
    const t = await createTestApp()
    const cases: [string, number, RegExp][] = [
      ['<soap:Envelope><soap:Body><authenticate>', 500, /not well-formed XML/],
      ['<hello/>', 500, /not a SOAP envelope/],
      [soap('dropTables', ''), 500, /Unknown method dropTables/],
      [soap('authenticate', '<strUserName>a</strUserName>', 'http://example.com/'), 500, /namespace http:\/\/developer.intuit.com\//],
    ]
    for (const [body, status, message] of cases) {
      const res = await post(t.app, body)
      expect(res.status).toBe(status)
      const text = await res.text()
      expect(text).toContain('<faultcode>soap:Client</faultcode>')
      expect(text).toMatch(message)
    }
    const big = await post(t.app, soap('authenticate', `<strUserName>${'x'.repeat(QBWC_BODY_LIMIT_BYTES)}</strUserName>`))
    expect(big.status).toBe(413)
    expect(await big.text()).toContain('larger than 32 MB')
    expect(Object.keys(await connectorStore(t.db, QBD_ID).all()).filter((k) => k.startsWith('session.'))).toEqual([])
  })
})

describe('authenticate', () => {
  it('answers nvu for a wrong password or user name, none when nothing is queued, and the company file to open when work waits', async () => {
    const h = await qbdHub()
    expect(await h.webConnector.call('authenticate', { strUserName: 'clockbridge', strPassword: 'wrong password' })).toEqual(['', 'nvu'])
    expect(await h.webConnector.call('authenticate', { strUserName: 'someone', strPassword: QBWC_PASSWORD })).toEqual(['', 'nvu'])
    expect((await connectionStatus(connectorStore(h.t.db, QBD_ID))).lastError).toContain('wrong user name or password')
    const none = (await h.webConnector.call('authenticate', { strUserName: 'clockbridge', strPassword: QBWC_PASSWORD })) as string[]
    expect(none[0]).toMatch(/^[0-9a-f-]{36}$/)
    expect(none[1]).toBe('none')
    await h.sync('employees')
    expect(((await h.webConnector.call('authenticate', { strUserName: 'clockbridge', strPassword: QBWC_PASSWORD })) as string[])[1]).toBe('')
    await saveSettings(h.t.deps, actor, quickbooksDesktopConnector, { username: 'clockbridge', runEveryMinutes: 15, companyFile: 'C:\\Books\\Acme.QBW' })
    expect(((await h.webConnector.call('authenticate', { strUserName: 'clockbridge', strPassword: QBWC_PASSWORD })) as string[])[1]).toBe('C:\\Books\\Acme.QBW')
    // Tickets are stored hashed.
    const stored = JSON.stringify(await connectorStore(h.t.db, QBD_ID).all())
    expect(stored).toContain('session.')
    expect(stored).not.toContain(none[0])
  })

  it('lets the same Web Connector take over its dropped session at once, and says busy to another one', async () => {
    const h = await qbdHub({ employees: 1200 }, await createTestApp({ TRUST_PROXY: 'true' }))
    const from = (address: string) =>
      new WebConnectorSimulator('http://localhost/qbwc', h.qb, (url, init) =>
        Promise.resolve(h.t.app.request(url, { ...init, headers: { ...(init.headers as Record<string, string>), 'x-forwarded-for': address } })),
      )
    const office = from('192.0.2.10')
    const runId = await h.sync('employees')
    expect((await office.visit({ username: 'clockbridge', password: QBWC_PASSWORD, faults: { dropAfterResponses: 1 } })).outcome).toBe('dropped')
    // A second PC with a live Web Connector of the same company waits its turn.
    expect(await from('192.0.2.77').call('authenticate', { strUserName: 'clockbridge', strPassword: QBWC_PASSWORD })).toEqual(['', 'busy'])
    // The same Web Connector, a moment later: no two minutes of "busy", it carries on from page 2.
    const again = await office.visit({ username: 'clockbridge', password: QBWC_PASSWORD })
    expect(again.outcome).toBe('done')
    expect(await h.run(runId)).toMatchObject({ status: 'succeeded', pages: 3, new_count: 1200 })
    expect(await h.staged('employees')).toHaveLength(1200)
    expect(h.t.logs.join('')).toContain('"event":"qbwc_session_taken_over"')
  })

  it('a second Web Connector gets in once the first has been silent past its lease, and the first is told its session ended', async () => {
    const h = await qbdHub({ employees: 1200 }, await createTestApp({ TRUST_PROXY: 'true' }))
    const call = (address: string, method: string, params: Record<string, string>) =>
      new WebConnectorSimulator('http://localhost/qbwc', h.qb, (url, init) =>
        Promise.resolve(h.t.app.request(url, { ...init, headers: { ...(init.headers as Record<string, string>), 'x-forwarded-for': address } })),
      ).call(method as never, params)
    await h.sync('employees')
    const [first] = (await call('192.0.2.10', 'authenticate', { strUserName: 'clockbridge', strPassword: QBWC_PASSWORD })) as string[]
    expect(await call('192.0.2.77', 'authenticate', { strUserName: 'clockbridge', strPassword: QBWC_PASSWORD })).toEqual(['', 'busy'])
    await h.t.db.updateTable('connector_state').set({ expires_at: '2000-01-01T00:00:00.000Z' }).where('key', '=', 'session.active').execute()
    const [second, file] = (await call('192.0.2.77', 'authenticate', { strUserName: 'clockbridge', strPassword: QBWC_PASSWORD })) as string[]
    expect(second).toMatch(/^[0-9a-f-]{36}$/)
    expect(file).toBe('')
    const stale = { ticket: first!, strHCPResponse: '', strCompanyFileName: 'C:\\Acme.QBW', qbXMLCountry: 'US', qbXMLMajorVers: '16', qbXMLMinorVers: '0' }
    expect(await call('192.0.2.10', 'sendRequestXML', stale)).toBe('')
    expect(await call('192.0.2.10', 'getLastError', { ticket: first! })).toContain('Another Web Connector took over')
  })
})

describe('faults', () => {
  it('a request QuickBooks cannot run (an HRESULT) is asked again on the next visit, and the run completes with no admin action', async () => {
    const h = await qbdHub({ employees: 1200 })
    const runId = await h.sync('employees')
    const visit = await h.visit({ faults: { parseErrorOnRequest: 2 } })
    expect(visit.outcome).toBe('error')
    const percents = visit.calls.filter((c) => c.method === 'receiveResponseXML').map((c) => c.result as number)
    expect(percents[0]).toBeGreaterThan(0)
    expect(percents.slice(1)).toEqual([-1])
    expect(visit.lastError).toMatch(
      /QuickBooks could not process the request for employees \(0x80040400: QuickBooks found an error when parsing.*asks again on the Web Connector's next visit \(try 1 of 3\)/,
    )
    expect(await h.run(runId)).toMatchObject({ status: 'running', pages: 1, new_count: 500 })
    expect(await h.staged('employees')).toHaveLength(500)
    expect(visit.closeMessage).toContain('stopped')
    // The Setup tab keeps the reason through a visit with nothing new to say.
    expect((await connectionStatus(connectorStore(h.t.db, QBD_ID))).lastError).toBe(visit.lastError)
    expect((await h.visit()).outcome).toBe('done')
    expect(await h.run(runId)).toMatchObject({ status: 'succeeded', pages: 3, new_count: 1200 })
    expect(await h.staged('employees')).toHaveLength(1200)
    expect((await connectionStatus(connectorStore(h.t.db, QBD_ID))).lastError).toBeFalsy()
  })

  it("a request that fails three visits in a row fails the run with QuickBooks' reason and what to do", async () => {
    const h = await qbdHub({ employees: 1200 })
    const runId = await h.sync('employees')
    // Page 2 fails on the first visit, then again as the first request of the next two.
    const busy = (request: number) => ({ request, hresult: '0x80040408', message: 'Could not start QuickBooks.' })
    expect((await h.visit({ faults: { hresultOnRequest: busy(2) } })).lastError).toContain('try 1 of 3')
    expect((await h.visit({ faults: { hresultOnRequest: busy(1) } })).lastError).toContain('try 2 of 3')
    const last = await h.visit({ faults: { hresultOnRequest: busy(1) } })
    expect(last.lastError).toMatch(/0x80040408: Could not start QuickBooks.*failed 3 times; check that the company file opens/)
    expect(await h.run(runId)).toMatchObject({ status: 'failed', error: last.lastError })
  })

  it('a response that is not qbXML, or answers another request, fails the run and stages nothing', async () => {
    for (const response of [
      '<QBXML><QBXMLMsgsRs><EmployeeQueryRs',
      '<?xml version="1.0"?><QBXML><QBXMLMsgsRs><EmployeeQueryRs requestID="999" statusCode="0" statusSeverity="Info" statusMessage="Status OK"><EmployeeRet><ListID>1</ListID><Name>X Y</Name></EmployeeRet></EmployeeQueryRs></QBXMLMsgsRs></QBXML>',
    ]) {
      const h = await qbdHub()
      const runId = await h.sync('employees')
      const [ticket] = (await h.webConnector.call('authenticate', { strUserName: 'clockbridge', strPassword: QBWC_PASSWORD })) as string[]
      await h.webConnector.call('sendRequestXML', {
        ticket: ticket!,
        strHCPResponse: h.qb.hostResponse('x'),
        strCompanyFileName: 'C:\\a.QBW',
        qbXMLCountry: 'US',
        qbXMLMajorVers: 13,
        qbXMLMinorVers: 0,
      })
      expect(await h.webConnector.call('receiveResponseXML', { ticket: ticket!, response, hresult: '', message: '' })).toBe(-1)
      expect(await h.webConnector.call('getLastError', { ticket: ticket! })).toMatch(/not XML|answered request 999/)
      expect((await h.run(runId)).status).toBe('failed')
      expect(await h.staged('employees')).toEqual([])
    }
  })

  it('a response for a request never sent, or an unknown ticket, changes nothing', async () => {
    const h = await qbdHub()
    const runId = await h.sync('employees')
    const [ticket] = (await h.webConnector.call('authenticate', { strUserName: 'clockbridge', strPassword: QBWC_PASSWORD })) as string[]
    expect(await h.webConnector.call('receiveResponseXML', { ticket: ticket!, response: '<QBXML/>', hresult: '', message: '' })).toBe(-1)
    expect(await h.webConnector.call('getLastError', { ticket: ticket! })).toContain('no request was waiting')
    expect(
      await h.webConnector.call('sendRequestXML', {
        ticket: 'not-a-ticket',
        strHCPResponse: '',
        strCompanyFileName: '',
        qbXMLCountry: 'US',
        qbXMLMajorVers: 13,
        qbXMLMinorVers: 0,
      }),
    ).toBe('')
    expect(await h.webConnector.call('receiveResponseXML', { ticket: 'not-a-ticket', response: '', hresult: '', message: '' })).toBe(-1)
    expect(await h.webConnector.call('getLastError', { ticket: 'not-a-ticket' })).toContain('unknown or has ended')
    expect((await h.run(runId)).status).toBe('queued')
    await h.webConnector.call('closeConnection', { ticket: ticket! })
    expect(
      await h.webConnector.call('sendRequestXML', {
        ticket: ticket!,
        strHCPResponse: '',
        strCompanyFileName: '',
        qbXMLCountry: 'US',
        qbXMLMajorVers: 13,
        qbXMLMinorVers: 0,
      }),
    ).toBe('')
    expect(await h.staged('employees')).toEqual([])
  })

  it('QuickBooks busy (3180) pauses the run; the next visit carries on from the last staged page', async () => {
    const h = await qbdHub({ employees: 1200 })
    const runId = await h.sync('employees')
    h.qb.faults.statusOnRequest = { after: 1, code: 3180, message: 'There was an error when saving a Employee list, element "x".' }
    const first = await h.visit()
    expect(first.lastError).toContain('QuickBooks was busy (3180')
    expect(await h.run(runId)).toMatchObject({ status: 'running', pages: 1 })
    const second = await h.visit()
    expect(second.outcome).toBe('done')
    expect(sentRequests(second.calls)[0]).toContain('<FromName>')
    expect(await h.run(runId)).toMatchObject({ status: 'succeeded', new_count: 1200, pages: 3 })
  })

  it('a session dropped half-way resumes from the last staged page on the next visit', async () => {
    const h = await qbdHub({ customers: 900 })
    const runId = await h.sync('job_sites')
    const first = await h.visit({ faults: { dropAfterResponses: 1 } })
    expect(first.outcome).toBe('dropped')
    expect(await h.run(runId)).toMatchObject({ status: 'running', pages: 1, new_count: 500 })
    // The Web Connector's next run comes after the old session went quiet: its lease has lapsed.
    await h.t.db.updateTable('connector_state').set({ expires_at: '2000-01-01T00:00:00.000Z' }).where('key', '=', 'session.active').execute()
    const second = await h.visit()
    expect(second.outcome).toBe('done')
    const request = sentRequests(second.calls)[0]!
    expect(request).toContain('iterator="Start"')
    expect(request).not.toContain('iteratorID')
    expect(request).toContain('<NameRangeFilter><FromName>')
    const total = h.qb.lists.Customer.length
    expect(await h.run(runId)).toMatchObject({ status: 'succeeded', new_count: total, removed_count: 0 })
  })

  it('an iterator QuickBooks no longer knows (3391) is started again where the last page ended', async () => {
    const h = await qbdHub({ customers: 900 })
    const runId = await h.sync('job_sites')
    h.qb.faults.forgetIteratorsOnce = true
    const visit = await h.visit()
    expect(visit.outcome).toBe('done')
    const requests = sentRequests(visit.calls)
    const kinds = requests.map((r) => /iterator="(\w+)"/.exec(r)![1])
    expect(kinds.slice(0, 3)).toEqual(['Start', 'Continue', 'Start'])
    expect(kinds.slice(3).every((k) => k === 'Continue')).toBe(true)
    expect(requests[2]).toContain('<NameRangeFilter><FromName>')
    expect(await h.run(runId)).toMatchObject({ status: 'succeeded', new_count: h.qb.lists.Customer.length })
  })

  it('refuses another company file than the one set, and says which to open', async () => {
    const h = await qbdHub()
    await saveSettings(h.t.deps, actor, quickbooksDesktopConnector, { username: 'clockbridge', runEveryMinutes: 15, companyFile: 'C:\\Books\\Acme.QBW' })
    const runId = await h.sync('employees')
    const visit = await h.visit({ companyFile: 'C:\\Books\\Other.QBW' })
    expect(visit.outcome).toBe('error')
    expect(visit.lastError).toBe(
      'QuickBooks has the company file C:\\Books\\Other.QBW open, but Clockbridge syncs C:\\Books\\Acme.QBW. Open C:\\Books\\Acme.QBW in QuickBooks, or change the company file on the Setup tab.',
    )
    expect((await h.run(runId)).status).toBe('queued')
    expect(await h.staged('employees')).toEqual([])
    expect((await h.visit({ companyFile: 'c:\\books\\acme.qbw' })).outcome).toBe('done')
  })

  it('connectionError is answered with done and shown as the last error; the work waits', async () => {
    const h = await qbdHub()
    const runId = await h.sync('employees')
    const visit = await h.visit({ faults: { connectionError: { hresult: '0x80040408', message: 'Could not start QuickBooks.' } } })
    expect(visit.calls.find((c) => c.method === 'connectionError')!.result).toBe('done')
    expect((await connectionStatus(connectorStore(h.t.db, QBD_ID))).lastError).toContain(
      'could not open QuickBooks or the company file (0x80040408: Could not start QuickBooks.)',
    )
    expect((await h.run(runId)).status).toBe('queued')
  })

  it('a QuickBooks error status fails the run with its text', async () => {
    const h = await qbdHub()
    const runId = await h.sync('employees')
    h.qb.faults.statusOnRequest = { after: 0, code: 3250, message: 'This feature is not enabled or not available in this version of QuickBooks.' }
    const visit = await h.visit()
    expect(visit.lastError).toBe('QuickBooks 3250 while reading employees: This feature is not enabled or not available in this version of QuickBooks.')
    expect(await h.run(runId)).toMatchObject({ status: 'failed', error: visit.lastError })
  })
})

const sentRequests = (calls: { method: string; result: unknown }[]) =>
  calls.filter((c) => c.method === 'sendRequestXML' && c.result !== '').map((c) => String(c.result))
