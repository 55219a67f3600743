import { onTestFinished } from 'vitest'
import { createTestApp, signInAs } from './test-app.js'
import { activateSource, actor } from './hub.js'
import { INTACCT_ID, sageIntacctConnector } from '../../src/connectors/sage-intacct/connector.js'
import { IntacctSimulator, SIM_INTACCT } from '../../src/connectors/sage-intacct/simulator/server.js'
import { saveSettings } from '../../src/integrations/integration-service.js'
import { requestSync } from '../../src/staging/sync-runs.js'
import type { ModuleId } from '../../src/connectors/kit/records.js'
import { inScope } from '../../src/staging/staging-queries.js'

/** A hub with Sage Intacct as the sync source, its credentials saved, and the XML gateway simulated on 127.0.0.1. */
export async function intacctHub(company: { employees?: number; projects?: number } = {}, env: Record<string, string> = {}) {
  const sim = new IntacctSimulator(company)
  const server = await sim.listen()
  onTestFinished(() => server.close())
  const t = await createTestApp({ INTACCT_ENDPOINT_URL: server.endpoint, VENDOR_RETRY_BASE_MS: '1', VENDOR_TIMEOUT_SECONDS: '2', ...env })
  await activateSource(t.db, sageIntacctConnector, t.deps.connectors)
  const { senderPassword, userPassword, ...plain } = SIM_INTACCT
  await saveSettings(t.deps, actor, sageIntacctConnector, { ...plain, endpointUrl: '', weekStartsOn: 'monday', senderPassword, userPassword })
  const admin = await signInAs(t.db, 'admin')
  return {
    t,
    sim,
    endpoint: server.endpoint,
    admin,
    async sync(module: ModuleId) {
      const start = await requestSync(t.deps, { integration: INTACCT_ID, module, trigger: 'manual', userId: null })
      if (!start.ok) throw new Error(start.message)
      await start.done
      return t.db.selectFrom('sync_runs').selectAll().where('id', '=', start.runId).executeTakeFirstOrThrow()
    },
    staged: (module: ModuleId) => t.db.selectFrom('staged_records').selectAll().where(inScope(INTACCT_ID, module)).orderBy('id').execute(),
  }
}
