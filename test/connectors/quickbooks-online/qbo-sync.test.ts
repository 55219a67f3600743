import { describe, expect, it } from 'vitest'
import { qboHub } from '../../helpers/qbo.js'
import { QBO_ID, quickbooksOnlineConnector } from '../../../src/connectors/quickbooks-online/connector.js'
import { connectorContext } from '../../../src/integrations/connector-context.js'
import { saveSettings } from '../../../src/integrations/integration-service.js'
import { actor } from '../../helpers/hub.js'
import { keepConnectionsAlive } from '../../../src/integrations/connections.js'
import { get } from '../../helpers/requests.js'

describe('syncing from QuickBooks Online', () => {
  it('pages through query results 1000 at a time with minorversion 75, inactive records included, and maps each entity', async () => {
    const h = await qboHub({ employees: 2345 })
    await h.connect()
    const run = await h.sync('employees')
    expect(run).toMatchObject({ status: 'succeeded', mode: 'full', pages: 3, records: 2345, new_count: 2345 })
    const queries = h.sim.log.filter((l) => l.path === '/query')
    expect(queries.map((q) => decodeURIComponent(q.query.replace(/\+/g, ' ')))).toEqual([
      expect.stringContaining('SELECT * FROM Employee WHERE Active IN (true, false) ORDERBY Id STARTPOSITION 1 MAXRESULTS 1000'),
      expect.stringContaining('STARTPOSITION 1001 MAXRESULTS 1000'),
      expect.stringContaining('STARTPOSITION 2001 MAXRESULTS 1000'),
    ])
    expect(queries.every((q) => q.query.includes('minorversion=75'))).toBe(true)
    const staged = await h.staged('employees')
    const first = JSON.parse(staged[0]!.payload)
    expect(first).toMatchObject({
      employee_number: '2001',
      first_name: 'Emily',
      last_name: 'Platt',
      email: 'emily.platt@example.com',
      status: 'active',
      hire_date: '2023-04-03',
    })
    expect(staged.filter((s) => JSON.parse(s.payload).status === 'disabled').length).toBeGreaterThan(100)

    const jobs = await h.sync('job_sites')
    expect(jobs.status).toBe('succeeded')
    const sites = (await h.staged('job_sites')).map((s) => JSON.parse(s.payload).number)
    expect(sites).toContain('Platt Residence:Kitchen Remodel')
    expect((await h.sync('cost_codes')).records).toBe(8) // services only, not the inventory item
    expect((await h.sync('departments')).records).toBe(3)
    await saveSettings(h.t.deps, actor, quickbooksOnlineConnector, {
      clientId: 'ABsimulatorClientId0001',
      environment: 'sandbox',
      departmentsFrom: 'Department',
      clientSecret: '',
    })
    expect((await h.sync('departments')).new_count).toBe(2)
  })

  it('a scheduled sync after a full one reads Change Data Capture: changes staged, deletions flagged removed at source', async () => {
    const h = await qboHub({ employees: 30 })
    await h.connect()
    const full = await h.sync('employees', 'schedule')
    expect(full.mode).toBe('full') // no watermark yet
    const [a, b] = h.sim.company.objects.get('Employee')!
    h.sim.company.update('Employee', a!.Id, { GivenName: 'Emilia' })
    h.sim.company.remove('Employee', b!.Id)
    h.sim.company.create('Employee', { GivenName: 'New', FamilyName: 'Hire', DisplayName: 'New Hire', Active: true })
    const before = h.sim.log.length
    const inc = await h.sync('employees', 'schedule')
    expect(inc).toMatchObject({ status: 'succeeded', mode: 'incremental', records: 2, new_count: 1, updated_count: 1, removed_count: 1 })
    expect(h.sim.log.slice(before).map((l) => l.path)).toEqual(['/cdc'])
    const staged = await h.staged('employees')
    expect(staged.find((s) => s.external_id === b!.Id)!.removed).toBe(1)
    expect(staged.filter((s) => s.removed).length).toBe(1)
    // An admin's SYNC is always full.
    expect((await h.sync('employees')).mode).toBe('full')
  })

  it('reads everything when the watermark is older than the 30-day window', async () => {
    const h = await qboHub({ employees: 5 })
    await h.connect()
    await h.sync('employees')
    const old = new Date(Date.now() - 31 * 86_400_000).toISOString()
    await h.t.db.updateTable('connector_state').set({ value: old }).where('integration', '=', QBO_ID).where('key', '=', 'cdc:employees').execute()
    expect((await h.sync('employees', 'schedule')).mode).toBe('full')
  })
})

