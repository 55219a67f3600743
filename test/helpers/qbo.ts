import { onTestFinished } from 'vitest'
import { createTestApp, signInAs } from './test-app.js'
import { activateSource, actor } from './hub.js'
import { get, post } from './requests.js'
import { QBO_ID, quickbooksOnlineConnector } from '../../src/connectors/quickbooks-online/connector.js'
import { QboSimulator, SIM_CLIENT } from '../../src/connectors/quickbooks-online/simulator/server.js'
import type { QboCompanyOptions } from '../../src/connectors/quickbooks-online/simulator/company.js'
import { saveSettings } from '../../src/integrations/integration-service.js'
import { requestSync } from '../../src/staging/sync-runs.js'
import type { ModuleId } from '../../src/connectors/kit/records.js'
import type { RunTrigger } from '../../src/connectors/kit/pages.js'
import { inScope } from '../../src/staging/staging-queries.js'

export type QboHub = Awaited<ReturnType<typeof qboHub>>

/** A hub with QuickBooks Online as the sync source, its app credentials saved, and Intuit simulated on 127.0.0.1. */
export async function qboHub(company: QboCompanyOptions = {}, env: Record<string, string> = {}) {
  const sim = new QboSimulator(company)
  const server = await sim.listen()
  onTestFinished(() => server.close())
  const t = await createTestApp({ ...sim.urls(server.url), VENDOR_RETRY_BASE_MS: '1', VENDOR_TIMEOUT_SECONDS: '2', ...env })
  await activateSource(t.db, quickbooksOnlineConnector, t.deps.connectors)
  await saveSettings(t.deps, actor, quickbooksOnlineConnector, {
    clientId: SIM_CLIENT.clientId,
    environment: 'sandbox',
    departmentsFrom: 'Class',
    clientSecret: SIM_CLIENT.clientSecret,
  })
  const admin = await signInAs(t.db, 'admin')
  const hub = {
    t,
    sim,
    admin,
    /** Connect as an admin would: Connect, consent at the simulator, back to the callback. Returns the callback's answer. */
    async connect(decision: 'allow' | 'deny' = 'allow') {
      const started = await post(t.app, `/integrations/${QBO_ID}/oauth/connect`, {}, { cookie: admin.cookie })
      const consentUrl = started.headers.get('location')
      if (started.status !== 302 || !consentUrl) throw new Error(`Connect answered ${started.status}`)
      const consentPage = await fetch(consentUrl)
      if (consentPage.status !== 200) throw new Error(`The consent page answered ${consentPage.status}`)
      const auth = new URL(consentUrl)
      const answer = await fetch(new URL('/connect/oauth2/consent', consentUrl), {
        method: 'POST',
        body: new URLSearchParams({ redirect_uri: auth.searchParams.get('redirect_uri')!, state: auth.searchParams.get('state')!, decision }),
        redirect: 'manual',
      })
      const callback = new URL(answer.headers.get('location')!)
      return { callback, response: await get(t.app, `${callback.pathname}${callback.search}`, { cookie: admin.cookie }) }
    },
    async sync(module: ModuleId, trigger: RunTrigger = 'manual') {
      const start = await requestSync(t.deps, { integration: QBO_ID, module, trigger, userId: null })
      if (!start.ok) throw new Error(start.message)
      await start.done
      return t.db.selectFrom('sync_runs').selectAll().where('id', '=', start.runId).executeTakeFirstOrThrow()
    },
    staged: (module: ModuleId) => t.db.selectFrom('staged_records').selectAll().where(inScope(QBO_ID, module)).orderBy('id').execute(),
    connection: () => t.db.selectFrom('integration_connections').selectAll().where('integration', '=', QBO_ID).executeTakeFirst(),
  }
  return hub
}
