import { beforeEach, describe, expect, it } from 'vitest'
import { createTestApp, signInAs, type TestApp } from '../helpers/test-app.js'
import { get } from '../helpers/requests.js'
import { activateSource, actor, EMPLOYEE_MAPPING, employeesCsv, uploadCsv } from '../helpers/hub.js'
import { requestSync } from '../../src/staging/sync-runs.js'
import { IMPORT_LEASE_MS, markInterruptedImports, planImport, runImport, setArchived, undoBatch } from '../../src/staging/import-service.js'
import { THIS_INSTANCE } from '../../src/runtime/instance-id.js'
import { hostname } from 'node:os'
import { importedPayload } from '../../src/staging/staging-store.js'

let t: TestApp

const staged = () => t.db.selectFrom('staged_records').selectAll().orderBy('external_id').execute()
const run = async (id: number) => t.db.selectFrom('sync_runs').selectAll().where('id', '=', id).executeTakeFirstOrThrow()

async function sync() {
  const start = await requestSync(t.deps, { integration: 'spreadsheet', module: 'employees', trigger: 'manual', userId: null })
  if (!start.ok) throw new Error(start.message)
  await start.done
  return run(start.runId)
}

const importAll = async (createNew?: Set<number>) =>
  runImport(t.deps, actor, {
    integration: 'spreadsheet',
    integrationName: 'Spreadsheet',
    module: 'employees',
    ids: (await staged()).map((r) => r.id),
    createNew,
    trigger: 'manual',
    defaultTimeZone: 'UTC',
  })

/** The IMPORT preview of every staged employee. */
const previewAll = async () =>
  planImport(
    t.deps,
    'spreadsheet',
    'employees',
    (await staged()).map((r) => r.id),
  )

beforeEach(async () => {
  t = await createTestApp()
  await activateSource(t.db)
})

