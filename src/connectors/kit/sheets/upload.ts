import type { UploadSpec } from '../types.js'
import { inspectSheet, SheetError } from './read-sheet.js'

export const SHEET_MAX_BYTES = 20 * 1024 * 1024
/** Rows of an upload shown beside its column mapping. */
const SAMPLE_ROWS = 3

/** CSV or XLSX, first row headings: what every file-based connector accepts. */
export const sheetUpload: UploadSpec = {
  extensions: ['.csv', '.xlsx'],
  maxBytes: SHEET_MAX_BYTES,
  async inspect(file) {
    try {
      const sheet = await inspectSheet(file.filename, file.content, SAMPLE_ROWS)
      const wider = sheet.sample.findIndex((r) => r.slice(sheet.headers.length).some((v) => v.trim() !== ''))
      if (wider >= 0)
        return {
          error: `${file.filename} does not read as a table: its row ${wider + 2} holds ${sheet.sample[wider]!.filter((v) => v.trim() !== '').length} values, but its first row names ${sheet.headers.length} column(s). The first row must name every column: save the sheet as CSV or XLSX from your spreadsheet program and upload it again.`,
        }
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
