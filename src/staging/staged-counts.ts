import type SQLite from 'better-sqlite3'
import { cachedStatement } from '../db/statements.js'

// staging_counts says how many rows of each scope have each (status, removed), so a staging tab's
// counts and page numbers are exact at a million rows without counting them. Every write to
// staged_records keeps it in step, in the same transaction: stagePage from what it knows of each
// row; the batch operations (IMPORT, Undo, Archive) by counting their rows before and after.

type Key = `${string}|${0 | 1}`

/** Changes to a scope's counts, added up in memory and written once. */
export class CountDelta {
  private readonly changes = new Map<Key, number>()

  add(status: string, removed: number, n: number): void {
    const key: Key = `${status}|${removed ? 1 : 0}`
    this.changes.set(key, (this.changes.get(key) ?? 0) + n)
  }

  /** The change from the rows' tally before a write to their tally after it (counts as numbers or, from PostgreSQL, text). */
  static between(before: Tally, after: Tally): CountDelta {
    const delta = new CountDelta()
    for (const r of before) delta.add(r.status, r.removed, -Number(r.n))
    for (const r of after) delta.add(r.status, r.removed, Number(r.n))
    return delta
  }

  /** A row moved from one (status, removed) to another. */
  move(from: [string, number], to: [string, number]): void {
    this.add(from[0], from[1], -1)
    this.add(to[0], to[1], 1)
  }

  /** The changes that are not zero, to write. */
  entries(): { status: string; removed: number; n: number }[] {
    return [...this.changes].filter(([, n]) => n !== 0).map(([key, n]) => ({ status: key.split('|')[0]!, removed: Number(key.split('|')[1]), n }))
  }

  writeTo(sqlite: SQLite.Database, scopeId: number): void {
    const upsert = cachedStatement(
      sqlite,
      'insert into staging_counts (scope_id, status, removed, n) values (?, ?, ?, ?) on conflict do update set n = n + excluded.n',
    )
    for (const [key, n] of this.changes) {
      if (n === 0) continue
      const [status, removed] = key.split('|')
      upsert.run(scopeId, status, Number(removed), n)
    }
    this.changes.clear()
  }
}

/** How many of some staged rows have each (status, removed). */
export type Tally = { status: string; removed: number; n: number | string }[]

function tally(sqlite: SQLite.Database, ids: readonly number[]): Tally {
  const sql = 'select status, removed, count(*) as n from staged_records where id in (select value from json_each(?)) group by status, removed'
  return cachedStatement(sqlite, sql).all(JSON.stringify(ids)) as Tally
}

/**
 * Runs a write that may change the status or removal flag of these rows (all of one scope) and
 * keeps the scope's counts in step. Call it inside the write's transaction.
 */
export async function keepingCounts<T>(sqlite: SQLite.Database, scopeId: number, ids: readonly number[], write: () => T | Promise<T>): Promise<T> {
  const before = tally(sqlite, ids)
  const result = await write()
  CountDelta.between(before, tally(sqlite, ids)).writeTo(sqlite, scopeId)
  return result
}

/** Counts every scope again from its rows: after a restore, or a hand edit of staged_records. */
export function recountStaging(sqlite: SQLite.Database): void {
  sqlite.transaction(() => {
    sqlite.exec('delete from staging_counts')
    sqlite.exec(
      'insert into staging_counts (scope_id, status, removed, n) select scope_id, status, removed, count(*) from staged_records group by scope_id, status, removed',
    )
  })()
}