describe('sync, import, re-sync, undo', () => {
  it('stages new records, imports them, then sees changes, removals and an unchanged re-sync', async () => {
    await uploadCsv(
      t.db,
      'employees',
      employeesCsv([
        ['E1', '1001', 'Maria', 'Lopez', 'maria@example.com'],
        ['E2', '1002', 'Ken', 'Ito'],
      ]),
    )
    const first = await sync()
    expect(first).toMatchObject({ status: 'succeeded', new_count: 2, records: 2, pages: 1 })
    expect((await staged()).map((r) => r.status)).toEqual(['new', 'new'])

    const result = await importAll()
    expect(result).toMatchObject({ created: 2, updated: 0, linked: 0, failed: [] })
    const employees = await t.db.selectFrom('employees').selectAll().orderBy('employee_number').execute()
    expect(employees.map((e) => [e.first_name, e.source_integration, e.external_id])).toEqual([
      ['Maria', 'spreadsheet', 'E1'],
      ['Ken', 'spreadsheet', 'E2'],
    ])
    expect((await staged()).map((r) => r.status)).toEqual(['imported', 'imported'])

    const unchanged = await sync()
    expect(unchanged).toMatchObject({ status: 'succeeded', new_count: 0, updated_count: 0, unchanged_count: 2, removed_count: 0 })

    // Key order and spacing do not count; a real change does, and a missing row is removed at source.
    await uploadCsv(
      t.db,
      'employees',
      ['Employee ID,Number,First,Last,Email,Pay,Status,Hired', 'E1,1001, Maria ,Lopez-Diaz,maria@example.com,Hourly,Active,'].join('\n'),
    )
    const changed = await sync()
    expect(changed).toMatchObject({ status: 'succeeded', updated_count: 1, removed_count: 1 })
    const [e1, e2] = await staged()
    expect(e1).toMatchObject({ status: 'updated', removed: 0 })
    expect(e2).toMatchObject({ status: 'imported', removed: 1 })
    expect(await t.db.selectFrom('employees').select('last_name').where('external_id', '=', 'E1').executeTakeFirstOrThrow()).toEqual({ last_name: 'Lopez' })
    // The Updated pop-up compares with what was imported, however many syncs changed it since.
    expect(JSON.parse(importedPayload(e1!)!)).toMatchObject({ last_name: 'Lopez' })
    await uploadCsv(
      t.db,
      'employees',
      ['Employee ID,Number,First,Last,Email,Pay,Status,Hired', 'E1,1001,Maria,Lopez-Diaz-2,maria@example.com,Hourly,Active,'].join('\n'),
    )
    await sync()
    const [again] = await staged()
    expect([JSON.parse(importedPayload(again!)!).last_name, JSON.parse(again!.payload).last_name]).toEqual(['Lopez', 'Lopez-Diaz-2'])
  })

  it('links a hand-entered employee by number instead of duplicating it, unless told to create new', async () => {
    const now = new Date().toISOString()
    await t.db
      .insertInto('employees')
      .values({ first_name: 'Maria', last_name: 'L', employee_number: '1001', pay_group: 'HOURLY', status: 'active', created_at: now, updated_at: now })
      .execute()
    await uploadCsv(
      t.db,
      'employees',
      employeesCsv([
        ['E1', '1001', 'Maria', 'Lopez'],
        ['E2', '1002', 'Ken', 'Ito'],
      ]),
    )
    await sync()
    const plan = await previewAll()
    expect(plan.items.map((i) => [i.externalId, i.action])).toEqual([
      ['E1', 'link'],
      ['E2', 'create'],
    ])
    const result = await importAll()
    expect(result).toMatchObject({ created: 1, linked: 1 })
    const maria = await t.db.selectFrom('employees').selectAll().where('employee_number', '=', '1001').execute()
    expect(maria).toHaveLength(1)
    expect(maria[0]).toMatchObject({ last_name: 'Lopez', source_integration: 'spreadsheet', external_id: 'E1' })
  })

  it('matches natural keys with capitals beyond ASCII as the unique indexes do (SQLite lower() folds ASCII only, PostgreSQL every letter)', async () => {
    const now = new Date().toISOString()
    await t.db
      .insertInto('employees')
      .values({ first_name: 'Émile', last_name: 'Roy', employee_number: 'É-7', pay_group: 'HOURLY', status: 'active', created_at: now, updated_at: now })
      .execute()
    // Emails are stored lower-cased (as the employee form does), so Élodie's capital É finds her.
    await t.db
      .insertInto('employees')
      .values({
        first_name: 'Élodie',
        last_name: 'Roy',
        employee_number: '8',
        email: 'élodie@example.com',
        pay_group: 'HOURLY',
        status: 'active',
        created_at: now,
        updated_at: now,
      })
      .execute()
    await uploadCsv(
      t.db,
      'employees',
      employeesCsv([
        ['E1', 'É-7', 'Émile', 'Roy'],
        ['E2', 'é-7', 'Léa', 'Roy'],
        ['E3', '', 'Élodie', 'Roy', 'Élodie@example.com'],
      ]),
    )
    await sync()
    const plan = await previewAll()
    if (!t.deps.sqlite) {
      // PostgreSQL's lower() folds É too: é-7 is É-7 to its unique index, which E1 takes first.
      expect(plan.items.map((i) => [i.externalId, i.action])).toEqual([
        ['E1', 'link'],
        ['E2', 'fail'],
        ['E3', 'link'],
      ])
      const result = await importAll()
      expect(result).toMatchObject({ created: 0, linked: 2 })
      expect(result.failed).toEqual([
        { externalId: 'E2', label: expect.any(String), message: expect.stringContaining('already exists, synced from spreadsheet as E1') },
      ])
      return
    }
    // The same number links; the lower-case é is another number to SQLite's unique index, so it is created.
    expect(plan.items.map((i) => [i.externalId, i.action])).toEqual([
      ['E1', 'link'],
      ['E2', 'create'],
      ['E3', 'link'],
    ])
    expect(await importAll()).toMatchObject({ created: 1, linked: 2, failed: [] })
    const rows = await t.db.selectFrom('employees').select(['employee_number', 'email', 'external_id']).orderBy('id').execute()
    expect(rows).toEqual([
      { employee_number: 'É-7', email: null, external_id: 'E1' },
      { employee_number: null, email: 'élodie@example.com', external_id: 'E3' }, // linked, then given the source's values
      { employee_number: 'é-7', email: null, external_id: 'E2' },
    ])
  })

  it('fails one record whose new employee number another employee holds, and leaves the rest', async () => {
    const now = new Date().toISOString()
    await t.db
      .insertInto('employees')
      .values({ first_name: 'Other', last_name: 'Person', employee_number: '9', pay_group: 'HOURLY', status: 'active', created_at: now, updated_at: now })
      .execute()
    await uploadCsv(
      t.db,
      'employees',
      employeesCsv([
        ['E1', '1001', 'Maria', 'Lopez'],
        ['E2', '1002', 'Ken', 'Ito'],
      ]),
    )
    await sync()
    expect(await importAll()).toMatchObject({ created: 2, failed: [] })
    // At the source, Maria's number becomes the one Other Person holds here.
    await uploadCsv(
      t.db,
      'employees',
      employeesCsv([
        ['E1', '9', 'Maria', 'Lopez'],
        ['E2', '1002', 'Ken', 'Ito'],
      ]),
    )
    await sync()
    const result = await importAll()
    expect(result.updated).toBe(0)
    expect(result.failed).toEqual([
      {
        externalId: 'E1',
        label: 'Lopez, Maria (9)',
        message: expect.stringContaining('its employee number 9 is already used by another employee (Other Person (9))'),
      },
    ])
    expect((await staged()).map((r) => r.status)).toEqual(['updated', 'imported'])
  })

  it('imports every employee when several share an e-mail address: links the one hand-entered holder, flags the shared ones', async () => {
    const now = new Date().toISOString()
    const byHand = (first_name: string, employee_number: string, email: string) => ({
      first_name,
      last_name: 'Hand',
      employee_number,
      email,
      pay_group: 'HOURLY' as const,
      status: 'active' as const,
      created_at: now,
      updated_at: now,
    })
    await t.db
      .insertInto('employees')
      .values([byHand('Office', '9', 'office@example.com'), byHand('Ann', '10', 'family@example.com'), byHand('Bob', '11', 'family@example.com')])
      .execute()
    await uploadCsv(
      t.db,
      'employees',
      employeesCsv([
        ['E1', '1001', 'Maria', 'Lopez', 'Office@example.com'],
        ['E2', '1002', 'Ken', 'Ito', 'office@example.com'],
        ['E3', '1003', 'Cy', 'Hand', 'family@example.com'],
        ['E4', '1004', 'Dee', 'Shared', 'shared@example.com'],
        ['E5', '1005', 'Eve', 'Shared', 'shared@example.com'],
      ]),
    )
    await sync()
    const plan = await previewAll()
    // The preview decides as IMPORT does, each record seeing what the ones before it took.
    expect(plan.items.map((i) => [i.externalId, i.action, !!i.warning])).toEqual([
      ['E1', 'link', false],
      ['E2', 'create', true],
      ['E3', 'create', true],
      ['E4', 'create', false],
      ['E5', 'create', true],
    ])
    const result = await importAll()
    expect(result).toMatchObject({ created: 4, linked: 1, updated: 0, failed: [] })
    expect(result.warnings.map((w) => [w.externalId, w.message])).toEqual([
      ['E2', expect.stringContaining('its e-mail address office@example.com is also used by Lopez, Maria (1001)')],
      ['E3', expect.stringContaining('is that of 2 records entered by hand (Ann Hand (10), Bob Hand (11)), so none was linked')],
      ['E5', expect.stringContaining('its e-mail address shared@example.com is also used by Shared, Dee (1004)')],
    ])
    expect((await staged()).every((r) => r.status === 'imported')).toBe(true)
    const rows = await t.db.selectFrom('employees').select(['first_name', 'email', 'external_id']).orderBy('id').execute()
    expect(rows).toHaveLength(7)
    expect(rows[0]).toEqual({ first_name: 'Maria', email: 'office@example.com', external_id: 'E1' })
    // The flagged lines are in the batch, for its history and its undo.
    const lines = await t.db.selectFrom('import_batch_items').select(['external_id', 'action', 'message']).where('message', 'is not', null).execute()
    expect(lines.map((l) => [l.external_id, l.action])).toEqual([
      ['E2', 'created'],
      ['E3', 'created'],
      ['E5', 'created'],
    ])
    const undone = await undoBatch(t.deps, actor, result.batchId!)
    expect(undone).toMatchObject({ removed: 4 })
  })

  it('the preview says what IMPORT then does, record by record: a reference not imported yet, a key repeated in the batch', async () => {
    const now = new Date().toISOString()
    await t.db.insertInto('departments').values({ code: 'FIELD', name: 'Field crew', created_at: now, updated_at: now }).execute()
    const csv = [
      'Employee ID,Number,First,Last,Email,Pay,Status,Hired,Dept',
      'E1,1001,Maria,Lopez,,hourly,active,,Field',
      'E2,1001,Mario,Lopez,,hourly,active,,Field',
      'E3,1003,Ken,Ito,,hourly,active,,Office',
      'E4,1004,Ann,Lee,,hourly,active,,',
    ].join('\n')
    await uploadCsv(t.db, 'employees', csv, { ...EMPLOYEE_MAPPING, fields: { ...EMPLOYEE_MAPPING.fields, department: 'Dept' } })
    await sync()
    const ids = (await staged()).map((r) => r.id)
    const plan = await planImport(t.deps, 'spreadsheet', 'employees', ids)
    expect(plan.items.map((i) => [i.externalId, i.action, i.message ?? ''])).toEqual([
      ['E1', 'create', ''],
      ['E2', 'fail', expect.stringContaining('already exists, synced from spreadsheet as E1')],
      ['E3', 'fail', 'Department "Office" does not exist; import or create it first'],
      ['E4', 'create', ''],
    ])
    const result = await importAll()
    expect(result).toMatchObject({ created: 2, updated: 0, linked: 0 })
    expect(result.failed.map((f) => [f.externalId, f.message])).toEqual(plan.items.filter((i) => i.action === 'fail').map((i) => [i.externalId, i.message]))
  })

  it('the preview sees across its chunks of 2,000 what IMPORT reads back from the database', async () => {
    const rows = Array.from({ length: 2_001 }, (_, i) => [`E${String(i).padStart(4, '0')}`, String(i), 'First', `Last${i}`] as [string, string, string, string])
    rows[2_000]![1] = '0' // the last repeats the first one's number, 2,000 records later
    await uploadCsv(t.db, 'employees', employeesCsv(rows))
    await sync()
    const plan = await previewAll()
    expect(plan.items.filter((i) => i.action === 'fail').map((i) => i.externalId)).toEqual(['E2000'])
    const result = await importAll()
    expect(result.created).toBe(2_000)
    expect(result.failed.map((f) => f.externalId)).toEqual(['E2000'])
  })

  it('undoes a batch: unchanged created records go, changed ones stay with the reason', async () => {
    await uploadCsv(
      t.db,
      'employees',
      employeesCsv([
        ['E1', '1001', 'Maria', 'Lopez'],
        ['E2', '1002', 'Ken', 'Ito'],
      ]),
    )
    await sync()
    const result = await importAll()
    await t.db
      .updateTable('employees')
      .set({ phone: '555', updated_at: new Date(Date.now() + 1000).toISOString() })
      .where('external_id', '=', 'E2')
      .execute()
    const undo = await undoBatch(t.deps, actor, result.batchId!)
    expect(undo).toEqual({ removed: 1, kept: [{ label: 'Ito, Ken (1002)', reason: expect.stringContaining('changed after the import') }] })
    expect((await t.db.selectFrom('employees').select('external_id').execute()).map((e) => e.external_id)).toEqual(['E2'])
    expect((await staged()).map((r) => r.status)).toEqual(['new', 'imported'])
    expect(await undoBatch(t.deps, actor, result.batchId!)).toEqual({ error: expect.stringContaining('already undone') })
  })

  it('undoes a batch that created some records and updated others: the created go back to New, the updated are kept', async () => {
    await uploadCsv(
      t.db,
      'employees',
      employeesCsv([
        ['E1', '1001', 'Maria', 'Lopez'],
        ['E2', '1002', 'Ken', 'Ito'],
      ]),
    )
    await sync()
    const [e1] = await staged()
    await runImport(t.deps, actor, {
      integration: 'spreadsheet',
      integrationName: 'Spreadsheet',
      module: 'employees',
      ids: [e1!.id],
      trigger: 'manual',
      defaultTimeZone: 'UTC',
    })
    await uploadCsv(
      t.db,
      'employees',
      employeesCsv([
        ['E1', '1001', 'Maria', 'Lopez-Diaz'],
        ['E2', '1002', 'Ken', 'Ito'],
      ]),
    )
    await sync()
    const second = await importAll()
    expect(second).toMatchObject({ created: 1, updated: 1 })
    const undo = await undoBatch(t.deps, actor, second.batchId!)
    expect(undo).toEqual({ removed: 1, kept: [{ label: 'Lopez-Diaz, Maria (1001)', reason: 'it existed before the import and was only updated' }] })
    expect(await t.db.selectFrom('employees').select(['external_id', 'last_name']).execute()).toEqual([{ external_id: 'E1', last_name: 'Lopez-Diaz' }])
    expect((await staged()).map((r) => [r.external_id, r.status, r.core_id === null])).toEqual([
      ['E1', 'imported', false],
      ['E2', 'new', true],
    ])
  })

  it('archives records so IMPORT skips them, and unarchives them to what their data says', async () => {
    await uploadCsv(
      t.db,
      'employees',
      employeesCsv([
        ['E1', '1001', 'Maria', 'Lopez'],
        ['E2', '1002', 'Ken', 'Ito'],
      ]),
    )
    await sync()
    const [e1, e2] = await staged()
    await runImport(t.deps, actor, {
      integration: 'spreadsheet',
      integrationName: 'Spreadsheet',
      module: 'employees',
      ids: [e2!.id],
      trigger: 'manual',
      defaultTimeZone: 'UTC',
    })
    expect(await setArchived(t.deps, actor, { integration: 'spreadsheet', module: 'employees', ids: [e1!.id, e2!.id], archived: true })).toBe(2)
    expect((await importAll()).skipped).toBe(2)
    await setArchived(t.deps, actor, { integration: 'spreadsheet', module: 'employees', ids: [e1!.id, e2!.id], archived: false })
    expect((await staged()).map((r) => r.status)).toEqual(['new', 'imported'])
  })
})

