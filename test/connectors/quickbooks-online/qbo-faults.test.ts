import { describe, expect, it } from 'vitest'
import { qboHub } from '../../helpers/qbo.js'
import { post } from '../../helpers/requests.js'
import { QBO_ID } from '../../../src/connectors/quickbooks-online/connector.js'
import { requestSync } from '../../../src/staging/sync-runs.js'

// QuickBooks Online as it behaves when things go wrong: a token opens one company only (403 for
// any other realm), and the company's request limits are enforced with 429 and Retry-After.

describe('QuickBooks Online faults', () => {
  it('Test connection keeps the realm from the OAuth callback: the company name is stored apart, and SYNC still works', async () => {
    const h = await qboHub({ employees: 5, companyName: 'Harbor Line Builders' })
    await h.connect()
    const res = await post(h.t.app, `/integrations/${QBO_ID}/connection/test`, {}, { cookie: h.admin.cookie, htmx: true })
    const panel = await res.text()
    expect(panel).toContain('The connection works: QuickBooks Online answered for Harbor Line Builders.')
    expect(panel).toContain('Account: <strong>Harbor Line Builders</strong>.')
    expect(await h.connection()).toMatchObject({ account: h.sim.company.realmId, account_name: 'Harbor Line Builders' })
    const run = await h.sync('employees')
    expect(run).toMatchObject({ status: 'succeeded', new_count: 5 })
  })

  it('answers 403 to a token used for another company, as Intuit does', async () => {
    const h = await qboHub()
    const { accessToken } = h.sim.issueTokens()
    const base = h.t.config.vendors.addresses['quickbooks-online']!.apiBaseUrl
    const other = await fetch(`${base}/v3/company/123456789/companyinfo/123456789`, { headers: { authorization: `Bearer ${accessToken}` } })
    expect(other.status).toBe(403)
    expect(JSON.stringify(await other.json())).toContain('ApplicationAuthorizationFailed')
    const own = await fetch(`${base}/v3/company/${h.sim.company.realmId}/companyinfo/1`, { headers: { authorization: `Bearer ${accessToken}` } })
    expect(own.status).toBe(200)
  })

  it('enforces the per-company limits with 429 and Retry-After', async () => {
    const h = await qboHub()
    h.sim.limits = { concurrent: 10, perMinute: 3, retryAfterSeconds: 7 }
    const { accessToken } = h.sim.issueTokens()
    const url = `${h.t.config.vendors.addresses['quickbooks-online']!.apiBaseUrl}/v3/company/${h.sim.company.realmId}/companyinfo/1`
    const statuses: number[] = []
    let retryAfter: string | null = null
    for (let i = 0; i < 4; i++) {
      const r = await fetch(url, { headers: { authorization: `Bearer ${accessToken}` } })
      statuses.push(r.status)
      retryAfter ??= r.headers.get('retry-after')
    }
    expect(statuses).toEqual([200, 200, 200, 429])
    expect(retryAfter).toBe('7')
    expect(h.sim.throttled).toBe(1)
  })

  it('a Retry-After answered to one module pauses every module of the company, not only that request', async () => {
    const h = await qboHub({ employees: 5 })
    await h.connect()
    h.sim.faults.push({ kind: 'throttle', retryAfterSeconds: 1, path: 'Employee' })
    const employees = await requestSync(h.t.deps, { integration: QBO_ID, module: 'employees', trigger: 'manual', userId: null })
    if (!employees.ok) throw new Error(employees.message)
    // Once the 429 has reached Clockbridge (its retry is logged after the pause is set), another
    // module starts: it waits out the same pause. (Waiting only for the simulator to answer raced.)
    while (!h.t.logs.some((l) => l.includes('"event":"vendor_retry"') && l.includes('"status":429'))) await new Promise((r) => setTimeout(r, 5))
    const throttledAt = h.sim.log.find((l) => l.query.includes('Employee'))!.at
    const vendors = await h.sync('companies')
    await employees.done
    expect(vendors).toMatchObject({ status: 'succeeded' })
    const vendorRequest = h.sim.log.find((l) => l.query.includes('Vendor'))!
    expect(vendorRequest.at - throttledAt).toBeGreaterThanOrEqual(900)
    const after = h.sim.log.filter((l) => l.at > throttledAt)
    expect(after.every((l) => l.at - throttledAt >= 900)).toBe(true)
    expect(await h.t.db.selectFrom('sync_runs').select('status').where('id', '=', employees.runId).executeTakeFirstOrThrow()).toMatchObject({
      status: 'succeeded',
    })
  })
})
