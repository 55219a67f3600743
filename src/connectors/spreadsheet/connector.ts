import { z } from 'zod'
import { MODULE_IDS } from '../kit/records.js'
import type { Connector } from '../kit/types.js'
import { mappedFields, mappedSheetPages } from '../kit/sheets/mapped-sheet.js'
import { sheetUpload } from '../kit/sheets/upload.js'
import { spreadsheetDemo } from './demo.js'

/** Customers without an API (or between systems) keep their lists in a sheet: CSV or XLSX per module. */
export const spreadsheetConnector: Connector<Record<string, never>> = {
  id: 'spreadsheet',
  name: 'Spreadsheet',
  description: 'Upload a CSV or XLSX file per module, map its columns once, then SYNC and IMPORT.',
  hosting: 'file',
  syncModules: MODULE_IDS,
  publishesPayroll: false,
  settingsSchema: z.object({}).strict() as unknown as z.ZodType<Record<string, never>>,
  settingFields: [],
  shape: 'pull',
  invalidRecords: 'skip-row',
  upload: sheetUpload,
  sends: mappedFields,
  demo: spreadsheetDemo,
  // The external id column names the record; every other mapped column is a field.
  pull: (module, ctx) =>
    mappedSheetPages(module, ctx, sheetUpload, ({ row, values, id }) => {
      const externalId = (id?.value ?? '').trim()
      return externalId ? { record: { externalId, data: values, row } } : { error: { row, field: id?.column, message: 'The external id is empty' } }
    }),
}
