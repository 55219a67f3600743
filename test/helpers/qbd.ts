import { createTestApp, type TestApp } from './test-app.js'
import { activateSource, actor } from './hub.js'
import { quickbooksDesktopConnector } from '../../src/connectors/quickbooks-desktop/connector.js'
import { QBD_ID } from '../../src/connectors/quickbooks-desktop/settings.js'
import { connectorHub } from '../../src/integrations/connector-hub.js'
import { setWebConnectorPassword } from '../../src/connectors/quickbooks-desktop/setup.js'
import { QuickBooksCompany, type CompanyOptions } from '../../src/connectors/quickbooks-desktop/simulator/company.js'
import { WebConnectorSimulator, type VisitOptions } from '../../src/connectors/quickbooks-desktop/simulator/web-connector.js'
import { requestSync } from '../../src/staging/sync-runs.js'
import type { ModuleId } from '../../src/connectors/kit/records.js'
import type { RunTrigger } from '../../src/connectors/kit/pages.js'
import { inScope } from '../../src/staging/staging-queries.js'
import { expect } from 'vitest'
import { runImport } from '../../src/staging/import-service.js'
import { saveTimeEntry } from '../../src/time-entries/service.js'
import { getPayrollSettings } from '../../src/payroll/payroll-settings.js'
import { groupsOf } from '../../src/payroll/mapping-service.js'

export const QBWC_PASSWORD = 'web connector secret'

export type QbdHub = Awaited<ReturnType<typeof qbdHub>>

/** A hub with QuickBooks Desktop as the sync source, its password set, and a simulated Web Connector in front of a generated company. */
export async function qbdHub(company: CompanyOptions = {}, t?: TestApp) {
  t ??= await createTestApp()
  await activateSource(t.db, quickbooksDesktopConnector, t.deps.connectors)
  const set = await setWebConnectorPassword(connectorHub(t.deps, quickbooksDesktopConnector, actor), QBWC_PASSWORD)
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

export const PERIOD = { start: '2024-06-03', end: '2024-06-09' }

/** QuickBooks Desktop as sync source with employees, jobs, items, classes and wage items imported, and REG/OT mapped. */
export async function qbdPayrollHub(employees = 3, t?: TestApp) {
  const h = await qbdHub({ employees, customers: 2 }, t)
  for (const m of ['payroll_items', 'departments', 'job_sites', 'cost_codes', 'employees'] as ModuleId[]) await h.sync(m)
  await h.visit()
  for (const m of ['payroll_items', 'departments', 'job_sites', 'cost_codes', 'employees'] as ModuleId[]) {
    const ids = (await h.staged(m)).map((r) => r.id)
    const r = await runImport(h.t.deps, actor, {
      integration: 'quickbooks-desktop',
      integrationName: 'QuickBooks Desktop',
      module: m,
      ids,
      trigger: 'manual',
      defaultTimeZone: 'UTC',
    })
    expect(r.failed).toEqual([])
  }
  const item = async (name: string) => (await h.t.db.selectFrom('payroll_items').select('id').where('name', '=', name).executeTakeFirstOrThrow()).id
  const [group] = await groupsOf(h.t.db, 'quickbooks-desktop')
  const employee = await h.t.db.selectFrom('employees').select('id').where('first_name', '=', 'Maria').executeTakeFirstOrThrow()
  const job = await h.t.db.selectFrom('job_sites').select('id').where('number', 'like', '%:%').executeTakeFirst()
  const framing = await h.t.db.selectFrom('cost_codes').select('id').where('code', '=', 'Framing').executeTakeFirstOrThrow()
  const settings = await getPayrollSettings(h.t.db, 'UTC')
  const enter = async (date: string, hours: string) => {
    const saved = await saveTimeEntry(
      h.t.db,
      actor,
      { employee_id: String(employee.id), date, hours, pay_id: 'REG', job_site_id: job ? String(job.id) : '', cost_code_id: String(framing.id) },
      { source: 'manual' },
    )
    if (!saved.ok) throw new Error(JSON.stringify(saved.errors))
    return saved.id
  }
  /** Three entries a day, Monday to Sunday, for every employee: a line per employee, day and cost code (and OT lines past 40 hours). */
  const enterWeek = async () => {
    const employees = await h.t.db.selectFrom('employees').select('id').execute()
    const codes = await h.t.db.selectFrom('cost_codes').select('id').limit(3).execute()
    for (const e of employees) {
      for (const d of ['03', '04', '05', '06', '07', '08', '09']) {
        for (const code of codes) {
          const saved = await saveTimeEntry(
            h.t.db,
            actor,
            {
              employee_id: String(e.id),
              date: `2024-06-${d}`,
              hours: '2',
              pay_id: 'REG',
              job_site_id: job ? String(job.id) : '',
              cost_code_id: String(code.id),
            },
            { source: 'manual' },
          )
          if (!saved.ok) throw new Error(JSON.stringify(saved.errors))
        }
      }
    }
  }
  return { h, group: group!, item, employee, settings, enter, enterWeek }
}

/** How many times QuickBooks holds each ExternalGUID. */
export const copiesInQuickBooks = (h: QbdHub) => {
  const counts = new Map<string, number>()
  for (const t of h.qb.timeTracking) counts.set(t.externalGuid!, (counts.get(t.externalGuid!) ?? 0) + 1)
  return counts
}
