import { describe, expect, it } from 'vitest'
import { createTestApp, signInAs } from '../helpers/test-app.js'
import { get, post } from '../helpers/requests.js'
import { seedDemo } from '../../src/demo/demo.js'
import { DEMO_QBWC_PASSWORD } from '../../src/connectors/quickbooks-desktop/demo.js'
import { QuickBooksCompany } from '../../src/connectors/quickbooks-desktop/simulator/company.js'
import { WebConnectorSimulator } from '../../src/connectors/quickbooks-desktop/simulator/web-connector.js'
import { requestSync } from '../../src/staging/sync-runs.js'
import { planImport, runImport } from '../../src/staging/import-service.js'
import { inScope } from '../../src/staging/staging-queries.js'
import { actor } from '../helpers/hub.js'
import { MODULE_IDS } from '../../src/connectors/kit/records.js'

// One demo database serves the tests that only read it or add to it (seeding takes a few seconds);
// the Sage 300 test, which changes the sync source, runs last.
let seeded: Promise<{ t: Awaited<ReturnType<typeof createTestApp>>; banner: string }> | null = null
const demo = () =>
  (seeded ??= (async () => {
    const t = await createTestApp()
    return { t, banner: await seedDemo(t.deps) }
  })())

describe('npm run demo', () => {
  it('seeds an admin and ready-made spreadsheets that SYNC cleanly for every module', async () => {
    const { t, banner } = await demo()
    expect(banner).toContain('sign in as demo@clockbridge.example')
    expect(await seedDemo(t.deps)).toBe(banner) // a second start changes nothing
    for (const module of MODULE_IDS) {
      const start = await requestSync(t.deps, { integration: 'spreadsheet', module, trigger: 'manual', userId: null })
      if (!start.ok) throw new Error(start.message)
      await start.done
      const run = await t.db.selectFrom('sync_runs').selectAll().where('id', '=', start.runId).executeTakeFirstOrThrow()
      expect({ module, status: run.status, error: run.error }).toEqual({ module, status: 'succeeded', error: null })
    }
    const employees = await t.db
      .selectFrom('staged_records')
      .innerJoin('staging_scopes', 'staging_scopes.id', 'staged_records.scope_id')
      .select('staged_records.id')
      .where('staging_scopes.module', '=', 'employees')
      .execute()
    expect(employees).toHaveLength(20)
    const plan = () =>
      planImport(
        t.deps,
        'spreadsheet',
        'employees',
        employees.map((e) => e.id),
      )
    // The employees name companies and departments not imported yet: the preview says so, as IMPORT would.
    const before = await plan()
    expect(before.items.every((i) => i.action === 'fail')).toBe(true)
    expect(before.items[1]!.message).toBe('Company "Northwind Electric" does not exist; import or create it first')
    for (const module of ['companies', 'departments'] as const) {
      const ids = (await t.db.selectFrom('staged_records').where(inScope('spreadsheet', module)).select('id').execute()).map((r) => r.id)
      const result = await runImport(t.deps, actor, {
        integration: 'spreadsheet',
        integrationName: 'Spreadsheet',
        module,
        ids,
        trigger: 'manual',
        defaultTimeZone: 'UTC',
      })
      expect(result.failed).toEqual([])
    }
    const after = await plan()
    expect(after.items.filter((i) => i.action === 'fail')).toEqual([])
    expect(after.items.filter((i) => i.action === 'link').map((i) => i.externalId)).toEqual(['QB-8000', 'QB-8001', 'QB-8002'])
  })

  it('has two weeks of time that approve into a period with an IIF file ready to download', async () => {
    const { t } = await demo()
    await seedDemo(t.deps)
    const entries = await t.db.selectFrom('time_entries').select(['date']).orderBy('date').execute()
    expect(entries).toHaveLength(30)
    const { cookie } = await signInAs(t.db, 'admin')
    await post(t.app, `/payroll/approve?period=${entries[0]!.date}`, {}, { cookie })
    const file = await get(t.app, `/payroll/files/iif?period=${entries[0]!.date}`, { cookie })
    expect(file.status).toBe(200)
    expect(await file.text()).toMatch(/TIMEACT\t\d\d\/\d\d\/\d\d\t100\tMaria Lopez\t\tHourly Rate\t/)
  })

  it('has QuickBooks Desktop activated with a Web Connector password the simulated Web Connector signs in with', async () => {
    const { t } = await demo()
    const webConnector = new WebConnectorSimulator('http://localhost/qbwc', new QuickBooksCompany(), (url, init) => Promise.resolve(t.app.request(url, init)))
    expect((await webConnector.visit({ username: 'clockbridge', password: DEMO_QBWC_PASSWORD })).outcome).toBe('none')
  })
})

describe('npm run demo with the cloud simulators', () => {
  it('connects QuickBooks Online through the simulated consent page and signs in to the simulated Intacct', async () => {
    const { startDemoSimulators } = await import('../../src/demo/demo.js')
    const sims = await startDemoSimulators()
    try {
      const t = await createTestApp(sims.env)
      await seedDemo(t.deps)
      const { cookie } = await signInAs(t.db, 'admin')
      const started = await post(t.app, '/integrations/quickbooks-online/oauth/connect', {}, { cookie })
      const consent = new URL(started.headers.get('location')!)
      expect((await fetch(consent)).status).toBe(200)
      const back = await fetch(new URL('/connect/oauth2/consent', consent), {
        method: 'POST',
        body: new URLSearchParams({ redirect_uri: consent.searchParams.get('redirect_uri')!, state: consent.searchParams.get('state')!, decision: 'allow' }),
        redirect: 'manual',
      })
      const callback = new URL(back.headers.get('location')!)
      await get(t.app, `${callback.pathname}${callback.search}`, { cookie })
      const connection = await t.db.selectFrom('integration_connections').select('status').where('integration', '=', 'quickbooks-online').executeTakeFirst()
      expect(connection?.status).toBe('connected')
      const test = await post(t.app, '/integrations/sage-intacct/connection/test', {}, { cookie, htmx: true })
      expect(await test.text()).toContain('The connection works')
    } finally {
      await sims.close()
    }
  })
})

describe('npm run demo with Sage 300 CRE', () => {
  it("has Sage's exports uploaded and mapped, so each list SYNCs cleanly once it is the sync source", async () => {
    const { t } = await demo()
    const { makeSyncSource } = await import('../../src/integrations/integration-service.js')
    const { sage300Connector } = await import('../../src/connectors/sage-300-cre/connector.js')
    await makeSyncSource(t.db, { userId: null, actor: 'test', ip: null, requestId: null }, sage300Connector, t.deps.connectors, true)
    for (const module of sage300Connector.syncModules) {
      const start = await requestSync(t.deps, { integration: 'sage-300-cre', module, trigger: 'manual', userId: null })
      if (!start.ok) throw new Error(start.message)
      await start.done
      const run = await t.db.selectFrom('sync_runs').selectAll().where('id', '=', start.runId).executeTakeFirstOrThrow()
      expect({ module, status: run.status, error: run.error }).toEqual({ module, status: 'succeeded', error: null })
    }
  })
})
