// clockbridge demo (npm run demo): Clockbridge with a demo company, an administrator and ready-made spreadsheets
// uploaded to the Spreadsheet integration, so SYNC and IMPORT can be tried in a minute.
// It uses its own data folder (./data-demo unless DATA_DIR is set) and never touches ./data.
import { asset, assetsUnder, assetText } from '../runtime/assets.js'
import { loadConfig } from '../config.js'
import { startServer } from '../server.js'
import { systemActor } from '../audit/audit-log.js'
import { spreadsheetConnector } from '../connectors/spreadsheet/connector.js'
import { sheetUpload } from '../connectors/kit/sheets/upload.js'
import { mappingStateKey } from '../connectors/kit/sheets/mapped-sheet.js'
import { guessUploadMapping } from '../connectors/kit/sheets/column-mapping.js'
import { sage300Connector, sage300Upload } from '../connectors/sage-300-cre/connector.js'
import { activate, makeSyncSource, saveUpload } from '../integrations/integration-service.js'
import { connectorStore } from '../integrations/connector-store.js'
import { moduleBySlug, type ModuleId } from '../connectors/kit/records.js'
import { createUser, findUserByEmail, roleByKey } from '../users/service.js'
import type { AppDeps } from '../http/app-env.js'
import { quickbooksDesktopConnector } from '../connectors/quickbooks-desktop/connector.js'
import { connectionStatus, setWebConnectorPassword } from '../connectors/quickbooks-desktop/setup.js'
import { connectorHub } from '../integrations/connector-hub.js'
import { QuickBooksCompany } from '../connectors/quickbooks-desktop/simulator/company.js'
import { WebConnectorSimulator } from '../connectors/quickbooks-desktop/simulator/web-connector.js'
import { saveTimeEntry } from '../time-entries/service.js'
import { today } from '../lib/format.js'
import { addDays } from '../lib/dates.js'
import { getPayrollSettings } from '../payroll/payroll-settings.js'
import { workWeekOf } from '../payroll/pay-policy.js'
import { groupsOf, saveMapping } from '../payroll/mapping-service.js'
import { saveFileSettings } from '../payroll/file-service.js'
import { quickbooksOnlineConnector } from '../connectors/quickbooks-online/connector.js'
import { QboSimulator, SIM_CLIENT } from '../connectors/quickbooks-online/simulator/server.js'
import { sageIntacctConnector } from '../connectors/sage-intacct/connector.js'
import { IntacctSimulator, SIM_INTACCT } from '../connectors/sage-intacct/simulator/server.js'
import { saveSettings } from '../integrations/integration-service.js'

const DATA = 'src/demo/data'
const EMAIL = 'demo@clockbridge.example'
const PASSWORD = 'clockbridge-demo'
const actor = systemActor('demo')
export const DEMO_QBWC_PASSWORD = 'clockbridge-demo-qbwc'
const WEB_CONNECTOR_EVERY_MS = 15_000

export async function seedDemo(deps: AppDeps): Promise<string> {
  const { db } = deps
  if (!(await findUserByEmail(db, EMAIL))) {
    const role = await roleByKey(db, 'super_admin')
    const created = await createUser(db, { ...actor, roleKey: null }, { email: EMAIL, password: PASSWORD, name: 'Demo Admin', roleId: role.id })
    if (!created.ok) throw new Error(Object.values(created.errors).join('; '))
    // A few records entered by hand, so IMPORT has something to link instead of duplicating.
    const now = new Date().toISOString()
    await db.insertInto('departments').values({ code: 'FLD', name: 'Field', created_at: now, updated_at: now }).execute()
    await db
      .insertInto('employees')
      .values({ first_name: 'Maria', last_name: 'Lopez', employee_number: '1001', pay_group: 'HOURLY', status: 'active', created_at: now, updated_at: now })
      .execute()
    await db.insertInto('job_sites').values({ number: '100', name: 'Harbor View', status: 'active', country: 'US', created_at: now, updated_at: now }).execute()
  }
  await activate(db, actor, spreadsheetConnector)
  await makeSyncSource(db, actor, spreadsheetConnector, deps.connectors, true)
  const state = await db.selectFrom('connector_state').select('key').where('integration', '=', 'spreadsheet').execute()
  for (const file of assetsUnder(DATA)
    .map((path) => path.slice(DATA.length + 1))
    .filter((f) => /^[^/]+\.csv$/.test(f))) {
    const module = moduleBySlug(file.replace(/\.csv$/, ''))
    if (!module || state.some((s) => s.key === mappingStateKey(module.id))) continue
    const content = asset(`${DATA}/${file}`)
    const inspected = await spreadsheetConnector.upload!.inspect({ filename: file, content })
    if ('error' in inspected) throw new Error(inspected.error)
    await saveUpload(db, actor, spreadsheetConnector, module.id, { filename: file, content }, inspected)
    await connectorStore(db, 'spreadsheet').set(mappingStateKey(module.id), JSON.stringify(guessUploadMapping(sheetUpload, module.id, inspected.headers)))
  }
  await seedPayroll(deps)
  // QuickBooks Desktop, activated with a Web Connector password; a simulated Web Connector calls in.
  await activate(db, actor, quickbooksDesktopConnector)
  const qbd = connectorHub(deps, quickbooksDesktopConnector, actor)
  if (!(await connectionStatus(qbd.store)).hasPassword) await setWebConnectorPassword(qbd, DEMO_QBWC_PASSWORD)
  await seedCloudConnectors(deps)
  await seedSage300(deps)
  return [
    `Demo: sign in as ${EMAIL} with the password ${PASSWORD}`,
    `Then open Administration > Integrations > Spreadsheet > Employees, SYNC, select records and IMPORT.`,
    `The demo spreadsheets are uploaded already; the demo database is in ${deps.config.dataDir}.`,
    `QuickBooks Desktop: make it the sync source on its Setup tab and SYNC; a simulated Web Connector calls every ${WEB_CONNECTOR_EVERY_MS / 1000} s.`,
    `Payroll: the last two weeks have time; open Payroll, go back a week, approve it and download its files.`,
    `QuickBooks Online and Sage Intacct talk to local simulators: click Connect (or Test connection) on their Setup tabs, make one the sync source, SYNC.`,
    `Sage 300 CRE has Sage-style exports uploaded: make it the sync source and SYNC each list.`,
  ].join('\n')
}

