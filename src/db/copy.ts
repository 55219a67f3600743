import { statSync } from 'node:fs'
import SQLite from 'better-sqlite3'
import { sqliteOptions } from '../runtime/native-sqlite.js'

/**
 * A consistent copy of an open database in one new file, through SQLite's online backup (safe while
 * others write), checked before it counts: its integrity (or the quicker structural check), and
 * folded out of WAL mode so it is one file. Returns its size. A copy that fails its check is an error.
 */
export async function copyDatabase(source: SQLite.Database, file: string, check: 'integrity_check' | 'quick_check' = 'integrity_check'): Promise<number> {
  await source.backup(file)
  const copy = new SQLite(file, sqliteOptions())
  try {
    copy.pragma('journal_mode = DELETE')
    const result = copy.pragma(check, { simple: true })
    if (result !== 'ok') throw new Error(`the copy failed its ${check.replace('_', ' ')}: ${String(result)}`)
  } finally {
    copy.close()
  }
  return statSync(file).size
}
