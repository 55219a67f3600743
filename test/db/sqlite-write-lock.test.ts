import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import SQLite from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { openDatabase } from '../../src/db/database.js'
import { migrateToLatest } from '../../src/db/migrator.js'

// The worker thread's IMPORT and Undo begin their transaction with the write lock: in WAL mode a
// transaction that read first and wrote after another connection's commit failed at once with
// "database is locked" (seen in CI: an IMPORT while the search index caught up).

describe("the worker's SQLite transactions", () => {
  it('take the write lock when they begin, before any write; the server connection keeps deferred transactions', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'cb-lock-')), 'clockbridge.db')
    const server = openDatabase(file)
    await migrateToLatest(server.db)
    const worker = openDatabase(file, { writeLockingTransactions: true })
    const other = new SQLite(file)
    other.pragma('busy_timeout = 0')
    const now = new Date().toISOString()
    const write = (code: string) => () =>
      other.prepare('insert into departments (code, name, created_at, updated_at) values (?, ?, ?, ?)').run(code, code, now, now)
    await worker.db.transaction().execute(async (trx) => {
      await trx.selectFrom('departments').select('id').execute()
      expect(write('W')).toThrow(/locked|busy/i)
    })
    await server.db.transaction().execute(async (trx) => {
      await trx.selectFrom('departments').select('id').execute()
      expect(write('S')).not.toThrow()
    })
    other.close()
    await worker.db.destroy()
    await server.db.destroy()
  })
})
