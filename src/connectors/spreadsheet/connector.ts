import { z } from 'zod'
import { MODULES, MODULE_IDS, type ModuleId } from '../../integrations/modules.js'
import type { Connector, PullPage, SourceRowError } from '../types.js'
import { mappingProblems, type ColumnMapping } from './column-mapping.js'
import { readSheet, SheetError } from './read-sheet.js'

export const SPREADSHEET_PAGE_SIZE = 1000
export const SPREADSHEET_MAX_BYTES = 20 * 1024 * 1024

export const mappingStateKey = (module: ModuleId) => `mapping:${module}`

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
  upload: {
    extensions: ['.csv', '.xlsx'],
    maxBytes: SPREADSHEET_MAX_BYTES,
    async inspect(file) {
      try {
        const sheet = await readSheet(file.filename, file.content)
        return { headers: sheet.headers.filter(Boolean), rows: sheet.rows.length }
      } catch (err) {
        if (err instanceof SheetError) return { error: err.message }
        throw err
      }
    },
  },
  async *pull(module, ctx) {
    const spec = MODULES[module]
    const file = await ctx.upload(module)
    if (!file) throw new Error(`No file uploaded for ${spec.label}. Upload a CSV or XLSX file on this tab, then SYNC.`)
    const rawMapping = ctx.state[mappingStateKey(module)]
    if (!rawMapping) throw new Error(`The columns of ${file.filename} are not mapped yet. Map them on this tab, then SYNC.`)
    const mapping = JSON.parse(rawMapping) as ColumnMapping
    const sheet = await readSheet(file.filename, file.content)
    const problems = mappingProblems(mapping, sheet.headers, spec.fields, file.filename)
    if (problems.length > 0) throw new Error(problems.join(' '))

    const column = (name: string | null) => (name ? sheet.headers.indexOf(name) : -1)
    const idColumn = column(mapping.externalId)
    const fieldColumns = spec.fields.map((f) => [f.key, column(mapping.fields[f.key] ?? null)] as const)

    // A duplicate id would make two rows fight over one staged record: refuse the whole file.
    const firstRow = new Map<string, number>()
    const duplicates: string[] = []
    sheet.rows.forEach((cells, i) => {
      const id = (cells[idColumn] ?? '').trim()
      if (!id) return
      const seen = firstRow.get(id)
      if (seen !== undefined) duplicates.push(`"${id}" on rows ${seen} and ${i + 2}`)
      else firstRow.set(id, i + 2)
    })
    if (duplicates.length > 0) {
      throw new Error(`${file.filename} repeats external ids, so nothing was staged: ${duplicates.slice(0, 5).join('; ')}${duplicates.length > 5 ? ` and ${duplicates.length - 5} more` : ''}.`)
    }

    let page: PullPage = { records: [], rowErrors: [] }
    for (const [i, cells] of sheet.rows.entries()) {
      const row = i + 2 // the heading is row 1
      const externalId = (cells[idColumn] ?? '').trim()
      if (!externalId) {
        page.rowErrors!.push({ row, field: mapping.externalId ?? undefined, message: 'The external id is empty' })
      } else {
        const data: Record<string, unknown> = {}
        for (const [key, col] of fieldColumns) if (col >= 0) data[key] = cells[col] ?? ''
        page.records.push({ externalId, data, row })
      }
      if (page.records.length + page.rowErrors!.length >= SPREADSHEET_PAGE_SIZE) {
        yield page
        page = { records: [], rowErrors: [] }
      }
    }
    if (page.records.length > 0 || page.rowErrors!.length > 0) yield page
  },
}

export type { SourceRowError }
