import { describe, expect, it } from 'vitest'
import { sql } from 'kysely'
import { CORE_MODULES } from '../../src/records/core-modules.js'
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
    // A key stored lower-cased is compared as stored.
    expect(CORE_ADAPTERS.employees.keys[1]!.value({ email: 'Ana@Example.COM' } as never)).toBe('ana@example.com')
  })
})
