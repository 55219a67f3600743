import { MODULE_IDS } from '../kit/records.js'
import type { ConnectorDemo } from '../kit/hub.js'

/** The demo's sync source: the demo company's sheets, one per module, uploaded and mapped. */
export const spreadsheetDemo: ConnectorDemo = {
  banner: 'Spreadsheet is the sync source, its sheets uploaded: open Administration > Integrations > Spreadsheet > Employees, SYNC, select records and IMPORT.',
  syncSource: true,
  uploads: (company) =>
    MODULE_IDS.flatMap((module) => {
      const sheet = company.sheet(module)
      return sheet ? [{ module, ...sheet }] : []
    }),
}
