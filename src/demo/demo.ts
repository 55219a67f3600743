// clockbridge demo (npm run demo): Clockbridge with a demo company, an administrator, two weeks of
// time, and each connector's own part (its simulator, a Setup ready to try, uploaded files: see
// ConnectorDemo in the kit), so SYNC and IMPORT can be tried in a minute. The demo names no connector.
// It uses its own data folder (./data-demo unless DATA_DIR is set) and never touches ./data.
import { asset, assetsUnder, assetText } from '../runtime/assets.js'
import { loadConfig } from '../config.js'
import { startServer } from '../server.js'
import { systemActor } from '../audit/audit-log.js'
import { acceptUpload, activate, getIntegration, makeSyncSource, saveSettings } from '../integrations/integration-service.js'
import { connectorHub } from '../integrations/connector-hub.js'
import { CONNECTORS } from '../connectors/registry.js'
import { moduleBySlug } from '../connectors/kit/records.js'
import type { AnyConnector } from '../connectors/kit/types.js'
import type { ConnectorDemo, DemoCompany } from '../connectors/kit/hub.js'
import { createUser, findUserByEmail, roleByKey } from '../users/service.js'
import type { AppDeps } from '../http/app-env.js'
import { saveTimeEntry } from '../time-entries/service.js'
import { today } from '../lib/format.js'
import { addDays } from '../lib/dates.js'
import { getPayrollSettings } from '../payroll/payroll-settings.js'
import { workWeekOf } from '../payroll/pay-policy.js'
import { groupsOf, saveMapping } from '../payroll/mapping-service.js'
import { saveFileSettings } from '../payroll/file-service.js'

const DATA = 'src/demo/data'
const EMAIL = 'demo@clockbridge.example'
const PASSWORD = 'clockbridge-demo'
const actor = systemActor('demo')

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
  const company = demoCompany()
  const banners: string[] = []
  for (const connector of deps.connectors) {
    if (!connector.demo) continue
    await seedConnector(deps, connector, connector.demo, company)
    banners.push(connector.demo.banner)
  }
  await seedPayroll(deps)
  return [
    `Demo: sign in as ${EMAIL} with the password ${PASSWORD}`,
    `The demo database is in ${deps.config.dataDir}.`,
    `Payroll: the last two weeks have time; open Payroll, go back a week, approve it and download its files.`,
    ...banners,
  ].join('\n')
}

/** The company every connector's demo describes: the people and sheets of src/demo/data/. */
export function demoCompany(): DemoCompany {
  const sheets = new Map(
    assetsUnder(DATA)
      .filter((path) => /^[^/]+\.csv$/.test(path.slice(DATA.length + 1)))
      .map((path) => [moduleBySlug(path.slice(DATA.length + 1, -'.csv'.length))?.id, path] as const),
  )
  const people = assetText(`${DATA}/employees.csv`)
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => ({ first: line.split(',')[2]!, last: line.split(',')[3]! }))
  return {
    people,
    sheet: (module) => {
      const path = sheets.get(module)
      return path ? { filename: path.slice(DATA.length + 1), content: asset(path) } : null
    },
  }
}

/**
 * A connector's part of the demo. The first time the demo meets it: activated, its Setup saved,
 * its files uploaded, the sync source if it is the demo's. At every start: its own preparation.
 */
async function seedConnector(deps: AppDeps, connector: AnyConnector, demo: ConnectorDemo, company: DemoCompany): Promise<void> {
  if (!(await getIntegration(deps.db, connector.id))) {
    await activate(deps.db, actor, connector)
    if (demo.setup) await saveSettings(deps, actor, connector, demoSettings(connector, await demo.setup()))
    for (const file of demo.uploads?.(company) ?? []) {
      const accepted = await acceptUpload(deps.db, actor, connector, file.module, file)
      if ('error' in accepted) throw new Error(`Demo file ${file.filename} refused: ${accepted.error}`)
    }
    if (demo.syncSource) await makeSyncSource(deps.db, actor, connector, deps.connectors, true)
  }
  await demo.prepare?.(connectorHub(deps, connector, actor))
}

/** A demo's Setup form held to the connector's own schema, as the Setup tab would hold it. */
function demoSettings(connector: AnyConnector, form: Record<string, string>): Record<string, unknown> {
  const secret = new Set(connector.settingFields.filter((f) => f.secret).map((f) => f.key))
  const plain = Object.fromEntries(Object.entries(form).filter(([k]) => !secret.has(k)))
  const parsed = connector.settingsSchema.safeParse(plain)
  if (!parsed.success) throw new Error(`The demo's Setup of ${connector.name} is refused: ${parsed.error.message}`)
  return { ...form, ...(parsed.data as Record<string, unknown>) }
}

/** Every connector's simulator on 127.0.0.1, and the configuration that points the app at them. */
export async function startDemoSimulators(
  connectors: readonly AnyConnector[] = CONNECTORS,
): Promise<{ env: Record<string, string>; close: () => Promise<void> }> {
  const company = demoCompany()
  const started: { env: Record<string, string>; close: () => Promise<void> }[] = []
  for (const connector of connectors) {
    const simulator = await connector.demo?.startSimulator?.(company)
    if (simulator) started.push(simulator)
  }
  return {
    env: Object.assign({}, ...started.map((s) => s.env)) as Record<string, string>,
    close: async () => {
      for (const s of started) await s.close()
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

/** What each connector runs beside the demo server (a simulated Web Connector calling in); returns how to stop them all. */
export function startDemoAgents(deps: AppDeps): () => void {
  const company = demoCompany()
  const stops = deps.connectors.flatMap((connector) => {
    const run = connector.demo?.run
    return run ? [run(connectorHub(deps, connector, actor), company)] : []
  })
  return () => stops.forEach((stop) => stop())
}

/** Starts the demo server: its own data folder, the simulators, the seeded company. */
export async function startDemo(env: NodeJS.ProcessEnv): Promise<void> {
  const simulators = await startDemoSimulators()
  await startServer(loadConfig({ DATA_DIR: './data-demo', ...simulators.env, ...env }), async (deps) => {
    const banner = await seedDemo(deps)
    startDemoAgents(deps)
    return banner
  })
}
