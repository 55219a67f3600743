import { beforeEach, describe, expect, it } from 'vitest'
import { sql } from 'kysely'
import { createTestApp, signInAs, type TestApp } from '../helpers/test-app.js'
import { get } from '../helpers/requests.js'
import { activateSource, actor, employeesCsv, uploadCsv } from '../helpers/hub.js'
import { requestSync } from '../../src/staging/sync-runs.js'
import { runImport, setArchived, undoBatch } from '../../src/staging/import-service.js'
import { catchUpSearchIndex } from '../../src/staging/staged-search.js'
import { searchQuery, searchTerms, stagingPage, statusCounts, type StagingFilter } from '../../src/staging/staging-queries.js'
import { stagedWordsMatch } from '../../src/staging/staged-words.js'
import { testsOnPostgres } from '../helpers/postgres.js'

let t: TestApp

beforeEach(async () => {
  t = await createTestApp()
  await activateSource(t.db)
})

async function sync() {
  const start = await requestSync(t.deps, { integration: 'spreadsheet', module: 'employees', trigger: 'manual', userId: null })
  if (!start.ok) throw new Error(start.message)
  await start.done
}

const staged = () => t.db.selectFrom('staged_records').selectAll().orderBy('external_id').execute()

/** The kept counts say exactly what counting the rows says. */
async function expectCountsKept() {
  const kept = await t.db
    .selectFrom('staging_counts')
    .select(['scope_id', 'status', 'removed', 'n'])
    .where('n', '!=', 0)
    .orderBy(['scope_id', 'status', 'removed'])
    .execute()
  const counted = await sql<{ scope_id: number; status: string; removed: number; n: number }>`
    select scope_id, status, removed, count(*) as n from staged_records group by scope_id, status, removed order by scope_id, status, removed`.execute(t.db)
  // count(*) is a bigint on PostgreSQL, which pg hands over as text.
  expect(kept).toEqual(counted.rows.map((r) => ({ ...r, n: Number(r.n) })))
}

/** The kept counts by status (the failed, counted apart, have their own test in pipeline.test.ts). */
const counts = async () => {
  const { failed, ...kept } = await statusCounts(t.db, 'spreadsheet', 'employees')
  expect(failed).toBe(0)
  return kept
}
const all: StagingFilter = { status: '', removed: '', q: '' }
const found = async (q: string, f: Partial<StagingFilter> = {}) =>
  (await stagingPage(t.db, 'spreadsheet', 'employees', { ...all, ...f, q }, { sort: 'label', dir: 'asc' }, 1)).rows.map((r) => r.external_id)

describe('staging counts', () => {
  it('stay exact through sync, change, removal, return, IMPORT, Archive, Unarchive and Undo', async () => {
    await uploadCsv(
      t.db,
      'employees',
      employeesCsv([
        ['E1', '1', 'Maria', 'Lopez'],
        ['E2', '2', 'Ken', 'Ito'],
        ['E3', '3', 'Ann', 'Lee'],
      ]),
    )
    await sync()
    await expectCountsKept()
    expect(await counts()).toEqual({ new: 3, updated: 0, imported: 0, archived: 0, removed: 0 })

    const ids = (await staged()).map((r) => r.id)
    const batch = await runImport(t.deps, actor, {
      integration: 'spreadsheet',
      integrationName: 'Spreadsheet',
      module: 'employees',
      ids: ids.slice(0, 2),
      trigger: 'manual',
      defaultTimeZone: 'UTC',
    })
    await expectCountsKept()
    expect(await counts()).toEqual({ new: 1, updated: 0, imported: 2, archived: 0, removed: 0 })

    // E1 changes, E3 disappears from the file.
    await uploadCsv(
      t.db,
      'employees',
      employeesCsv([
        ['E1', '1', 'Maria', 'Lopez-Diaz'],
        ['E2', '2', 'Ken', 'Ito'],
      ]),
    )
    await sync()
    await expectCountsKept()
    expect(await counts()).toEqual({ new: 1, updated: 1, imported: 1, archived: 0, removed: 1 })

    // E3 comes back unchanged; E2 is archived.
    await uploadCsv(
      t.db,
      'employees',
      employeesCsv([
        ['E1', '1', 'Maria', 'Lopez-Diaz'],
        ['E2', '2', 'Ken', 'Ito'],
        ['E3', '3', 'Ann', 'Lee'],
      ]),
    )
    await sync()
    await setArchived(t.deps, actor, { integration: 'spreadsheet', module: 'employees', ids: [ids[1]!], archived: true })
    await expectCountsKept()
    expect(await counts()).toEqual({ new: 1, updated: 1, imported: 0, archived: 1, removed: 0 })

    await setArchived(t.deps, actor, { integration: 'spreadsheet', module: 'employees', ids: [ids[1]!], archived: false })
    await expectCountsKept()
    expect(await counts()).toEqual({ new: 1, updated: 1, imported: 1, archived: 0, removed: 0 })

    // Undo removes Ken (unchanged since) and returns him to New; Maria was changed at source but her core row was not.
    const undone = await undoBatch(t.deps, actor, batch.batchId!)
    expect(undone).toMatchObject({ removed: 2 })
    await expectCountsKept()
    expect(await counts()).toEqual({ new: 3, updated: 0, imported: 0, archived: 0, removed: 0 })
  })

  it('are exact past 10,000 rows, as are the page numbers', async () => {
    const rows = Array.from({ length: 10_051 }, (_, i) => [`E${i}`, String(i), `First${i}`, `Last${i}`] as [string, string, string, string])
    await uploadCsv(t.db, 'employees', employeesCsv(rows))
    await sync()
    await expectCountsKept()
    const { cookie } = await signInAs(t.db, 'admin')
    const html = await (await get(t.app, '/integrations/spreadsheet/employees?page=300', { cookie })).text()
    expect(html).toContain('New 10,051')
    expect(html).toContain('10,051 staged records · page 202 of 202')
    expect(html).not.toContain('many')
    const page = await stagingPage(t.db, 'spreadsheet', 'employees', all, { sort: 'label', dir: 'asc' }, 202)
    expect(page.rows).toHaveLength(1)
  })
})

