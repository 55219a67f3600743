import { mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { openDatabase } from '../../src/db/database.js'
import { migrateToLatest } from '../../src/db/migrator.js'
import { MIGRATIONS } from '../../src/db/migration-list.js'

describe('openDatabase and migrations', () => {
  it('opens a file in WAL mode with foreign keys and a busy timeout, and migrates once', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'cb-db-')), 'x.db')
    const { db, sqlite } = openDatabase(file)
    expect(sqlite.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(sqlite.pragma('foreign_keys', { simple: true })).toBe(1)
    expect(sqlite.pragma('busy_timeout', { simple: true })).toBe(5000)
    const first = await migrateToLatest(db)
    const files = readdirSync('migrations')
      .filter((f) => f.endsWith('.ts'))
      .map((f) => f.replace(/\.ts$/, ''))
    expect(Object.keys(MIGRATIONS)).toEqual(files.sort())
    expect(first.length).toBe(files.length)
    expect(first.every((r) => r.status === 'Success')).toBe(true)
    expect(await migrateToLatest(db)).toEqual([])
    const roles = await db.selectFrom('roles').select('key').orderBy('position').execute()
    expect(roles.map((r) => r.key)).toEqual(['super_admin', 'admin', 'pm', 'employee'])
    const payIds = await db.selectFrom('pay_ids').select(['code', 'kind']).orderBy('position').execute()
    expect(payIds.filter((p) => p.kind === 'fixed').map((p) => p.code)).toEqual(['REG', 'OT', 'DT', 'HOL', 'HOL_WORK', 'SFT1', 'SFT2', 'SFT3'])
    expect(payIds.filter((p) => p.kind === 'leave').map((p) => p.code)).toEqual(['BER', 'JUR', 'SIC', 'VAC'])
    await db.destroy()
  })

  it('enforces foreign keys', async () => {
    const { db } = openDatabase(':memory:')
    await migrateToLatest(db)
    const now = new Date().toISOString()
    await expect(
      db
        .insertInto('employees')
        .values({ first_name: 'A', last_name: 'B', company_id: 999, pay_group: 'HOURLY', status: 'active', created_at: now, updated_at: now })
        .execute(),
    ).rejects.toThrow(/FOREIGN KEY/)
    expect(Number((await sql<{ n: number }>`select count(*) as n from employees`.execute(db)).rows[0]?.n)).toBe(0)
  })
})
