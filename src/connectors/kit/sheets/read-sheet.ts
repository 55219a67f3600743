import type { Worker } from 'node:worker_threads'
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

/**
 * One reader is kept warm between files: starting one costs a thread and its parsers (about 0.4 s
 * on the 2-core machine), which every upload and every SYNC of a sheet paid. It ends after a quiet
 * half-minute, and never keeps the process alive; reads at the same time each get a reader of their own.
 */
const IDLE_MS = 30_000
let idle: { worker: Worker; timer: NodeJS.Timeout } | null = null

function takeReader(): Worker {
  if (!idle) return startWorker('sheet-reader')
  const { worker, timer } = idle
  idle = null
  clearTimeout(timer)
  worker.removeAllListeners('exit')
  worker.ref()
  return worker
}

/** A reader that finished its file cleanly waits for the next one, or ends if another already waits. */
function giveBack(worker: Worker): void {
  // Only ours: Node's own listeners on a worker (newListener, which refs its port) stay.
  for (const event of ['message', 'error', 'exit']) worker.removeAllListeners(event)
  if (idle) return void worker.terminate()
  worker.unref()
  const timer = setTimeout(() => {
    if (idle?.worker === worker) idle = null
    void worker.terminate()
  }, IDLE_MS)
  timer.unref()
  worker.once('exit', () => {
    if (idle?.worker !== worker) return
    clearTimeout(idle.timer)
    idle = null
  })
  idle = { worker, timer }
}

/** Reads the file on a worker, handing each message to `onMessage`; resolves when the worker is done. */
function readInWorker(filename: string, content: Buffer, onMessage: (m: Exclude<Message, { type: 'error' }>) => void): Promise<void> {
  const worker = takeReader()
  return new Promise<void>((resolve, reject) => {
    let settled = false
    /** `reusable`: the reader answered to the end (a file it refused included) and can take the next file. */
    const finish = (err: Error | null, reusable: boolean) => {
      if (settled) return
      settled = true
      if (reusable) giveBack(worker)
      else void worker.terminate()
      if (err) reject(err)
      else resolve()
    }
    worker.on('message', (m: Message) => {
      if (m.type === 'error') return finish(m.sheetError ? new SheetError(m.message) : new Error(`The sheet reader failed: ${m.message}`), m.sheetError)
      try {
        onMessage(m.type === 'header' ? { ...m, headers: clean(m.headers) } : m.type === 'rows' ? { type: 'rows', rows: m.rows.map(clean) } : m)
      } catch (err) {
        return finish(err as Error, false)
      }
      if (m.type === 'end') finish(null, true)
    })
    worker.once('error', (err) => finish(err, false))
    worker.once('exit', (code) => finish(new Error(`The sheet reader stopped (exit code ${code}) before it finished ${filename}.`), false))
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