describe('an IMPORT the server did not finish', () => {
  it('is recorded before it starts; one cut short by a stop is marked interrupted at start-up, audited, and shown in History', async () => {
    await uploadCsv(t.db, 'employees', employeesCsv([['E1', '1', 'Ana', 'Silva']]))
    await sync()
    const result = await importAll()
    expect(await t.db.selectFrom('import_attempts').select(['status', 'batch_id', 'records']).execute()).toEqual([
      { status: 'done', batch_id: result.batchId, records: 1 },
    ])
    // What a stopped server leaves: a running attempt whose transaction never committed.
    await t.db
      .insertInto('import_attempts')
      .values({
        integration: 'spreadsheet',
        module: 'employees',
        trigger: 'manual',
        user_id: null,
        records: 40,
        status: 'running',
        started_at: '2026-12-01T09:30:00.000Z',
      })
      .execute()
    expect(await markInterruptedImports(t.deps, true)).toBe(1)
    expect(await markInterruptedImports(t.deps, true)).toBe(0)
    const audit = await t.db.selectFrom('audit_log').select(['action', 'summary']).where('action', '=', 'integration.import_interrupted').execute()
    expect(audit[0]!.summary).toContain('An IMPORT of 40 employees from spreadsheet, started 2026-12-01 09:30 UTC, was interrupted by a server stop')
    const { cookie } = await signInAs(t.db, 'admin')
    const history = await (await get(t.app, '/integrations/spreadsheet/history', { cookie })).text()
    expect(history).toContain('IMPORTs that did not finish')
    expect(history).toContain('40 employees by — was interrupted (the server stopped)')
  })
  it('marks only the IMPORTs whose instance stopped: never a live one, another machine only after its lease', async () => {
    const now = new Date()
    const ago = (ms: number) => new Date(now.getTime() - ms).toISOString()
    const attempt = (held_by: string | null, started_at: string) =>
      t.db
        .insertInto('import_attempts')
        .values({ integration: 'spreadsheet', module: 'employees', trigger: 'manual', user_id: null, records: 5, status: 'running', started_at, held_by })
        .returning('id')
        .executeTakeFirstOrThrow()
    const mine = await attempt(THIS_INSTANCE, ago(60_000))
    const parent = await attempt(`${hostname()}:${process.ppid}`, ago(60_000))
    const deadHere = await attempt(`${hostname()}:2147483646`, ago(60_000))
    const elsewhere = await attempt('other-host:42', ago(60_000))
    const elsewhereLong = await attempt('other-host:43', ago(IMPORT_LEASE_MS + 1_000))
    const status = async (id: number) => (await t.db.selectFrom('import_attempts').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status
    const statuses = async () => Promise.all([mine, parent, deadHere, elsewhere, elsewhereLong].map((a) => status(a.id)))
    // The every-minute sweep: this process's own IMPORT and live ones stay running.
    expect(await markInterruptedImports(t.deps, false, now)).toBe(2)
    expect(await statuses()).toEqual(['running', 'running', 'interrupted', 'running', 'interrupted'])
    // At start-up, one under this instance's name is a previous process's (the same pid after a restart).
    expect(await markInterruptedImports(t.deps, true, now)).toBe(1)
    expect(await statuses()).toEqual(['interrupted', 'running', 'interrupted', 'running', 'interrupted'])
  })
})
