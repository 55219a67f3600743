import { mkdtempSync, statSync, unlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { openDatabase } from '../../src/db/database.js'
import { checkpointSoon, checkpointsDone, reportCheckpointProblems } from '../../src/db/wal-checkpointer.js'

function fileWithWal(megabytes: number) {
  const file = join(mkdtempSync(join(tmpdir(), 'cb-wal-')), 'x.db')
  const opened = openDatabase(file)
  opened.sqlite.exec('create table t (id integer primary key, body blob not null)')
  const insert = opened.sqlite.prepare('insert into t (body) values (?)')
  opened.sqlite.transaction(() => {
    for (let i = 0; i < megabytes * 16; i++) insert.run(Buffer.alloc(64 * 1024, i % 251))
  })()
  return { ...opened, file }
}

describe('WAL checkpoints on a worker thread', () => {
  it('copies a large WAL into the database file off the event loop, and the data reads back', async () => {
    const { db, sqlite, file } = fileWithWal(6)
    const before = statSync(file).size
    expect(statSync(`${file}-wal`).size).toBeGreaterThan(6 * 1024 * 1024)
    checkpointSoon(sqlite)
    await checkpointsDone(sqlite)
    expect(statSync(file).size).toBeGreaterThan(before + 6 * 1024 * 1024)
    expect(sqlite.prepare('select count(*) from t').pluck().get()).toBe(96)
    // Writing goes on after the checkpoint: the WAL is reused from its start.
    sqlite.prepare('insert into t (body) values (?)').run(Buffer.from('after'))
    expect(sqlite.prepare('select count(*) from t').pluck().get()).toBe(97)
    await db.destroy()
  })

  it('leaves a small WAL alone and starts no worker', async () => {
    const { db, sqlite, file } = fileWithWal(1)
    const before = statSync(file).size
    checkpointSoon(sqlite)
    await checkpointsDone(sqlite)
    expect(statSync(file).size).toBe(before)
    await db.destroy()
  })

  it('a connection closed while its checkpoint runs closes cleanly', async () => {
    const { db, sqlite } = fileWithWal(6)
    await sql`select 1`.execute(db) // Kysely closes only a connection it has opened
    checkpointSoon(sqlite)
    await db.destroy()
    await checkpointsDone(sqlite)
    expect(sqlite.open).toBe(false)
  })

  it('says when the worker cannot checkpoint, and the app goes on', async () => {
    const { db, sqlite, file } = fileWithWal(6)
    const problems: string[] = []
    reportCheckpointProblems(sqlite, (problem) => problems.push(problem))
    unlinkSync(file) // the worker cannot open what is no longer there; this connection still can
    checkpointSoon(sqlite)
    await checkpointsDone(sqlite)
    expect(problems).toEqual([expect.stringMatching(/^the WAL checkpoint failed: cannot open .*x\.db: unable to open database file/)])
    expect(sqlite.prepare('select count(*) from t').pluck().get()).toBe(96)
    await db.destroy()
  })

  it('an in-memory database has no WAL to checkpoint: nothing is started, nothing waited for', async () => {
    const { db, sqlite } = openDatabase(':memory:')
    const problems: string[] = []
    reportCheckpointProblems(sqlite, (problem) => problems.push(problem))
    checkpointSoon(sqlite)
    await checkpointsDone(sqlite)
    expect(problems).toEqual([])
    expect(sqlite.pragma('journal_mode', { simple: true })).toBe('memory')
    expect(sqlite.prepare('select 1').pluck().get()).toBe(1)
    await db.destroy()
  })
})
