import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { openDatabase } from '../../src/db/database.js'
import { migrateToLatest } from '../../src/db/migrator.js'
import { down, up } from '../../migrations/2026-11-25T09-00_staging-scopes.js'

const row = (id: number, integration: string, module: string, externalId: string) =>
  sql`insert into staged_records (id, integration, module, external_id, label, payload, hash, status, archived, removed, first_seen_at, last_changed_at, last_changed_run_id)
      values (${id}, ${integration}, ${module}, ${externalId}, ${`Label ${externalId}`}, '{}', 'h', 'new', 0, 0, '2026-11-01', '2026-11-01', 1)`

describe('the staging-scopes migration', () => {
  it('moves staged rows of every integration and module to their scope, keeping ids and the id sequence, and back', async () => {
    const { db } = openDatabase(':memory:')
    await migrateToLatest(db)
    await down(db)
    for (const [id, integration, module, ext] of [
      [3, 'spreadsheet', 'employees', 'E1'],
      [7, 'spreadsheet', 'departments', 'D1'],
      [9, 'quickbooks-online', 'employees', 'E1'],
    ] as const) {
      await row(id, integration, module, ext).execute(db)
    }
    await up(db)
    const scopes = await db.selectFrom('staging_scopes').select(['id', 'integration', 'module']).orderBy('id').execute()
    expect(scopes.map((s) => `${s.integration}/${s.module}`)).toEqual(['quickbooks-online/employees', 'spreadsheet/departments', 'spreadsheet/employees'])
    // (Its own schema: the later migrations' columns are not there, so the rows are read by hand.)
    const spreadsheetEmployees = await sql<{ id: number; external_id: string }>`
      select id, external_id from staged_records where scope_id = ${scopes[2]!.id} order by label`.execute(db)
    expect(spreadsheetEmployees.rows.map((r) => [r.id, r.external_id])).toEqual([[3, 'E1']])
    // An external id is unique within its scope (E1 of QuickBooks Online is another record).
    await expect(
      sql`insert into staged_records (scope_id, external_id, label, payload, hash, status, first_seen_at, last_changed_at, last_changed_run_id) values (${scopes[2]!.id}, 'E1', 'x', '{}', 'h', 'new', 'a', 'a', 1)`.execute(
        db,
      ),
    ).rejects.toThrow(/UNIQUE/)
    const next = await sql<{
      id: number
    }>`insert into staged_records (scope_id, external_id, label, payload, hash, status, first_seen_at, last_changed_at, last_changed_run_id) values (${scopes[2]!.id}, 'E2', 'x', '{}', 'h', 'new', 'a', 'a', 1) returning id`.execute(
      db,
    )
    expect(next.rows[0]!.id).toBe(10)
    await down(db)
    const back = await sql<{ id: number; integration: string; module: string }>`select id, integration, module from staged_records order by id`.execute(db)
    expect(back.rows).toEqual([
      { id: 3, integration: 'spreadsheet', module: 'employees' },
      { id: 7, integration: 'spreadsheet', module: 'departments' },
      { id: 9, integration: 'quickbooks-online', module: 'employees' },
      { id: 10, integration: 'spreadsheet', module: 'employees' },
    ])
    await db.destroy()
  })
})
