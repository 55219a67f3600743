// npm run demo: Clockbridge with a demo company, an administrator and ready-made spreadsheets
// uploaded to the Spreadsheet integration, so SYNC and IMPORT can be tried in a minute.
// It uses its own data folder (./data-demo unless DATA_DIR is set) and never touches ./data.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadConfig } from '../src/config.js'
import { exitOnStartupError, isEntryPoint, startServer } from '../src/server.js'
import { systemActor } from '../src/audit/audit-log.js'
import { spreadsheetConnector, mappingStateKey } from '../src/connectors/spreadsheet/connector.js'
import { guessMapping } from '../src/connectors/spreadsheet/column-mapping.js'
import { activate, makeSyncSource, saveState, saveUpload } from '../src/integrations/integration-service.js'
import { MODULES, moduleBySlug } from '../src/integrations/modules.js'
import { createUser, findUserByEmail, roleByKey } from '../src/users/service.js'
import type { AppDeps } from '../src/http/app-env.js'

const DATA = fileURLToPath(new URL('./demo-data', import.meta.url))
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
    await db.insertInto('employees').values({ first_name: 'Maria', last_name: 'Lopez', employee_number: '1001', pay_group: 'HOURLY', status: 'active', created_at: now, updated_at: now }).execute()
    await db.insertInto('job_sites').values({ number: '100', name: 'Harbor View', status: 'active', country: 'US', created_at: now, updated_at: now }).execute()
  }
  await activate(db, actor, spreadsheetConnector)
  await makeSyncSource(db, actor, spreadsheetConnector, deps.connectors, true)
  const state = await db.selectFrom('connector_state').select('key').where('integration', '=', 'spreadsheet').execute()
  for (const file of readdirSync(DATA).filter((f) => f.endsWith('.csv'))) {
    const module = moduleBySlug(file.replace(/\.csv$/, ''))
    if (!module || state.some((s) => s.key === mappingStateKey(module.id))) continue
    const content = readFileSync(join(DATA, file))
    await saveUpload(db, actor, spreadsheetConnector, module.id, { filename: file, content })
    const inspected = await spreadsheetConnector.upload!.inspect({ filename: file, content })
    if ('error' in inspected) throw new Error(inspected.error)
    await saveState(db, 'spreadsheet', mappingStateKey(module.id), JSON.stringify(guessMapping(inspected.headers, MODULES[module.id].fields)))
  }
  return [
    `Demo: sign in as ${EMAIL} with the password ${PASSWORD}`,
    `Then open Administration > Integrations > Spreadsheet > Employees, SYNC, select records and IMPORT.`,
    `The demo spreadsheets are in scripts/demo-data/; the demo database is in ${deps.config.dataDir}.`,
  ].join('\n')
}

if (isEntryPoint(import.meta.url)) {
  try {
    await startServer(loadConfig({ DATA_DIR: './data-demo', ...process.env }), seedDemo)
  } catch (err) {
    exitOnStartupError(err)
  }
}
