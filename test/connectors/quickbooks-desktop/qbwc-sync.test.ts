import { describe, expect, it } from 'vitest'
import { connectorStore } from '../../../src/integrations/connector-store.js'
import { QBD_ID } from '../../../src/connectors/quickbooks-desktop/settings.js'
import { qbdHub } from '../../helpers/qbd.js'
import { connectionStatus } from '../../../src/connectors/quickbooks-desktop/setup.js'
import { orderProblem } from '../../../src/connectors/quickbooks-desktop/qbxml-order.js'
import { parseXml } from '../../../src/lib/xml.js'

const sentRequests = (calls: { method: string; result: unknown }[]) =>
  calls.filter((c) => c.method === 'sendRequestXML' && c.result !== '').map((c) => String(c.result))

describe('QuickBooks Desktop: SYNC through the Web Connector', () => {
  it('queues a SYNC until the Web Connector calls, then stages every employee and fills in the connection status', async () => {
    const h = await qbdHub({ employees: 25 })
    const runId = await h.sync('employees')
    expect((await h.run(runId)).status).toBe('queued')
    const visit = await h.visit()
    expect(visit.outcome).toBe('done')
    expect(visit.calls.map((c) => c.method)).toEqual([
      'serverVersion',
      'clientVersion',
      'authenticate',
      'sendRequestXML',
      'receiveResponseXML',
      'closeConnection',
    ])
    expect(visit.calls.find((c) => c.method === 'receiveResponseXML')!.result).toBe(100)
    expect(await h.run(runId)).toMatchObject({ status: 'succeeded', new_count: 25, records: 25, pages: 1, mode: 'full' })
    const staged = await h.staged('employees')
    expect(staged).toHaveLength(25)
    const maria = staged.map((s) => JSON.parse(s.payload)).find((p) => p.first_name === 'Maria')
    expect(maria).toMatchObject({
      last_name: 'Lopez',
      employee_number: '1001',
      email: 'maria.lopez@example.com',
      status: 'active',
      hire_date: '2023-04-03',
      department: 'Field Crew',
    })
    expect(await connectionStatus(connectorStore(h.t.db, QBD_ID))).toMatchObject({
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

describe('QuickBooks Desktop: paging, iterators, modules, incremental syncs', () => {
  it('pages employees by name, 500 at a time, without losing or repeating one', async () => {
    const h = await qbdHub({ employees: 1203 })
    const runId = await h.sync('employees')
    const visit = await h.visit()
    expect(visit.outcome).toBe('done')
    const requests = sentRequests(visit.calls)
    expect(requests).toHaveLength(3)
    expect(requests[0]).not.toContain('NameRangeFilter')
    expect(requests[1]).toMatch(/<NameRangeFilter><FromName>[^<]+<\/FromName><\/NameRangeFilter>/)
    const percents = visit.calls.filter((c) => c.method === 'receiveResponseXML').map((c) => c.result as number)
    expect(percents[percents.length - 1]).toBe(100)
    expect(percents.slice(0, -1).every((p) => p > 0 && p < 100)).toBe(true)
    expect(await h.run(runId)).toMatchObject({ status: 'succeeded', new_count: 1203, pages: 3 })
    expect(new Set((await h.staged('employees')).map((s) => s.external_id)).size).toBe(1203)
  })

  it('uses an iterator (Start, then Continue with its id) where qbXML has one', async () => {
    const h = await qbdHub({ customers: 700 })
    const runId = await h.sync('job_sites')
    const visit = await h.visit()
    const requests = sentRequests(visit.calls)
    expect(requests[0]).toContain('iterator="Start"')
    expect(requests[1]).toMatch(/iterator="Continue" iteratorID="\{[0-9a-f-]+\}"/)
    expect(requests.every((r) => r.includes('<ActiveStatus>All</ActiveStatus>') && r.includes('<MaxReturned>500</MaxReturned>'))).toBe(true)
    const total = h.qb.lists.Customer.length
    expect(await h.run(runId)).toMatchObject({ status: 'succeeded', new_count: total })
    const job = (await h.staged('job_sites')).map((s) => JSON.parse(s.payload)).find((p) => p.number.includes(':'))
    expect(job).toMatchObject({ number: expect.stringMatching(/^.+ Residence.*:.+$/), status: expect.stringMatching(/active|archived/) })
  })

  it('syncs every module in one visit, in the order they were queued', async () => {
    const h = await qbdHub()
    const runs = [
      await h.sync('payroll_items'),
      await h.sync('departments'),
      await h.sync('cost_codes'),
      await h.sync('companies'),
      await h.sync('job_sites'),
      await h.sync('employees'),
    ]
    const visit = await h.visit()
    expect(visit.outcome).toBe('done')
    const requestNames = sentRequests(visit.calls).map((r) => /<(\w+QueryRq)/.exec(r)![1])
    expect(requestNames).toEqual(['PayrollItemWageQueryRq', 'ClassQueryRq', 'ItemServiceQueryRq', 'VendorQueryRq', 'CustomerQueryRq', 'EmployeeQueryRq'])
    for (const id of runs) expect((await h.run(id)).status).toBe('succeeded')
    expect((await h.staged('payroll_items')).map((s) => JSON.parse(s.payload))).toContainEqual({ name: 'Hourly Rate', description: 'Hourly regular' })
    expect((await h.staged('departments')).map((s) => JSON.parse(s.payload).code)).toContain('Field Crew:Electrical')
    expect((await h.staged('cost_codes')).map((s) => JSON.parse(s.payload))).toContainEqual({
      code: 'Framing',
      name: 'Framing',
      description: 'Framing labor',
      job_site: null,
    })
    expect((await h.staged('companies')).map((s) => JSON.parse(s.payload).name)).toContain('Bright Electric Co')
  })

  it('a scheduled sync after a full one asks only for changes; an admin SYNC reads everything and finds removals', async () => {
    const h = await qbdHub({ employees: 10 })
    await h.sync('employees')
    await h.visit()
    const ken = h.qb.lists.Employee.find((e) => e.name === 'Ken Lopez')!
    h.qb.modify('Employee', ken.listId, { isActive: false })
    const scheduled = await h.sync('employees', 'schedule')
    const visit = await h.visit()
    expect(sentRequests(visit.calls)[0]).toMatch(/<FromModifiedDate>2024-01-15T\d\d:\d\d:\d\d\+00:00<\/FromModifiedDate>/)
    expect(await h.run(scheduled)).toMatchObject({ status: 'succeeded', mode: 'incremental', updated_count: 1, removed_count: 0 })
    // FromModifiedDate is inclusive: the newest record of the last sync comes again, unchanged.
    expect((await h.run(scheduled)).records).toBeLessThanOrEqual(2)
    expect(JSON.parse((await h.staged('employees')).find((s) => s.external_id === ken.listId)!.payload).status).toBe('disabled')

    h.qb.lists.Employee.splice(
      h.qb.lists.Employee.findIndex((e) => e.name === 'Ana Lopez'),
      1,
    )
    const manual = await h.sync('employees')
    await h.visit()
    expect(await h.run(manual)).toMatchObject({ status: 'succeeded', mode: 'full', unchanged_count: 9, removed_count: 1 })
  })
})

describe('QuickBooks Desktop: schedules', () => {
  it('a scheduled sync waits for the Web Connector, then auto-imports as its schedule says', async () => {
    const h = await qbdHub({ employees: 4 })
    // The employees' payroll class must exist as a department for them to import.
    const now = new Date().toISOString()
    await h.t.db.insertInto('departments').values({ code: 'Field Crew', name: 'Field Crew', created_at: now, updated_at: now }).execute()
    await h.t.db
      .insertInto('sync_schedules')
      .values({
        integration: 'quickbooks-desktop',
        module: 'employees',
        cron: '0 2 * * *',
        time_zone: 'UTC',
        auto_import_new: 1,
        auto_import_updated: 0,
        updated_at: new Date().toISOString(),
      })
      .execute()
    await h.t.deps.scheduler.start(h.t.deps)
    await h.t.deps.scheduler.tick('quickbooks-desktop', 'employees')
    const run = await h.t.db.selectFrom('sync_runs').selectAll().executeTakeFirstOrThrow()
    expect(run).toMatchObject({ status: 'queued', trigger: 'schedule' })
    expect(await h.t.db.selectFrom('employees').selectAll().execute()).toEqual([])
    await h.visit()
    h.t.deps.scheduler.stop()
    expect((await h.run(run.id)).status).toBe('succeeded')
    expect((await h.t.db.selectFrom('employees').select(['first_name', 'source_integration']).execute()).map((e) => e.source_integration)).toEqual([
      'quickbooks-desktop',
      'quickbooks-desktop',
      'quickbooks-desktop',
      'quickbooks-desktop',
    ])
    expect((await h.staged('employees')).every((s) => s.status === 'imported')).toBe(true)
  })
})
