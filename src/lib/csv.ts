import { stripUnprintable } from './text.js'

const FORMULA_START = /^[=+\-@\t\r]/
const PLAIN_NUMBER = /^[+-]?\d+(\.\d+)?$/

/**
 * One CSV cell: quoted only when it must be. A text a spreadsheet would run as a formula (=, +, -,
 * @, tab or return first) gets a leading apostrophe; a plain number such as -1.50 stays a number.
 */
export function csvCell(v: string | number | null | undefined): string {
  let s = v === null || v === undefined ? '' : stripUnprintable(String(v))
  if (FORMULA_START.test(s) && !PLAIN_NUMBER.test(s)) s = `'${s}`
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

/** RFC 4180 CSV with CRLF line ends, with a heading row unless `headers` is null. The one CSV writer. */
export function toCsv(headers: string[] | null, rows: (string | number | null | undefined)[][]): string {
  return (headers ? [headers, ...rows] : rows).map((r) => `${r.map(csvCell).join(',')}\r\n`).join('')
}
