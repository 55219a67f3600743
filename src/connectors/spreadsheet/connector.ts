import { z } from 'zod'
import { MODULE_IDS } from '../../integrations/modules.js'
import type { Connector, UploadSpec } from '../types.js'
import { inspectSheet, SheetError } from './read-sheet.js'
import { mappedSheetPages, mappingStateKey } from './mapped-sheet.js'

export const SPREADSHEET_MAX_BYTES = 20 * 1024 * 1024
/** Rows of an upload shown beside its column mapping. */
const SAMPLE_ROWS = 3

export { mappingStateKey }

/** CSV or XLSX, first row headings: what every file-based connector accepts. */
export const sheetUpload: UploadSpec = {
  extensions: ['.csv', '.xlsx'],
  maxBytes: SPREADSHEET_MAX_BYTES,
  async inspect(file) {
    try {
      const sheet = await inspectSheet(file.filename, file.content, SAMPLE_ROWS)
      const named = sheet.headers.flatMap((h, i) => (h ? [i] : []))
      return {
        headers: named.map((i) => sheet.headers[i]!),
        rows: sheet.rows,
        encoding: sheet.encoding,
        sample: sheet.sample.map((r) => named.map((i) => r[i] ?? '')),
      }
    } catch (err) {
      if (err instanceof SheetError) return { error: err.message }
      throw err
    }
  },
}

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
  // The external id column names the record; every other mapped column is a field.
  pull: (module, ctx) =>
    mappedSheetPages(module, ctx, sheetUpload, ({ row, values, id }) => {
      const externalId = (id?.value ?? '').trim()
      return externalId ? { record: { externalId, data: values, row } } : { error: { row, field: id?.column, message: 'The external id is empty' } }
    }),
}