describe('QuickBooks Online faults', () => {
  const connected = async (employees = 5) => {
    const h = await qboHub({ employees })
    await h.connect()
    return h
  }

  it('waits as told on 429 and backs off on 500, then succeeds', async () => {
    const h = await connected()
    h.sim.faults.push({ kind: 'throttle', retryAfterSeconds: 0 }, { kind: 'server-error' }, { kind: 'server-error' })
    const run = await h.sync('employees')
    expect(run.status).toBe('succeeded')
    expect(h.sim.log.filter((l) => l.path === '/query')).toHaveLength(4)
    expect(h.t.logs.join('')).toContain('"event":"vendor_retry"')
  })

  it('gives up after its budget of attempts and fails the run with the reason', async () => {
    const h = await connected()
    for (let i = 0; i < 6; i++) h.sim.faults.push({ kind: 'server-error' })
    const run = await h.sync('employees')
    expect(run.status).toBe('failed')
    expect(run.error).toContain('QuickBooks Online (Employee query): gave up after 6 attempts; the last answer was HTTP 500')
    expect(await h.staged('employees')).toEqual([])
  })

  it('refreshes an expired access token once, saving the rotated refresh token, and goes on', async () => {
    const h = await connected()
    const before = (await h.connection())!.tokens_blob
    h.sim.faults.push({ kind: 'expired-token' })
    const run = await h.sync('employees')
    expect(run.status).toBe('succeeded')
    expect(h.sim.refreshes).toBe(1)
    expect((await h.connection())!.tokens_blob).not.toBe(before)
    // The spent refresh token is not used again: a second expiry refreshes with the new one.
    h.sim.expireAllAccessTokens()
    expect((await h.sync('employees')).status).toBe('succeeded')
    expect(h.sim.refreshes).toBe(2)
  })

  it('refreshes once when several calls find the token expired at the same time', async () => {
    const h = await connected()
    await h.t.db
      .updateTable('integration_connections')
      .set({ access_expires_at: new Date(Date.now() - 1000).toISOString() })
      .execute()
    const ctx = await connectorContext(h.t.deps, quickbooksOnlineConnector, new AbortController().signal, h.t.deps.logger)
    const grants = await Promise.all(Array.from({ length: 8 }, () => ctx.credentials()))
    expect(new Set(grants.map((g) => g.accessToken)).size).toBe(1)
    expect(h.sim.refreshes).toBe(1)
  })

  it('invalid_grant on refresh: the run fails, the connection needs reconnecting, the Overview says so, audited', async () => {
    const h = await connected()
    h.sim.invalidGrantOnRefresh = true
    h.sim.expireAllAccessTokens()
    await h.t.db
      .updateTable('integration_connections')
      .set({ access_expires_at: new Date(Date.now() - 1000).toISOString() })
      .execute()
    const run = await h.sync('employees')
    expect(run.status).toBe('failed')
    expect(run.error).toContain('refused the saved authorization (invalid_grant)')
    expect((await h.connection())!.status).toBe('reconnect_needed')
    const { get } = await import('../../helpers/requests.js')
    const overview = await (await get(h.t.app, '/integrations', { cookie: h.admin.cookie })).text()
    expect(overview).toContain('Reconnect needed')
    const actions = (await h.t.db.selectFrom('audit_log').select('action').execute()).map((a) => a.action)
    expect(actions).toContain('integration.reconnect_needed')
    h.sim.invalidGrantOnRefresh = false
    await h.connect()
    expect((await h.connection())!.status).toBe('connected')
    expect((await h.t.db.selectFrom('audit_log').select('action').execute()).map((a) => a.action)).toContain('integration.reconnect')
  })

  it('malformed JSON fails the run with a clear message and stages nothing', async () => {
    const h = await connected()
    h.sim.faults.push({ kind: 'malformed-json' })
    const run = await h.sync('employees')
    expect(run.status).toBe('failed')
    expect(run.error).toContain('QuickBooks Online sent a response that is not JSON for the Employee query')
    expect(await h.staged('employees')).toEqual([])
  })

  it('a Fault body becomes a message naming the entity, code and field', async () => {
    const h = await connected()
    h.sim.faults.push({
      kind: 'fault',
      status: 400,
      body: { Fault: { Error: [{ Message: 'Invalid query', Detail: 'Property Foo not found', code: '4001', element: 'Foo' }], type: 'ValidationFault' } },
    })
    const run = await h.sync('employees')
    expect(run.error).toBe('Page 1: QuickBooks Online refused the Employee query: Invalid query (code 4001, field Foo): Property Foo not found')
  })

  it('a page with a duplicate id, or a record missing required fields, fails the run and stages nothing of that page', async () => {
    const h = await connected()
    h.sim.faults.push({ kind: 'duplicate-ids' })
    let run = await h.sync('employees')
    expect(run.status).toBe('failed')
    expect(run.error).toMatch(/Page 1: the source sent record \d+ twice; nothing of this page was staged/)
    expect(await h.staged('employees')).toEqual([])
    h.sim.faults.push({ kind: 'missing-fields' })
    run = await h.sync('employees')
    expect(run.status).toBe('failed')
    expect(run.error).toMatch(/Page 1: record \d+: .*First name.*nothing of this page was staged/)
    expect(await h.staged('employees')).toEqual([])
  })

  it('a slow answer past the request timeout is retried', async () => {
    const h = await qboHub({ employees: 5 }, { VENDOR_TIMEOUT_SECONDS: '0.3' })
    await h.connect()
    h.sim.faults.push({ kind: 'slow', ms: 600 })
    const run = await h.sync('employees')
    expect(run.status).toBe('succeeded')
    expect(h.t.logs.join('')).toContain('no answer within')
  })
})

