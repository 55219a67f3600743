import type { Db } from '../../src/db/database.js'
import { systemActor } from '../../src/audit/audit-log.js'
import { activate, makeSyncSource, saveUpload } from '../../src/integrations/integration-service.js'
import { connectorStore } from '../../src/integrations/connector-store.js'
import { spreadsheetConnector } from '../../src/connectors/spreadsheet/connector.js'
import { mappingStateKey } from '../../src/connectors/kit/sheets/mapped-sheet.js'
import type { AnyConnector } from '../../src/connectors/kit/types.js'
import type { ModuleId } from '../../src/connectors/kit/records.js'
import type { ColumnMapping } from '../../src/connectors/kit/sheets/column-mapping.js'

export const actor = systemActor('test')

/** Activates a connector and makes it the sync source, as an admin would on the Overview. */
export async function activateSource(db: Db, connector: AnyConnector = spreadsheetConnector, connectors: readonly AnyConnector[] = [connector]) {
  await activate(db, actor, connector)
  const result = await makeSyncSource(db, actor, connector, connectors, true)
  if (!result.ok) throw new Error(result.message)
}

export const EMPLOYEE_MAPPING: ColumnMapping = {
  externalId: 'Employee ID',
  fields: {
    employee_number: 'Number',
    first_name: 'First',
    last_name: 'Last',
    email: 'Email',
    phone: null,
    pay_group: 'Pay',
    status: 'Status',
    hire_date: 'Hired',
    company: null,
    department: null,
  },
}

/** Uploads a CSV for a module with a column mapping, as the spreadsheet tab does. */
export async function uploadCsv(db: Db, module: ModuleId, csv: string, mapping: ColumnMapping = EMPLOYEE_MAPPING, filename = `${module}.csv`) {
  const content = Buffer.from(csv)
  const inspected = await spreadsheetConnector.upload!.inspect({ filename, content })
  await saveUpload(db, actor, spreadsheetConnector, module, { filename, content }, 'error' in inspected ? { headers: [], rows: 0 } : inspected)
  await connectorStore(db, 'spreadsheet').set(mappingStateKey(module), JSON.stringify(mapping))
}

export const employeesCsv = (rows: [string, string, string, string, string?, string?][]) =>
  [
    'Employee ID,Number,First,Last,Email,Pay,Status,Hired',
    ...rows.map(([id, num, first, last, email = '', hired = '']) => `${id},${num},${first},${last},${email},hourly,active,${hired}`),
  ].join('\n')
