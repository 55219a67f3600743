// The sheet reader's worker thread (plain JavaScript, like the WAL checkpointer's, so it runs the
// same under npm start, the tests and the binary). Parsing grows with the file, so it never runs on
// the server's event loop: it reads CSV (UTF-8, or Windows-1252 when the bytes are not UTF-8) or the
// first worksheet of an XLSX workbook, streamed row by row, checks the heading row, and posts
//   { type: 'header', headers, encoding }, then { type: 'rows', rows } per chunk, then { type: 'end', rows: count }
// or { type: 'error', message, sheetError } — read-sheet.ts is the other side, which keeps a
// reader warm between files.
import { parentPort } from 'node:worker_threads'
import { Readable } from 'node:stream'
import { parse } from 'csv-parse/sync'

const CHUNK = 1000

class SheetError extends Error {}

const extensionOf = (filename) => filename.toLowerCase().match(/\.[a-z0-9]+$/)?.[0] ?? ''

function decodeText(content) {
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(content), encoding: 'UTF-8' }
  } catch {
    return { text: new TextDecoder('windows-1252').decode(content), encoding: 'Windows-1252' }
  }
}

function checkCsvBytes(filename, content) {
  if (content.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04])))
    throw new SheetError(`${filename} looks like an Excel workbook saved with a .csv name; upload it as .xlsx or save it as CSV.`)
  if (content.includes(0)) throw new SheetError(`${filename} is not a text CSV file (it holds binary data).`)
}

function* csvRows(filename, text) {
  let table
  try {
    table = parse(text, { delimiter: [',', ';', '\t'], relax_column_count: true, skip_empty_lines: true, trim: true })
  } catch (err) {
    throw new SheetError(`${filename} could not be read as CSV: ${err.message}`)
  }
  yield* table
}

async function* xlsxRows(filename, content) {
  let found = false
  let reader
  // Loaded on the first workbook only: a reader that only ever sees CSV starts without it.
  const { default: ExcelJS } = await import('exceljs')
  try {
    reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from([content]), {
      sharedStrings: 'cache',
      styles: 'cache',
      hyperlinks: 'ignore',
      worksheets: 'emit',
      entries: 'emit',
    })
    for await (const worksheet of reader) {
      found = true
      for await (const row of worksheet) {
        const values = row.values
        const cells = []
        for (let col = 1; col < values.length; col++) cells.push(cellText(values[col]))
        yield cells
      }
      break
    }
  } catch (err) {
    if (err instanceof SheetError) throw err
    throw new SheetError(`${filename} could not be opened as an Excel workbook; save it again as .xlsx.`)
  }
  if (!found) throw new SheetError(`${filename} has no worksheet.`)
}

function cellText(value) {
  if (value === null || value === undefined) return ''
  if (value instanceof Date) return value.toISOString().slice(0, 10)
  if (typeof value === 'object') {
    if ('result' in value) return cellText(value.result)
    if ('richText' in value) return value.richText.map((r) => r.text).join('')
    if ('text' in value) return String(value.text)
    if ('error' in value) return ''
  }
  return String(value)
}

/** The heading row: every column with values has a heading, and no heading repeats. */
function checkHeaders(filename, headers) {
  const seen = new Map()
  headers.forEach((h, i) => {
    if (h === '') return
    const key = h.toLowerCase()
    if (seen.has(key)) throw new SheetError(`${filename} has two columns headed "${h}" (columns ${seen.get(key) + 1} and ${i + 1}); rename one.`)
    seen.set(key, i)
  })
}

async function read({ filename, bytes }) {
  const content = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const ext = extensionOf(filename)
  if (content.length === 0) throw new SheetError(`${filename} is empty.`)
  let rows
  let encoding = null
  if (ext === '.csv' || ext === '.txt') {
    checkCsvBytes(filename, content)
    const decoded = decodeText(content)
    encoding = decoded.encoding
    rows = csvRows(filename, decoded.text)
  } else if (ext === '.xlsx') rows = xlsxRows(filename, content)
  else throw new SheetError(`${filename} is not a CSV or XLSX file. Save the sheet as .csv or .xlsx and upload it again.`)
  let headers = null
  let blank = -1
  let count = 0
  let chunk = []
  for await (const row of rows) {
    if (!row.some((cell) => cell.trim() !== '')) continue
    if (!headers) {
      headers = row.map((h) => h.trim())
      blank = headers.findIndex((h) => h === '')
      checkHeaders(filename, headers)
      parentPort.postMessage({ type: 'header', headers, encoding })
      continue
    }
    if (blank >= 0 && (row[blank] ?? '').trim() !== '')
      throw new SheetError(`Column ${blank + 1} of ${filename} has values but no heading; give every column a heading in the first row.`)
    chunk.push(row)
    count++
    if (chunk.length === CHUNK) {
      parentPort.postMessage({ type: 'rows', rows: chunk })
      chunk = []
    }
  }
  if (!headers) throw new SheetError(`${filename} has no rows.`)
  if (count === 0) throw new SheetError(`${filename} has a heading row but no data rows.`)
  if (chunk.length > 0) parentPort.postMessage({ type: 'rows', rows: chunk })
  parentPort.postMessage({ type: 'end', rows: count })
}

// One file at a time: the other side sends the next job only after this one's end or error.
parentPort.on('message', (job) => {
  read(job).catch((err) =>
    parentPort.postMessage({ type: 'error', message: err instanceof Error ? err.message : String(err), sheetError: err instanceof SheetError }),
  )
})
