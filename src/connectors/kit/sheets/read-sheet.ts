import { startWorker } from '../../../runtime/workers.js'
import { stripUnprintable } from '../../../lib/text.js'

// Reads an uploaded sheet on a worker thread (sheet-reader-worker.mjs): parsing grows with the file
// and never holds the server's event loop. The worker streams the rows back in chunks, so even the
// answer arrives in small pieces between other requests.

export type SheetEncoding = 'UTF-8' | 'Windows-1252'

/** The heading row and the data rows as text; `encoding`: how a CSV's bytes were read (null for a workbook). */
export type Sheet = { headers: string[]; rows: string[][]; encoding: SheetEncoding | null }

/** What is wrong with the file, in words the admin can act on. */
export class SheetError extends Error {}

type Message =
  | { type: 'header'; headers: string[]; encoding: SheetEncoding | null }
  | { type: 'rows'; rows: string[][] }
  | { type: 'end'; rows: number }
  | { type: 'error'; message: string; sheetError: boolean }

/** Cells as Clockbridge keeps them: without control characters or broken text a file may carry. */
const clean = (row: string[]) => row.map(stripUnprintable)

/** Reads the file on a worker, handing each message to `onMessage`; resolves when the worker is done. */
function readInWorker(filename: string, content: Buffer, onMessage: (m: Exclude<Message, { type: 'error' }>) => void): Promise<void> {
  const worker = startWorker('sheet-reader')
  return new Promise<void>((resolve, reject) => {
    let settled = false
    const finish = (err?: Error) => {
      if (settled) return
      settled = true
      void worker.terminate()
      if (err) reject(err)
      else resolve()
    }
    worker.on('message', (m: Message) => {
      if (m.type === 'error') return finish(m.sheetError ? new SheetError(m.message) : new Error(`The sheet reader failed: ${m.message}`))
      onMessage(m.type === 'header' ? { ...m, headers: clean(m.headers) } : m.type === 'rows' ? { type: 'rows', rows: m.rows.map(clean) } : m)
      if (m.type === 'end') finish()
    })
    worker.once('error', (err) => finish(err))
    worker.once('exit', (code) => finish(new Error(`The sheet reader stopped (exit code ${code}) before it finished ${filename}.`)))
    const bytes = new Uint8Array(content)
    worker.postMessage({ filename, bytes }, [bytes.buffer])
  })
}

/** The first sheet of a CSV or XLSX file: the first non-empty row is the heading row. */
export async function readSheet(filename: string, content: Buffer): Promise<Sheet> {
  const sheet: Sheet = { headers: [], rows: [], encoding: null }
  await readInWorker(filename, content, (m) => {
    if (m.type === 'header') Object.assign(sheet, { headers: m.headers, encoding: m.encoding })
    else if (m.type === 'rows') for (const row of m.rows) sheet.rows.push(row)
  })
  return sheet
}

/** What a page needs of a file, read once: its headings, row count, encoding and first rows. */
export async function inspectSheet(
  filename: string,
  content: Buffer,
  sampleRows: number,
): Promise<{ headers: string[]; rows: number; encoding: SheetEncoding | null; sample: string[][] }> {
  const found = { headers: [] as string[], rows: 0, encoding: null as SheetEncoding | null, sample: [] as string[][] }
  await readInWorker(filename, content, (m) => {
    if (m.type === 'header') Object.assign(found, { headers: m.headers, encoding: m.encoding })
    else if (m.type === 'rows' && found.sample.length < sampleRows) found.sample.push(...m.rows.slice(0, sampleRows - found.sample.length))
    else if (m.type === 'end') found.rows = m.rows
  })
  return found
}
