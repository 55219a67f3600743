import { describe, expect, it } from 'vitest'
import {
  duration,
  externalGuid,
  lineOutcome,
  messageSet,
  parsePublishResponse,
  parseRecoveryResponse,
  parseTimeTrackingLookup,
  recoveryCheck,
  timeTrackingAdd,
  timeTrackingDelete,
  timeTrackingLookup,
  type TimeLine,
} from '../../../src/connectors/quickbooks-desktop/qbxml.js'
import { orderProblem } from '../../../src/connectors/quickbooks-desktop/qbxml-order.js'
import { QuickBooksCompany } from '../../../src/connectors/quickbooks-desktop/simulator/company.js'
import { parseXml, writeXml } from '../../../src/lib/xml.js'

const company = () => new QuickBooksCompany({ employees: 3 })
const session = () => ({ iterators: new Map() })

function lineFor(qb: QuickBooksCompany, key = 'period-2024-06-03/emp-1/2024-06-03/REG/job-7/cc-3'): TimeLine {
  const customer = qb.lists.Customer.find((c) => c.fullName.includes(':')) ?? qb.lists.Customer[0]!
  return {
    key,
    date: '2024-06-03',
    employee: { listId: qb.lists.Employee[0]!.listId },
    customer: { fullName: customer.fullName },
    item: { fullName: 'Framing' },
    class: { fullName: 'Field Crew' },
    wageItem: { fullName: 'Hourly Rate' },
    minutes: 510,
    notes: 'Clockbridge 2024-06-03',
  }
}

