import { describe, expect, it } from 'vitest'
import { qbdHub } from '../helpers/qbd.js'
import { connectionStatus } from '../../src/connectors/quickbooks-desktop/setup.js'
import { orderProblem } from '../../src/connectors/quickbooks-desktop/qbxml-order.js'
import { parseXml } from '../../src/lib/xml.js'

const sentRequests = (calls: { method: string; result: unknown }[]) => calls.filter((c) => c.method === 'sendRequestXML' && c.result !== '').map((c) => String(c.result))

describe('QuickBooks Desktop: SYNC through the Web Connector', () => {
  it('queues a SYNC until the Web Connector calls, then stages every employee and fills in the connection status', async () => {
    const h = await qbdHub({ employees: 25 })
    const runId = await h.sync('employees')
    expect((await h.run(runId)).status).toBe('queued')
    const visit = await h.visit()
    expect(visit.outcome).toBe('done')
    expect(visit.calls.map((c) => c.method)).toEqual(['serverVersion', 'clientVersion', 'authenticate', 'sendRequestXML', 'receiveResponseXML', 'closeConnection'])
    expect(visit.calls.find((c) => c.method === 'receiveResponseXML')!.result).toBe(100)
    expect(await h.run(runId)).toMatchObject({ status: 'succeeded', new_count: 25, records: 25, pages: 1, mode: 'full' })
    const staged = await h.staged('employees')
    expect(staged).toHaveLength(25)
    const maria = staged.map((s) => JSON.parse(s.payload)).find((p) => p.first_name === 'Maria')
    expect(maria).toMatchObject({ last_name: 'Lopez', employee_number: '1001', email: 'maria.lopez@example.com', status: 'active', hire_date: '2023-04-03', department: 'Field Crew' })
    expect(await connectionStatus(h.t.db)).toMatchObject({
      hasPassword: true,
      companyName: 'Ridgeline Builders LLC',
      product: 'QuickBooks Enterprise Solutions: Contractor 23.0',
      version: '33.0',
      companyFile: expect.stringContaining('Ridgeline Builders.QBW'),
      qbxmlVersions: expect.stringContaining('13.0'),
    })
    for (const request of sentRequests(visit.calls)) {
      for (const rq of parseXml(request).children[0]!.children) expect(orderProblem(rq)).toBeNull()
    }
    expect(visit.closeMessage).toContain('1 sync(s) done, 25 record(s)')
  })
})