describe('staging search', () => {
  beforeEach(async () => {
    await uploadCsv(
      t.db,
      'employees',
      employeesCsv([
        ['QB-8000-1', '101', 'John', 'Smith'],
        ['QB-8000-2', '102', 'Joan', 'Smithers'],
        ['QB-9000-1', '103', 'José', 'Müller'],
        ['"X""1"', '104', 'Ann', 'Lee'],
      ]),
    )
    await sync()
  })

  it('finds the start of any word of the name or external id, every word the admin typed', async () => {
    expect(await found('smi')).toEqual(['QB-8000-1', 'QB-8000-2'])
    expect(await found('SMITH jo')).toEqual(['QB-8000-1', 'QB-8000-2'])
    expect(await found('smith john')).toEqual(['QB-8000-1'])
    expect(await found('8000-2')).toEqual(['QB-8000-2'])
    expect(await found('QB-9000')).toEqual(['QB-9000-1'])
    // Accents fold both ways.
    expect(await found('muller')).toEqual(['QB-9000-1'])
    expect(await found('jose')).toEqual(['QB-9000-1'])
    expect(await found('mith')).toEqual([])
  })

  it('combines with the status filter and counts its matches exactly', async () => {
    const ids = (await staged()).filter((r) => r.external_id.startsWith('QB-8000')).map((r) => r.id)
    await runImport(t.deps, actor, {
      integration: 'spreadsheet',
      integrationName: 'Spreadsheet',
      module: 'employees',
      ids: ids.slice(0, 1),
      trigger: 'manual',
      defaultTimeZone: 'UTC',
    })
    expect(await found('smith', { status: 'new' })).toEqual(['QB-8000-2'])
    expect(await found('smith', { status: 'imported' })).toEqual(['QB-8000-1'])
    const page = await stagingPage(t.db, 'spreadsheet', 'employees', { ...all, q: 'qb' }, { sort: 'label', dir: 'asc' }, 9)
    expect([page.total, page.page, page.pageCount]).toEqual([3, 1, 1])
  })

  it('takes quotes, operators and punctuation as text, never as query syntax', async () => {
    expect(searchQuery(searchTerms('a"b NEAR(x) -y *'))).toBe('"a""b"* AND "NEAR(x)"* AND "-y"*')
    for (const q of ['"', 'X"1', 'AND', 'OR smith', 'NOT', '*', '^x', 'col:x', '(', 'NEAR(a b)', '-', '%', '\\', "'"]) {
      await expect(found(q)).resolves.toBeInstanceOf(Array)
    }
    expect(await found('X"1')).toEqual(['X"1'])
    expect(await found('%')).toEqual([])
    const { cookie } = await signInAs(t.db, 'admin')
    const res = await get(t.app, '/integrations/spreadsheet/employees?q=%22%20NEAR(', { cookie, htmx: true })
    expect(res.status).toBe(200)
    expect(await res.text()).toContain('Search finds the start of any word')
  })

  it('follows a renamed record: found by its new name only', async () => {
    await uploadCsv(
      t.db,
      'employees',
      employeesCsv([
        ['QB-8000-1', '101', 'John', 'Smythe'],
        ['QB-8000-2', '102', 'Joan', 'Smithers'],
        ['QB-9000-1', '103', 'José', 'Müller'],
        ['"X""1"', '104', 'Ann', 'Lee'],
      ]),
    )
    await sync()
    expect(await found('smythe')).toEqual(['QB-8000-1'])
    expect(await found('smith')).toEqual(['QB-8000-2'])
  })

  // SQLite's FTS5 index is filled after a run; PostgreSQL's GIN index is kept in step by the database (the next test).
  it.skipIf(!!testsOnPostgres)('finds records staged since the index last caught up, and the catch-up indexes them', async () => {
    await catchUpSearchIndex(t.deps)
    await sql`insert into staged_search (staged_search) values ('delete-all')`.execute(t.db)
    await t.db.updateTable('staged_search_progress').set({ indexed_through: 0 }).execute()
    expect(await found('smith jo')).toEqual(['QB-8000-1', 'QB-8000-2'])
    expect(await found('8000-2')).toEqual(['QB-8000-2'])
    expect(await catchUpSearchIndex(t.deps)).toBe(4)
    const maxId = (await staged()).reduce((m, r) => Math.max(m, r.id), 0)
    expect(await t.db.selectFrom('staged_search_progress').select('indexed_through').executeTakeFirstOrThrow()).toEqual({ indexed_through: maxId })
    const inIndex = await sql<{ rowid: number }>`select rowid from staged_search where staged_search match ${'"smith"*'}`.execute(t.db)
    expect(inIndex.rows).toHaveLength(2)
    expect(await found('smith jo')).toEqual(['QB-8000-1', 'QB-8000-2'])
    expect(await catchUpSearchIndex(t.deps)).toBe(0)
  })
  it.skipIf(!testsOnPostgres)('on PostgreSQL, finds them through the GIN index of their folded words', async () => {
    const plan = await sql<{ 'QUERY PLAN': string }>`explain select id from staged_records where ${stagedWordsMatch(['smi', 'jo'])}`.execute(t.db)
    expect(plan.rows.map((r) => r['QUERY PLAN']).join('\n')).toContain('staged_records_words')
  })
})