describe('QuickBooks Online connection health', () => {
  it('a failed sync shows on the Overview as the last error, and the next good one clears it', async () => {
    const h = await qboHub({ employees: 5 })
    await h.connect()
    for (let i = 0; i < 6; i++) h.sim.faults.push({ kind: 'server-error' })
    expect((await h.sync('employees')).status).toBe('failed')
    let overview = await (await get(h.t.app, '/integrations', { cookie: h.admin.cookie })).text()
    expect(overview).toContain('Connected, last call failed')
    expect(overview).toContain('Employees sync failed: Page 1: QuickBooks Online (Employee query): gave up after 6 attempts')
    await new Promise((r) => setTimeout(r, 5))
    expect((await h.sync('employees')).status).toBe('succeeded')
    overview = await (await get(h.t.app, '/integrations', { cookie: h.admin.cookie })).text()
    expect(overview).not.toContain('last call failed')
  })

  it('the daily job renews a refresh token near its end, and leaves a young one alone', async () => {
    const h = await qboHub()
    await h.connect()
    expect(await keepConnectionsAlive(h.t.deps)).toEqual([])
    expect(h.sim.refreshes).toBe(0)
    await h.t.db
      .updateTable('integration_connections')
      .set({ refresh_expires_at: new Date(Date.now() + 10 * 86_400_000).toISOString() })
      .execute()
    expect(await keepConnectionsAlive(h.t.deps)).toEqual(['quickbooks-online'])
    expect(h.sim.refreshes).toBe(1)
    expect(Date.parse((await h.connection())!.refresh_expires_at!)).toBeGreaterThan(Date.now() + 90 * 86_400_000)
  })
})
