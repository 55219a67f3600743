import { describe, expect, it, onTestFinished } from 'vitest'
import { createTestApp } from '../../helpers/test-app.js'
import { freshPostgres, testsOnPostgres } from '../../helpers/postgres.js'
import { activateSource, actor } from '../../helpers/hub.js'
import { QBWC_PASSWORD } from '../../helpers/qbd.js'
import { quickbooksDesktopConnector } from '../../../src/connectors/quickbooks-desktop/connector.js'
import { QBD_ID } from '../../../src/connectors/quickbooks-desktop/settings.js'
import { setWebConnectorPassword } from '../../../src/connectors/quickbooks-desktop/setup.js'
import { QuickBooksCompany } from '../../../src/connectors/quickbooks-desktop/simulator/company.js'
import { WebConnectorSimulator } from '../../../src/connectors/quickbooks-desktop/simulator/web-connector.js'
import { connectorHub } from '../../../src/integrations/connector-hub.js'
import { requestSync } from '../../../src/staging/sync-runs.js'
import { inScope } from '../../../src/staging/staging-queries.js'

// Behind a load balancer the Web Connector's calls reach whichever instance: its session (in the
// connectors' store), the run and what the run has seen (sync_run_seen) live in the one PostgreSQL
// database, so a session whose calls alternate between two instances completes as on one.

// In the PostgreSQL run of the suite (TEST_ON_POSTGRES=1): it makes its own databases either way.
describe.skipIf(!testsOnPostgres)('the Web Connector across two instances on one PostgreSQL', () => {
  it('completes a session whose every call goes to the other instance, staging every record once, and a second full read flags none removed', async () => {
    const shared = await freshPostgres()
    onTestFinished(shared.drop)
    const [a, b] = [await createTestApp({ DATABASE_URL: shared.url }), await createTestApp({ DATABASE_URL: shared.url })]
    onTestFinished(async () => {
      await a.db.destroy()
      await b.db.destroy()
    })
    await activateSource(a.db, quickbooksDesktopConnector, a.deps.connectors)
    const set = await setWebConnectorPassword(connectorHub(a.deps, quickbooksDesktopConnector, actor), QBWC_PASSWORD)
    if ('error' in set) throw new Error(set.error)
    let calls = 0
    const served = { a: 0, b: 0 }
    const alternate = (url: string, init?: RequestInit) => {
      const app = calls++ % 2 === 0 ? ((served.a += 1), a.app) : ((served.b += 1), b.app)
      return Promise.resolve(app.request(url, init))
    }
    const webConnector = new WebConnectorSimulator('http://localhost/qbwc', new QuickBooksCompany({ employees: 1203 }), alternate)
    const visit = () => webConnector.visit({ username: 'clockbridge', password: QBWC_PASSWORD })

    const first = await requestSync(a.deps, { integration: QBD_ID, module: 'employees', trigger: 'manual', userId: null })
    if (!first.ok) throw new Error(first.message)
    expect((await visit()).outcome).toBe('done')
    expect(served.a).toBeGreaterThan(2)
    expect(served.b).toBeGreaterThan(2)
    const run = (id: number) => b.db.selectFrom('sync_runs').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
    expect(await run(first.runId)).toMatchObject({ status: 'succeeded', new_count: 1203, pages: 3 })
    const staged = await b.db.selectFrom('staged_records').select(['external_id', 'removed']).where(inScope(QBD_ID, 'employees')).execute()
    expect(staged).toHaveLength(1203)
    expect(new Set(staged.map((s) => s.external_id)).size).toBe(1203)

    // A second full read, its pages seen on both instances: nothing is taken for removed.
    const second = await requestSync(b.deps, { integration: QBD_ID, module: 'employees', trigger: 'manual', userId: null })
    if (!second.ok) throw new Error(second.message)
    expect((await visit()).outcome).toBe('done')
    expect(await run(second.runId)).toMatchObject({ status: 'succeeded', unchanged_count: 1203, removed_count: 0 })
    expect(await b.db.selectFrom('sync_run_seen').select('run_id').execute()).toEqual([])
  })
})