/**
 * QuickBooks Online and Sage Intacct activated with the simulators' app credentials: Connect on the
 * Setup tab opens the simulated Intuit consent page; Intacct's Test connection signs in at once.
 */
async function seedCloudConnectors(deps: AppDeps): Promise<void> {
  for (const connector of [quickbooksOnlineConnector, sageIntacctConnector]) {
    const row = await deps.db.selectFrom('integrations').select('activated').where('id', '=', connector.id).executeTakeFirst()
    if (row) continue
    await activate(deps.db, actor, connector)
  }
  const saved = await deps.db
    .selectFrom('integrations')
    .select(['id', 'secrets_blob'])
    .where('id', 'in', [quickbooksOnlineConnector.id, sageIntacctConnector.id])
    .execute()
  if (!saved.find((r) => r.id === quickbooksOnlineConnector.id)?.secrets_blob) {
    await saveSettings(deps, actor, quickbooksOnlineConnector, {
      clientId: SIM_CLIENT.clientId,
      environment: 'sandbox',
      departmentsFrom: 'Class',
      clientSecret: SIM_CLIENT.clientSecret,
    })
  }
  if (!saved.find((r) => r.id === sageIntacctConnector.id)?.secrets_blob) {
    const { senderPassword, userPassword, ...plain } = SIM_INTACCT
    await saveSettings(deps, actor, sageIntacctConnector, { ...plain, endpointUrl: '', weekStartsOn: 'monday', senderPassword, userPassword })
  }
}

/** Sage 300 CRE activated with the lists a Sage company exports, uploaded and mapped (by Sage's own headings). */
async function seedSage300(deps: AppDeps): Promise<void> {
  if (await deps.db.selectFrom('integrations').select('id').where('id', '=', sage300Connector.id).executeTakeFirst()) return
  await activate(deps.db, actor, sage300Connector)
  const files: [ModuleId, string][] = [
    ['employees', 'employees.csv'],
    ['job_sites', 'jobs.csv'],
    ['cost_codes', 'cost-codes.csv'],
    ['departments', 'departments.csv'],
  ]
  for (const [module, file] of files) {
    const content = asset(`${DATA}/sage-300-cre/${file}`)
    const inspected = await sage300Upload.inspect({ filename: file, content })
    if ('error' in inspected) throw new Error(inspected.error)
    await saveUpload(deps.db, actor, sage300Connector, module, { filename: file, content }, inspected)
    await connectorStore(deps.db, sage300Connector.id).set(
      mappingStateKey(module),
      JSON.stringify(guessUploadMapping(sage300Upload, module, inspected.headers)),
    )
  }
}

/** Intuit and Intacct simulated on 127.0.0.1, and the configuration that points the app at them. */
export async function startDemoSimulators(): Promise<{ env: Record<string, string>; close: () => Promise<void> }> {
  const qbo = new QboSimulator({ employees: 60, customers: 10 })
  const qboServer = await qbo.listen()
  const intacct = new IntacctSimulator({ employees: 45, projects: 6 })
  const intacctServer = await intacct.listen()
  return {
    env: { ...qbo.urls(qboServer.url), INTACCT_ENDPOINT_URL: intacctServer.endpoint },
    close: async () => {
      await qboServer.close()
      await intacctServer.close()
    },
  }
}