describe('publishing time to QuickBooks Desktop', () => {
  it('writes TimeTrackingAdd in the schema order QuickBooks enforces', () => {
    const rq = timeTrackingAdd(lineFor(company()), 'line-1')
    expect(orderProblem(parseXml(writeXml(rq)))).toBeNull()
    expect(writeXml(rq)).toMatch(
      /<TxnDate>2024-06-03<\/TxnDate><EntityRef><ListID>[^<]+<\/ListID><\/EntityRef><CustomerRef><FullName>.+<\/FullName><\/CustomerRef><ItemServiceRef><FullName>Framing<\/FullName><\/ItemServiceRef><Duration>PT8H30M<\/Duration><ClassRef>.+<PayrollItemWageRef><FullName>Hourly Rate<\/FullName><\/PayrollItemWageRef><Notes>.+<\/Notes><BillableStatus>NotBillable<\/BillableStatus><ExternalGUID>\{[0-9A-F-]{36}\}<\/ExternalGUID>/,
    )
    expect(orderProblem(parseXml(writeXml(timeTrackingDelete('1A2F-1717430400', 'del-1'))))).toBeNull()
  })

  it('the checker catches what QuickBooks would refuse', () => {
    const wrong = parseXml(
      '<TimeTrackingAddRq><TimeTrackingAdd><Duration>PT1H</Duration><EntityRef><FullName>A</FullName></EntityRef></TimeTrackingAdd></TimeTrackingAddRq>',
    )
    expect(orderProblem(wrong)).toBe('TimeTrackingAddRq/TimeTrackingAdd: EntityRef is out of order (it must come before Duration)')
    expect(
      orderProblem(
        parseXml(
          '<TimeTrackingAddRq><TimeTrackingAdd><EntityRef><FullName>A</FullName></EntityRef><Rate>10</Rate><Duration>PT1H</Duration></TimeTrackingAdd></TimeTrackingAddRq>',
        ),
      ),
    ).toContain('Rate is not supported by QuickBooks Desktop')
    expect(
      orderProblem(parseXml('<TimeTrackingAddRq><TimeTrackingAdd><EntityRef><FullName>A</FullName></EntityRef></TimeTrackingAdd></TimeTrackingAddRq>')),
    ).toContain('Duration is required')
    expect(orderProblem(parseXml('<EmployeeQueryRq><ActiveStatus>Everyone</ActiveStatus></EmployeeQueryRq>'))).toContain(
      '"Everyone" is not one of ActiveOnly, InactiveOnly, All',
    )
  })

  it('gives the same line the same ExternalGUID every time; QuickBooks adds a repeat again, and a lookup finds both', () => {
    const qb = company()
    const line = lineFor(qb)
    expect(externalGuid(line.key)).toBe(externalGuid(line.key))
    expect(externalGuid(line.key)).not.toBe(externalGuid(`${line.key}x`))
    const first = qb.process(messageSet([timeTrackingAdd(line, 'a')], 'continueOnError'), session())
    const again = qb.process(messageSet([timeTrackingAdd(line, 'b')], 'continueOnError'), session())
    const a = parsePublishResponse((first as { response: string }).response).get('a')!
    const b = parsePublishResponse((again as { response: string }).response).get('b')!
    expect(a).toMatchObject({ status: 'sent', txnId: expect.any(String) })
    expect(b).toMatchObject({ status: 'sent', txnId: expect.any(String) })
    expect(b).not.toEqual(a)
    expect(qb.timeTracking).toHaveLength(2)
    expect(qb.timeTracking[0]).toMatchObject({ duration: 'PT8H30M', wageItem: 'Hourly Rate', item: 'Framing' })
    const employee = qb.lists.Employee[0]!
    const lookup = qb.process(
      messageSet(timeTrackingLookup('find', { from: line.date, to: line.date, employees: [{ listId: employee.listId }], txnIds: [] }), 'continueOnError'),
      session(),
    )
    expect(parseTimeTrackingLookup((lookup as { response: string }).response).filter((t) => t.externalGuid === externalGuid(line.key))).toHaveLength(2)
    const none = qb.process(
      messageSet(
        timeTrackingLookup('find', { from: '2020-01-01', to: '2020-01-02', employees: [{ listId: employee.listId }], txnIds: ['NOPE-1'] }),
        'continueOnError',
      ),
      session(),
    )
    expect(parseTimeTrackingLookup((none as { response: string }).response)).toEqual([])
  })

  it('keeps the answer of the last message set with a newMessageSetID and gives it back for its oldMessageSetID', () => {
    const qb = company()
    const line = lineFor(qb)
    const sent = qb.process(messageSet([timeTrackingAdd(line, 'line-7')], 'continueOnError', { newMessageSetID: 'cb-set-1' }), session())
    const kept = qb.process(recoveryCheck('cb-set-1'), session())
    expect((kept as { response: string }).response).toBe((sent as { response: string }).response)
    expect(parseRecoveryResponse((kept as { response: string }).response).get('line-7')).toMatchObject({ status: 'sent' })
    expect(qb.timeTracking).toHaveLength(1)
    const unknown = qb.process(recoveryCheck('cb-set-0'), session())
    expect((unknown as { response: string }).response).toContain('messageSetStatusCode="600"')
    expect(parseRecoveryResponse((unknown as { response: string }).response).size).toBe(0)
    expect(qb.process(messageSet([], 'continueOnError', { oldMessageSetID: 'x'.repeat(24) }), session())).toMatchObject({ hresult: '0x80040400' })
  })

  it('turns status codes into line results the admin can act on', () => {
    const qb = company()
    const bad = { ...lineFor(qb), wageItem: { fullName: 'No Such Wage' } }
    const res = qb.process(messageSet([timeTrackingAdd(bad, 'x')], 'continueOnError'), session())
    expect(parsePublishResponse((res as { response: string }).response).get('x')).toEqual({
      status: 'failed',
      code: 3120,
      message:
        'QuickBooks 3120: Object "No Such Wage" specified in the request cannot be found. An employee, customer:job, service item, class or wage item of this line does not exist in QuickBooks: SYNC and link it, then publish again.',
      retry: false,
    })
    const locked = parseXml(
      '<TimeTrackingAddRs requestID="y" statusCode="3180" statusSeverity="Error" statusMessage="There was an error when saving a time tracking."/>',
    )
    expect(lineOutcome(locked)).toMatchObject({ status: 'failed', code: 3180, retry: true })
    expect(
      lineOutcome(parseXml('<TimeTrackingAddRs requestID="z" statusCode="3250" statusSeverity="Error" statusMessage="This feature is not enabled."/>')).status,
    ).toBe('failed')
  })

  it('deletes a line that was corrected', () => {
    const qb = company()
    const sent = parsePublishResponse((qb.process(messageSet([timeTrackingAdd(lineFor(qb), 'a')]), session()) as { response: string }).response).get('a')!
    if (sent.status !== 'sent') throw new Error('not sent')
    const del = parsePublishResponse((qb.process(messageSet([timeTrackingDelete(sent.txnId, 'd')]), session()) as { response: string }).response).get('d')
    expect(del).toEqual({ status: 'sent', txnId: sent.txnId })
    expect(qb.timeTracking).toEqual([])
  })

  it('writes durations QuickBooks reads', () => {
    expect(duration(480)).toBe('PT8H0M')
    expect(duration(45)).toBe('PT0H45M')
    expect(() => duration(0)).toThrow(/positive/)
    expect(() => duration(1.5)).toThrow(/whole/)
  })
})
