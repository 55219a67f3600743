import { parse } from 'csv-parse/sync'
import ExcelJS from 'exceljs'

export type Sheet = { headers: string[]; rows: string[][] }

export class SheetError extends Error {}

const extensionOf = (filename: string) => filename.toLowerCase().match(/\.[a-z0-9]+$/)?.[0] ?? ''

/** Reads the first sheet of a CSV or XLSX file as text cells; the first non-empty row is the header. */
export async function readSheet(filename: string, content: Buffer): Promise<Sheet> {
  const ext = extensionOf(filename)
  if (content.length === 0) throw new SheetError(`${filename} is empty.`)
  let table: string[][]
  if (ext === '.csv' || ext === '.txt') table = readCsv(filename, content)
  else if (ext === '.xlsx') table = await readXlsx(filename, content)
  else throw new SheetError(`${filename} is not a CSV or XLSX file. Save the sheet as .csv or .xlsx and upload it again.`)
  const rows = table.filter((r) => r.some((cell) => cell.trim() !== ''))
  const [header, ...body] = rows
  if (!header) throw new SheetError(`${filename} has no rows.`)
  const headers = header.map((h) => h.trim())
  const blank = headers.findIndex((h) => h === '')
  if (blank >= 0 && body.some((r) => (r[blank] ?? '').trim() !== '')) {
    throw new SheetError(`Column ${blank + 1} of ${filename} has values but no heading; give every column a heading in the first row.`)
  }
  const seen = new Map<string, number>()
  headers.forEach((h, i) => {
    if (h === '') return
    const key = h.toLowerCase()
    if (seen.has(key)) throw new SheetError(`${filename} has two columns headed "${h}" (columns ${seen.get(key)! + 1} and ${i + 1}); rename one.`)
    seen.set(key, i)
  })
  if (body.length === 0) throw new SheetError(`${filename} has a heading row but no data rows.`)
  return { headers, rows: body }
}

function readCsv(filename: string, content: Buffer): string[][] {
  if (content.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]))) {
    throw new SheetError(`${filename} looks like an Excel workbook saved with a .csv name; upload it as .xlsx or save it as CSV.`)
  }
  if (content.includes(0)) throw new SheetError(`${filename} is not a text CSV file (it holds binary data).`)
  try {
    return parse(content, { bom: true, delimiter: [',', ';', '\t'], relax_column_count: true, skip_empty_lines: true, trim: true }) as string[][]
  } catch (err) {
    throw new SheetError(`${filename} could not be read as CSV: ${(err as Error).message}`)
  }
}

async function readXlsx(filename: string, content: Buffer): Promise<string[][]> {
  const workbook = new ExcelJS.Workbook()
  try {
    await workbook.xlsx.load(content as unknown as ArrayBuffer)
  } catch {
    throw new SheetError(`${filename} could not be opened as an Excel workbook; save it again as .xlsx.`)
  }
  const sheet = workbook.worksheets[0]
  if (!sheet) throw new SheetError(`${filename} has no worksheet.`)
  const table: string[][] = []
  sheet.eachRow({ includeEmpty: false }, (row) => {
    const cells: string[] = []
    for (let col = 1; col <= sheet.columnCount; col++) cells.push(cellText(row.getCell(col).value))
    table.push(cells)
  })
  return table
}

function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return ''
  if (value instanceof Date) return value.toISOString().slice(0, 10)
  if (typeof value === 'object') {
    if ('result' in value) return cellText(value.result as ExcelJS.CellValue)
    if ('richText' in value) return value.richText.map((r) => r.text).join('')
    if ('text' in value) return String(value.text)
    if ('error' in value) return ''
  }
  return String(value)
}
