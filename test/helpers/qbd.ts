import { createTestApp, type TestApp } from './test-app.js'
import { activateSource, actor } from './hub.js'
import { QBD_ID, quickbooksDesktopConnector } from '../../src/connectors/quickbooks-desktop/connector.js'
import { setWebConnectorPassword } from '../../src/connectors/quickbooks-desktop/setup.js'
import { QuickBooksCompany, type CompanyOptions } from '../../src/connectors/quickbooks-desktop/simulator/company.js'
import { WebConnectorSimulator, type VisitOptions } from '../../src/connectors/quickbooks-desktop/simulator/web-connector.js'
import { requestSync } from '../../src/staging/sync-runs.js'
import type { ModuleId } from '../../src/integrations/modules.js'
import type { RunTrigger } from '../../src/db/schema.js'
import { inScope } from '../../src/staging/staging-queries.js'

export const QBWC_PASSWORD = 'web connector secret'

export type QbdHub = Awaited<ReturnType<typeof qbdHub>>

/** A hub with QuickBooks Desktop as the sync source, its password set, and a simulated Web Connector in front of a generated company. */
export async function qbdHub(company: CompanyOptions = {}, t?: TestApp) {
  t ??= await createTestApp()
  await activateSource(t.db, quickbooksDesktopConnector, t.deps.connectors)
  const set = await setWebConnectorPassword(t.db, actor, QBWC_PASSWORD)
  if ('error' in set) throw new Error(set.error)
  const qb = new QuickBooksCompany(company)
  const app = t.app
  const webConnector = new WebConnectorSimulator('http://localhost/qbwc', qb, (url, init) => Promise.resolve(app.request(url, init)))
  return {
    t,
    qb,
    webConnector,
    visit: (opts: Partial<VisitOptions> = {}) => webConnector.visit({ username: 'clockbridge', password: QBWC_PASSWORD, ...opts }),
    async sync(module: ModuleId, trigger: RunTrigger = 'manual') {
      const start = await requestSync(t.deps, { integration: QBD_ID, module, trigger, userId: null })
      if (!start.ok) throw new Error(start.message)
      return start.runId
    },
    run: (id: number) => t.db.selectFrom('sync_runs').selectAll().where('id', '=', id).executeTakeFirstOrThrow(),
    staged: (module: ModuleId) => t.db.selectFrom('staged_records').selectAll().where(inScope(QBD_ID, module)).orderBy('external_id').execute(),
  }
}