/**
 * Two work weeks of time before this one for three employees entered by hand, payroll items with a
 * mapping for the IIF file, and the IIF settings: approve a week and download its file at once.
 */
async function seedPayroll(deps: AppDeps): Promise<void> {
  const { db } = deps
  if (await db.selectFrom('time_entries').select('id').limit(1).executeTakeFirst()) return
  const now = new Date().toISOString()
  for (const [first, last, number] of [
    ['Ken', 'Ito', '1002'],
    ['Ana', 'Silva', '1003'],
  ] as const) {
    if (!(await db.selectFrom('employees').select('id').where('employee_number', '=', number).executeTakeFirst())) {
      await db
        .insertInto('employees')
        .values({ first_name: first, last_name: last, employee_number: number, pay_group: 'HOURLY', status: 'active', created_at: now, updated_at: now })
        .execute()
    }
  }
  const employees = await db
    .selectFrom('employees')
    .select(['id', 'employee_number'])
    .where('employee_number', 'in', ['1001', '1002', '1003'])
    .orderBy('employee_number')
    .execute()
  const job = await db.selectFrom('job_sites').select('id').where('number', '=', '100').executeTakeFirst()
  const settings = await getPayrollSettings(db, deps.config.timeZone)
  const thisWeek = workWeekOf(today(deps.config.timeZone), settings.policy.workWeekStart)
  const day = (offset: number) => addDays(thisWeek, offset)
  for (const [n, e] of employees.entries()) {
    for (let d = -14; d < 0; d++) {
      if ((d + 14) % 7 >= 5) continue // weekends off
      const vacation = n === 2 && d === -10
      const hours = vacation ? '8' : String(8 + ((n + d + 14) % 3))
      const saved = await saveTimeEntry(
        db,
        actor,
        { employee_id: String(e.id), date: day(d), hours, pay_id: vacation ? 'VAC' : 'REG', job_site_id: vacation || !job ? '' : String(job.id) },
        { source: 'manual' },
      )
      if (!saved.ok) throw new Error(`Demo time entry refused: ${JSON.stringify(saved.errors)}`)
    }
  }
  const item = async (name: string) =>
    (await db.selectFrom('payroll_items').select('id').where('name', '=', name).executeTakeFirst())?.id ??
    (await db.insertInto('payroll_items').values({ name, created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow()).id
  const [iifDefault] = await groupsOf(db, 'file:iif')
  await saveMapping(db, actor, iifDefault!.id, { REG: await item('Hourly Rate'), OT: await item('Overtime Rate'), VAC: await item('Vacation Hourly') })
  await saveFileSettings(db, actor, {
    iifCompanyName: 'Northwind Builders',
    iifCompanyCreateTime: '1405767000',
    iifEmployeeName: 'first-last',
    adpCoCode: 'NW',
    adpRunIid: 'NW12AB',
    paychexClientId: '12345678',
  })
}

/** A QuickBooks company and its Web Connector, visiting the demo server on a timer as the real one would. */
export function startSimulatedWebConnector(deps: AppDeps): () => void {
  // The simulated company's first employees are the demo spreadsheet's, numbered 1001 on, as in a real office.
  const people = assetText(`${DATA}/employees.csv`)
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => ({ first: l.split(',')[2]!, last: l.split(',')[3]! }))
  const webConnector = new WebConnectorSimulator(`${deps.config.publicBaseUrl}/qbwc`, new QuickBooksCompany({ employees: 40, customers: 12, people }))
  const log = deps.logger.child({ component: 'demo-web-connector' })
  const visit = async () => {
    try {
      const result = await webConnector.visit({ username: 'clockbridge', password: DEMO_QBWC_PASSWORD })
      if (result.outcome !== 'none')
        log.info({ event: 'demo_qbwc_visit', outcome: result.outcome, requests: result.requests, error: result.lastError }, 'simulated Web Connector visit')
    } catch (err) {
      log.warn({ event: 'demo_qbwc_visit_failed', error: (err as Error).message }, 'simulated Web Connector visit failed')
    }
  }
  const timer = setInterval(() => void visit(), WEB_CONNECTOR_EVERY_MS)
  timer.unref()
  return () => clearInterval(timer)
}

/** Starts the demo server: its own data folder, the simulators, the seeded company. */
export async function startDemo(env: NodeJS.ProcessEnv): Promise<void> {
  const simulators = await startDemoSimulators()
  await startServer(loadConfig({ DATA_DIR: './data-demo', ...simulators.env, ...env }), async (deps) => {
    const banner = await seedDemo(deps)
    startSimulatedWebConnector(deps)
    return banner
  })
}
