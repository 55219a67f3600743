import { describe, expect, it } from 'vitest'
import { createTestApp, signInAs } from '../helpers/test-app.js'
import { post } from '../helpers/requests.js'
import { activateSource } from '../helpers/hub.js'
import { department, scriptedConnector, type ScriptedPage } from '../helpers/scripted-connector.js'
import { RUN_LEASE_MS, sweepAbandonedRuns, requestSync } from '../../src/staging/sync-runs.js'
import { RunRegistry } from '../../src/staging/run-registry.js'
import { THIS_INSTANCE } from '../../src/runtime/instance-id.js'
import { hostname } from 'node:os'
import { scopeIdOf } from '../../src/staging/staging-store-postgres.js'
import { isUniqueViolation } from '../../src/db/dialect.js'

async function setup(pages: ScriptedPage[], env: Record<string, string> = {}, invalidRecords?: 'skip-row' | 'fail-page') {
  const connector = scriptedConnector(pages, { invalidRecords })
  const t = await createTestApp(env, [connector])
  await activateSource(t.db, connector)
  const sync = async () => {
    const start = await requestSync(t.deps, { integration: 'scripted', module: 'departments', trigger: 'manual', userId: null })
    if (!start.ok) throw new Error(start.message)
    await start.done
    return t.db.selectFrom('sync_runs').selectAll().where('id', '=', start.runId).executeTakeFirstOrThrow()
  }
  const staged = async () => await t.db.selectFrom('staged_records').select(['external_id', 'removed']).orderBy('external_id').execute()
  return { t, sync, staged }
}

const five = (bad: ScriptedPage): ScriptedPage[] => [
  { records: [department('D1'), department('D2')], checkpoint: { cursor: 'p1' } },
  { records: [department('D3'), department('D4')], checkpoint: { cursor: 'p2' } },
  bad,
  { records: [department('D7')] },
  { records: [department('D8')] },
]

describe('a connector that fails mid-sync', () => {
  it('throws on page 3: pages 1-2 stay, the run fails naming the page, removals are not computed', async () => {
    const { t, sync, staged } = await setup(five({ throws: 'HTTP 503 Service Unavailable' }))
    const now = new Date().toISOString()
    await t.db
      .insertInto('staged_records')
      .values({
        scope_id: (await scopeIdOf(t.db, 'scripted', 'departments'))!,
        external_id: 'OLD',
        label: 'old',
        payload: '{}',
        hash: 'x',
        status: 'new',
        archived: 0,
        removed: 0,
        first_seen_at: now,
        last_changed_at: now,
        last_changed_run_id: 0,
      })
      .execute()
    const run = await sync()
    expect(run).toMatchObject({ status: 'failed', pages: 2, new_count: 4, removed_count: 0 })
    expect(run.error).toBe('Page 3: HTTP 503 Service Unavailable')
    expect(await staged()).toEqual(['D1', 'D2', 'D3', 'D4', 'OLD'].map((id) => ({ external_id: id, removed: 0 })))
    const state = await t.db.selectFrom('connector_state').select(['key', 'value']).execute()
    expect(state).toEqual([{ key: 'cursor', value: 'p2' }])
  })

  it('sends a malformed record on page 3: that page changes nothing and the error names the record', async () => {
    const { sync, staged } = await setup(five({ records: [department('D5'), { externalId: 'D6', data: { code: 'D6' } }] }))
    const run = await sync()
    expect(run.status).toBe('failed')
    expect(run.error).toBe('Page 3: record D6: Name is required; nothing of this page was staged')
    expect((await staged()).map((r) => r.external_id)).toEqual(['D1', 'D2', 'D3', 'D4'])
  })

  it('sends a record without an id: the page is refused', async () => {
    const { sync } = await setup(five({ records: [{ externalId: '', data: { code: 'X', name: 'X' } }] }))
    expect((await sync()).error).toBe('Page 3: record 1 has no external id or no data; nothing of this page was staged')
  })

  it('hangs on page 3: the run fails after the page timeout', async () => {
    const { sync, staged } = await setup(five({ hangs: true }), { SYNC_PAGE_TIMEOUT_SECONDS: '0.2' })
    const run = await sync()
    expect(run.status).toBe('failed')
    expect(run.error).toContain('Page 3: the source did not answer within')
    expect((await staged()).length).toBe(4)
  })

  it('skips invalid rows of a file-like connector and ends partial without removals', async () => {
    const { sync, staged, t } = await setup(
      [{ records: [department('D1'), { externalId: 'D2', data: { code: 'D2' }, row: 3 }], rowErrors: [{ row: 4, message: 'The external id is empty' }] }],
      {},
      'skip-row',
    )
    const run = await sync()
    expect(run).toMatchObject({ status: 'partial', new_count: 1, error_count: 2 })
    expect((await staged()).map((r) => r.external_id)).toEqual(['D1'])
    const errors = await t.db.selectFrom('sync_run_errors').select(['row_number', 'external_id', 'field', 'message']).orderBy('id').execute()
    expect(errors).toEqual([
      { row_number: 3, external_id: 'D2', field: 'name', message: 'Name is required' },
      { row_number: 4, external_id: null, field: null, message: 'The external id is empty' },
    ])
  })
})

