import { describe, expect, it } from 'vitest'
import { sql } from 'kysely'
import { CORE_MODULES, uniqueRules, writeSyncedRow } from '../../src/records/core-modules.js'
import { CORE_ADAPTERS } from '../../src/staging/core-adapters.js'
import { createTestApp } from '../helpers/test-app.js'

// A core module is defined once (src/records/core-modules.ts). The migrations cannot read it, so
// this holds their unique indexes to it: every natural key has its lower() unique index, and no
// unique index goes undeclared; IMPORT's adapters take their keys from the same definition.

const normalise = (s: string) => s.replace(/\s+/g, '').toLowerCase()

describe('one definition per core module', () => {
  it('every natural key is a lower() unique index of its table, and every unique index is a declared key', async () => {
    const t = await createTestApp()
    for (const module of Object.values(CORE_MODULES)) {
      const indexes = await sql<{ sql: string | null }>`select sql from sqlite_master where type = 'index' and tbl_name = ${module.table}`.execute(t.db)
      // The link to the source record (one staged record per core row) is unique too; it is not a natural key.
      const unique = indexes.rows.map((r) => normalise(r.sql ?? '')).filter((s) => s.startsWith('createuniqueindex') && !s.includes('source_integration'))
      const expected = module.naturalKeys.map((k) => normalise(k.scope ? `lower(${k.column}), coalesce(${k.scope}, 0)` : `lower(${k.column})`))
      for (const key of expected)
        expect(
          unique.some((s) => s.endsWith(`(${key})`)),
          `${module.table}: ${key}`,
        ).toBe(true)
      expect(unique.length, `${module.table} has a unique index that is not a declared natural key`).toBe(expected.length)
    }
  })

  it("IMPORT's adapters use the definition's table, keys and label", () => {
    for (const [moduleId, adapter] of Object.entries(CORE_ADAPTERS)) {
      const module = CORE_MODULES[adapter.table]
      expect(adapter.table, moduleId).toBe(module.table)
      expect(adapter.keys.map((k) => [k.column, !!k.scoped])).toEqual(module.naturalKeys.map((k) => [k.column, !!k.scope]))
      expect(adapter.label).toBe(module.label)
    }
    // An e-mail address links a hand-entered employee, never refuses one; stored lower-cased, it is compared as stored.
    expect(CORE_ADAPTERS.employees.linkKeys.map((k) => k.column)).toEqual(['email'])
    expect(CORE_ADAPTERS.employees.linkKeys[0]!.value({ email: 'Ana@Example.COM' } as never)).toBe('ana@example.com')
  })

  it("a hand edit's uniqueness checks come from the natural keys, each saying who holds the value", async () => {
    const messages = await Promise.all(
      Object.values(CORE_MODULES).flatMap((m) =>
        uniqueRules(m, { employee_number: 'E-1', email: 'a@b.c', name: 'Acme', number: '100', code: 'C1', job_site_id: 3 }).map((r) => r.message({ id: 7 })),
      ),
    )
    expect(messages).toEqual([
      'Employee number E-1 is already used (#7)',
      'A company named Acme already exists (#7)',
      'Job site number 100 is already used (#7)',
      'Cost code C1 already exists for this job site (#7)',
      'Department code C1 is already used (#7)',
      'A payroll item named Acme already exists (#7)',
    ])
    expect(uniqueRules(CORE_MODULES.cost_codes, { code: 'C1', job_site_id: null })[0]!.scope).toEqual({ column: 'job_site_id', value: null })
  })

  it('a synced row is written through its module: a column the module does not declare is refused, nothing written', async () => {
    const t = await createTestApp()
    const sqlite = t.deps.sqlite!
    expect(() => writeSyncedRow(sqlite, CORE_MODULES.departments, { code: 'D1', name: 'Field', password_hash: 'x' })).toThrow(
      'departments has no column password_hash that a sync may write',
    )
    expect(await t.db.selectFrom('departments').selectAll().execute()).toEqual([])
    const now = new Date().toISOString()
    const id = writeSyncedRow(sqlite, CORE_MODULES.departments, {
      code: 'D1',
      name: 'Field',
      source_integration: 'spreadsheet',
      external_id: 'd1',
      created_at: now,
      updated_at: now,
    })
    writeSyncedRow(sqlite, CORE_MODULES.departments, { name: 'Field crew', updated_at: now }, id)
    expect(await t.db.selectFrom('departments').select(['code', 'name', 'external_id']).execute()).toEqual([
      { code: 'D1', name: 'Field crew', external_id: 'd1' },
    ])
  })
})
