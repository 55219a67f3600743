import { MODULES, type ModuleId } from '../records.js'
import type { ConnectorContext, UploadSpec } from '../types.js'
import type { PullPage, SourceRecord, SourceRowError } from '../pages.js'
import { uploadColumns, uploadMappingProblems, type ColumnMapping } from './column-mapping.js'
import { readSheet } from './read-sheet.js'

// The latest uploaded file of a module, read through its saved column mapping: each data row as
// { column key: text }, with its external id, in pages. Shared by every file-based connector.

const SHEET_PAGE_SIZE = 1000

export const mappingStateKey = (module: ModuleId) => `mapping:${module}`

/**
 * The module's fields a saved column mapping fills: a sheet sends only what is mapped, so IMPORT
 * never writes an unmapped field over a record. Undefined before a mapping is saved.
 */
export function mappedFields(module: ModuleId, state: Readonly<Record<string, string>>): readonly string[] | undefined {
  const raw = state[mappingStateKey(module)]
  if (!raw) return undefined
  const mapping = JSON.parse(raw) as ColumnMapping
  return Object.entries(mapping.fields)
    .filter(([, column]) => !!column)
    .map(([key]) => key)
}

/** A data row: its number in the file, each mapped column's text, and the external id column's (if one is mapped). */
export type MappedRow = { row: number; values: Record<string, string>; id: { column: string; value: string } | null }

/** How a connector turns a mapped row into a record (its id and fields), or says what is wrong with it. */
export type RowReader = (r: MappedRow) => { record: SourceRecord } | { error: SourceRowError }

/** Pages of records from the uploaded file; a missing file or mapping, or a repeated id, refuses the whole file. */
export async function* mappedSheetPages(module: ModuleId, ctx: ConnectorContext<unknown>, spec: UploadSpec, read: RowReader): AsyncGenerator<PullPage> {
  const label = MODULES[module].label
  const file = await ctx.upload(module)
  if (!file) throw new Error(`No file uploaded for ${label}. Upload a CSV or XLSX file on this tab, then SYNC.`)
  const rawMapping = ctx.state[mappingStateKey(module)]
  if (!rawMapping) throw new Error(`The columns of ${file.filename} are not mapped yet. Map them on this tab, then SYNC.`)
  const mapping = JSON.parse(rawMapping) as ColumnMapping
  const sheet = await readSheet(file.filename, file.content)
  const problems = uploadMappingProblems(spec, module, mapping, sheet.headers, file.filename)
  if (problems.length > 0) throw new Error(problems.join(' '))

  const column = (name: string | null) => (name ? sheet.headers.indexOf(name) : -1)
  const columns = uploadColumns(spec, module).map((f) => [f.key, column(mapping.fields[f.key] ?? null)] as const)
  const idColumn = column(mapping.externalId)
  const results = sheet.rows.map((cells, i) => {
    const values: Record<string, string> = {}
    for (const [key, col] of columns) if (col >= 0) values[key] = cells[col] ?? ''
    const id = idColumn >= 0 ? { column: mapping.externalId!, value: cells[idColumn] ?? '' } : null
    return read({ row: i + 2, values, id }) // the heading is row 1
  })

  // A repeated id would make two rows fight over one staged record: refuse the whole file.
  const firstRow = new Map<string, number>()
  const duplicates: string[] = []
  for (const r of results) {
    if (!('record' in r)) continue
    const seen = firstRow.get(r.record.externalId)
    if (seen !== undefined) duplicates.push(`"${r.record.externalId}" on rows ${seen} and ${r.record.row}`)
    else firstRow.set(r.record.externalId, r.record.row!)
  }
  if (duplicates.length > 0) {
    throw new Error(
      `${file.filename} repeats external ids, so nothing was staged: ${duplicates.slice(0, 5).join('; ')}${duplicates.length > 5 ? ` and ${duplicates.length - 5} more` : ''}.`,
    )
  }

  for (let at = 0; at < results.length; at += SHEET_PAGE_SIZE) {
    const slice = results.slice(at, at + SHEET_PAGE_SIZE)
    // The whole row as the sheet has it, every column, for View source: made page by page, so a
    // large sheet never holds the event loop for all its rows at once.
    slice.forEach((r, i) => {
      if ('record' in r) r.record.source = sheet.headers.map((h, c) => `${h}: ${sheet.rows[at + i]![c] ?? ''}`).join('\n')
    })
    yield {
      records: slice.flatMap((r) => ('record' in r ? [r.record] : [])),
      rowErrors: slice.flatMap((r) => ('error' in r ? [r.error] : [])),
      request: `${file.filename}, uploaded ${file.uploadedAt.slice(0, 16).replace('T', ' ')} UTC, rows ${at + 2} to ${at + 1 + slice.length}`,
    }
  }
}