describe('a first sync', () => {
  it('stages a source that repeats an id on a later page once, counting the repeat as unchanged or updated', async () => {
    const { sync, t } = await setup([{ records: [department('D1'), department('D2')] }, { records: [department('D2', 'Renamed'), department('D3')] }])
    const run = await sync()
    expect(run).toMatchObject({ status: 'succeeded', records: 4, new_count: 3, updated_count: 1 })
    const staged = await t.db.selectFrom('staged_records').select(['external_id', 'payload']).orderBy('external_id').execute()
    expect(staged.map((r) => [r.external_id, JSON.parse(r.payload).name])).toEqual([
      ['D1', 'Dept D1'],
      ['D2', 'Renamed'],
      ['D3', 'Dept D3'],
    ])
  })

  it('goes on looking records up after the repeat, and the next sync flags exactly what the source no longer has', async () => {
    const pages: ScriptedPage[] = [
      { records: [department('D1'), department('D2')] },
      { records: [department('D2'), department('D3')] },
      { records: [department('D4'), department('D1')] },
    ]
    const { sync, staged } = await setup(pages)
    expect(await sync()).toMatchObject({ status: 'succeeded', records: 6, new_count: 4, unchanged_count: 2, removed_count: 0 })
    pages.splice(0, pages.length, { records: [department('D2'), department('D3')] })
    expect(await sync()).toMatchObject({ status: 'succeeded', unchanged_count: 2, removed_count: 2 })
    expect(await staged()).toEqual([
      { external_id: 'D1', removed: 1 },
      { external_id: 'D2', removed: 0 },
      { external_id: 'D3', removed: 0 },
      { external_id: 'D4', removed: 1 },
    ])
  })
})

describe('one run per integration and module', () => {
  it('gives two simultaneous SYNC requests the same run', async () => {
    // The platform answers in 200 ms, so the run is still going when the second request arrives.
    const { t } = await setup([{ waitsMs: 200 }, { records: [department('D1')] }])
    const req = { integration: 'scripted', module: 'departments' as const, trigger: 'manual' as const, userId: null }
    const [a, b] = await Promise.all([requestSync(t.deps, req), requestSync(t.deps, req)])
    if (!a.ok || !b.ok) throw new Error('refused')
    expect(a.runId).toBe(b.runId)
    expect([a.alreadyRunning, b.alreadyRunning].sort()).toEqual([false, true])
    await t.deps.runs.idle()
    expect(await t.db.selectFrom('sync_runs').select('status').execute()).toEqual([{ status: 'succeeded' }])
  })

  it('20 SYNC presses during a run join it: one run, each press told so', async () => {
    const { t } = await setup([{ records: [department('D1')] }, { hangs: true }], { SYNC_PAGE_TIMEOUT_SECONDS: '0.5' })
    const { cookie } = await signInAs(t.db, 'admin')
    const presses = await Promise.all(Array.from({ length: 20 }, () => post(t.app, '/integrations/scripted/departments/sync', {}, { cookie, htmx: true })))
    const answers = await Promise.all(presses.map(async (r) => [r.status, await r.text()] as const))
    expect(answers.filter(([status]) => status === 202)).toHaveLength(1)
    expect(answers.filter(([status, html]) => status === 200 && html.includes('your SYNC joined run #'))).toHaveLength(19)
    await t.deps.runs.idle()
    expect(await t.db.selectFrom('sync_runs').select('id').execute()).toHaveLength(1)
  })

  it('refuses a second active run even from another process (the database index)', async () => {
    const { t } = await setup([])
    const now = new Date().toISOString()
    const row = {
      integration: 'scripted',
      module: 'departments',
      trigger: 'manual' as const,
      mode: 'full' as const,
      status: 'running' as const,
      requested_by: null,
      created_at: now,
    }
    await t.db.insertInto('sync_runs').values(row).execute()
    await expect(
      t.db
        .insertInto('sync_runs')
        .values({ ...row, status: 'queued' })
        .execute(),
    ).rejects.toSatisfy(isUniqueViolation)
  })

  it('marks runs that were running when the process died as timed out', async () => {
    const { t } = await setup([])
    const now = new Date().toISOString()
    await t.db
      .insertInto('sync_runs')
      .values({ integration: 'scripted', module: 'departments', trigger: 'schedule', mode: 'full', status: 'running', requested_by: null, created_at: now })
      .execute()
    expect(await sweepAbandonedRuns(t.deps)).toBe(1)
    const run = await t.db.selectFrom('sync_runs').selectAll().executeTakeFirstOrThrow()
    expect(run.status).toBe('timed_out')
    expect(run.error).toContain('The server running this sync stopped')
  })

  it('ends only the runs whose instance stopped: a dead process here at once, another machine after its lease, never a live one', async () => {
    const { t } = await setup([])
    const now = new Date()
    const ago = (ms: number) => new Date(now.getTime() - ms).toISOString()
    const run = (module: 'departments' | 'companies' | 'job_sites' | 'cost_codes' | 'employees', held_by: string, heartbeat_at: string) =>
      t.db
        .insertInto('sync_runs')
        .values({
          integration: 'scripted',
          module,
          trigger: 'manual',
          mode: 'full',
          status: 'running',
          requested_by: null,
          created_at: ago(600_000),
          held_by,
          heartbeat_at,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    const mine = await run('departments', THIS_INSTANCE, ago(RUN_LEASE_MS * 3))
    const deadHere = await run('companies', `${hostname()}:2147483646`, ago(1_000))
    const elsewhereFresh = await run('job_sites', 'other-host:42', ago(30_000))
    const elsewhereStale = await run('cost_codes', 'other-host:43', ago(RUN_LEASE_MS + 1_000))
    // Another instance of this database looks: its own name is not this process's.
    const other = { ...t.deps, runs: new RunRegistry('other-host:44') }
    expect(await sweepAbandonedRuns(other, now)).toBe(3)
    const status = async (id: number) => (await t.db.selectFrom('sync_runs').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status
    expect([await status(mine.id), await status(deadHere.id), await status(elsewhereFresh.id), await status(elsewhereStale.id)]).toEqual([
      'timed_out',
      'timed_out',
      'running',
      'timed_out',
    ])
    // This process's own run is never its own sweep's victim, however old its heartbeat.
    const again = await run('employees', THIS_INSTANCE, ago(RUN_LEASE_MS * 3))
    expect(await sweepAbandonedRuns(t.deps, now)).toBe(0)
    expect(await status(again.id)).toBe('running')
    // At start-up nothing of this process runs yet: a run under its name is a previous process's with the same pid.
    expect(await sweepAbandonedRuns(t.deps, now, true)).toBe(1)
    expect(await status(again.id)).toBe('timed_out')
  })

  it('refuses to sync from an integration that is not the sync source', async () => {
    const connector = scriptedConnector([])
    const t = await createTestApp({}, [connector])
    const result = await requestSync(t.deps, { integration: 'scripted', module: 'departments', trigger: 'manual', userId: null })
    expect(result).toEqual({ ok: false, message: 'Scripted Platform is not activated. Activate it on the Overview first.' })
  })
})
