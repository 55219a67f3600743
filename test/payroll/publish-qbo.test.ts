import { describe, expect, it } from 'vitest'
import { qboHub } from '../helpers/qbo.js'
import { actor } from '../helpers/hub.js'
import { runImport } from '../../src/staging/import-service.js'
import { QBO_ID, quickbooksOnlineConnector } from '../../src/connectors/quickbooks-online/connector.js'
import { saveTimeEntry } from '../../src/time-entries/service.js'
import { approvePeriod, unlockPeriod } from '../../src/payroll/period-service.js'
import { getPayrollSettings } from '../../src/payroll/payroll-settings.js'
import { groupsOf, saveMapping } from '../../src/payroll/mapping-service.js'
import { publishPeriod, publishState, retryFailed } from '../../src/payroll/publish-service.js'
import { startSending } from '../../src/payroll/publish-sender.js'
import { RunRegistry } from '../../src/staging/run-registry.js'
import { connectorContext } from '../../src/integrations/connector-context.js'
import type { ModuleId } from '../../src/connectors/kit/records.js'

const PERIOD = { start: '2024-06-03', end: '2024-06-09' }

/** QuickBooks Online connected and the sync source, with employees, customers, items and classes imported and REG/OT mapped to hand-made payroll items. */
async function setUp() {
  const h = await qboHub({ employees: 3, customers: 2 })
  await h.connect()
  for (const m of ['departments', 'job_sites', 'cost_codes', 'employees'] as ModuleId[]) {
    await h.sync(m)
    const ids = (await h.staged(m)).map((r) => r.id)
    const r = await runImport(h.t.deps, actor, {
      integration: QBO_ID,
      integrationName: 'QuickBooks Online',
      module: m,
      ids,
      trigger: 'manual',
      defaultTimeZone: 'UTC',
    })
    expect(r.failed).toEqual([])
  }
  const now = new Date().toISOString()
  const item = async (name: string) =>
    (
      await h.t.db
        .insertInto('payroll_items')
        .values({ name, description: null, note: null, source_integration: null, external_id: null, created_at: now, updated_at: now })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id
  const [group] = await groupsOf(h.t.db, QBO_ID)
  await saveMapping(h.t.db, actor, group!.id, { REG: await item('Regular'), OT: await item('Overtime') })
  const employee = await h.t.db.selectFrom('employees').select(['id', 'external_id']).where('first_name', '=', 'Emily').executeTakeFirstOrThrow()
  const job = await h.t.db.selectFrom('job_sites').select(['id', 'external_id']).where('number', 'like', '%:Kitchen Remodel').executeTakeFirstOrThrow()
  const framing = await h.t.db.selectFrom('cost_codes').select(['id', 'external_id']).where('code', '=', 'Framing').executeTakeFirstOrThrow()
  const crew = await h.t.db.selectFrom('departments').select(['id', 'external_id']).where('code', '=', 'Field Crew').executeTakeFirstOrThrow()
  const settings = await getPayrollSettings(h.t.db, 'UTC')
  const enter = async (date: string, hours: string, id?: number) => {
    const saved = await saveTimeEntry(
      h.t.db,
      actor,
      {
        employee_id: String(employee.id),
        date,
        hours,
        pay_id: 'REG',
        job_site_id: String(job.id),
        cost_code_id: String(framing.id),
        department_id: String(crew.id),
      },
      { source: 'manual', id },
    )
    if (!saved.ok) throw new Error(JSON.stringify(saved.errors))
    return saved.id
  }
  const publish = async () => {
    const result = await publishPeriod(h.t.db, actor, settings, PERIOD, quickbooksOnlineConnector)
    const sent = await startSending(h.t.deps, quickbooksOnlineConnector)
    return { result, sent }
  }
  const activities = () => h.sim.company.objects.get('TimeActivity')!
  return { h, settings, enter, publish, activities, employee, job, framing, crew }
}

describe('publishing a period to QuickBooks Online', () => {
  it('two instances asked to send at once: one sends every line once, the other leaves the lines to it', async () => {
    const { h, enter, activities } = await setUp()
    for (const d of ['03', '04', '05']) await enter(`2024-06-${d}`, '8')
    await approvePeriod(h.t.db, actor, PERIOD)
    await publishPeriod(h.t.db, actor, await getPayrollSettings(h.t.db, 'UTC'), PERIOD, quickbooksOnlineConnector)
    // A second instance of the same database: its own registry of what it runs.
    const other = { ...h.t.deps, runs: new RunRegistry('other-host:7') }
    const [here, there] = await Promise.all([startSending(h.t.deps, quickbooksOnlineConnector), startSending(other, quickbooksOnlineConnector)])
    const [sender, idle] = here.sent > 0 ? [here, there] : [there, here]
    expect(sender).toMatchObject({ sent: 3, failed: 0 })
    expect(idle).toMatchObject({ sent: 0, sendingElsewhere: expect.any(String) })
    expect(activities()).toHaveLength(3)
    // The lease is given back: either instance sends next time.
    expect(await h.t.db.selectFrom('connector_state').select('key').where('key', '=', 'publish:sender').execute()).toEqual([])
  })

  it('sends one TimeActivity per line with the linked ids, a requestid, and hours and minutes; a second publish sends nothing', async () => {
    const { h, enter, publish, activities, employee, job, framing, crew } = await setUp()
    for (const d of ['03', '04', '05', '06']) await enter(`2024-06-${d}`, '8.5')
    await enter('2024-06-07', '9')
    await approvePeriod(h.t.db, actor, PERIOD)
    const { result, sent } = await publish()
    expect(result).toEqual({ ok: true, added: 6, corrected: 0, removed: 0, unchanged: 0 })
    expect(sent).toEqual({ sent: 6, failed: 0, pending: 0, unconfirmed: 0, stopped: null })
    expect(activities()).toHaveLength(6)
    const monday = activities().find((a) => a.TxnDate === '2024-06-03')!
    expect(monday).toMatchObject({
      NameOf: 'Employee',
      EmployeeRef: { value: employee.external_id },
      CustomerRef: { value: job.external_id },
      ItemRef: { value: framing.external_id },
      ClassRef: { value: crew.external_id },
      Hours: 8,
      Minutes: 30,
      BillableStatus: 'NotBillable',
    })
    expect(String(monday.Description)).toMatch(/^Regular hours from Clockbridge/)
    const posts = h.sim.log.filter((l) => l.method === 'POST' && l.path === '/timeactivity')
    expect(posts.every((p) => /requestid=[0-9a-f-]{36}/.test(p.query))).toBe(true)
    const state = await publishState(h.t.db, QBO_ID, PERIOD)
    expect(state.lines.every((l) => l.status === 'sent' && l.external_ref)).toBe(true)
    expect((await publish()).result).toEqual({ ok: true, added: 0, corrected: 0, removed: 0, unchanged: 6 })
    expect(activities()).toHaveLength(6)
  })

  it('a crash between QuickBooks creating the TimeActivity and Clockbridge recording it never doubles hours', async () => {
    const { h, enter, publish, activities } = await setUp()
    await enter('2024-06-03', '8')
    await approvePeriod(h.t.db, actor, PERIOD)
    await publishPeriod(h.t.db, actor, await setUpSettings(h), PERIOD, quickbooksOnlineConnector)
    // Sent, then the process died before recording the answer: the line is still pending.
    const [row] = (await publishState(h.t.db, QBO_ID, PERIOD)).lines
    const ctx = await connectorContext(h.t.deps, quickbooksOnlineConnector, new AbortController().signal, h.t.deps.logger)
    await quickbooksOnlineConnector.publish!(
      [{ id: row!.id, key: `${row!.line_key}#1`, action: 'add', payload: JSON.parse(row!.payload), externalRef: null, attempt: 1, unconfirmed: false }],
      ctx as Parameters<NonNullable<typeof quickbooksOnlineConnector.publish>>[1],
    )
    expect(activities()).toHaveLength(1)
    expect((await publishState(h.t.db, QBO_ID, PERIOD)).lines[0]!.status).toBe('pending')
    await startSending(h.t.deps, quickbooksOnlineConnector)
    expect(activities()).toHaveLength(1)
    expect((await publishState(h.t.db, QBO_ID, PERIOD)).lines[0]).toMatchObject({ status: 'sent', external_ref: activities()[0]!.Id })
    expect((await publish()).result).toMatchObject({ added: 0, unchanged: 1 })
  })

  it('a corrected line deletes the sent TimeActivity (with its SyncToken) and adds the new one', async () => {
    const { h, enter, publish, activities } = await setUp()
    const monday = await enter('2024-06-03', '8')
    await enter('2024-06-04', '8')
    await approvePeriod(h.t.db, actor, PERIOD)
    await publish()
    const oldId = activities().find((a) => a.TxnDate === '2024-06-03')!.Id
    await unlockPeriod(h.t.db, actor, PERIOD, 'Emily stayed late')
    await enter('2024-06-03', '9.25', monday)
    await approvePeriod(h.t.db, actor, PERIOD)
    const { result, sent } = await publish()
    expect(result).toMatchObject({ corrected: 1, unchanged: 1 })
    expect(sent).toMatchObject({ sent: 2, failed: 0 })
    expect(
      activities()
        .map((a) => [a.TxnDate, a.Hours, a.Minutes])
        .sort(),
    ).toEqual([
      ['2024-06-03', 9, 15],
      ['2024-06-04', 8, 0],
    ])
    expect(activities().some((a) => a.Id === oldId)).toBe(false)
  })

  it('a line QuickBooks refuses fails with its Fault; a line with no answer waits to be confirmed and settles by itself; retry sends only the failed', async () => {
    const { h, enter, publish, activities } = await setUp()
    await enter('2024-06-03', '8')
    await enter('2024-06-04', '8')
    await approvePeriod(h.t.db, actor, PERIOD)
    h.sim.faults.push({
      kind: 'fault',
      status: 400,
      path: '/timeactivity',
      body: {
        Fault: {
          Error: [{ Message: 'Invalid Reference Id', Detail: 'Customer assigned is invalid', code: '2500', element: 'CustomerRef' }],
          type: 'ValidationFault',
        },
      },
    })
    for (let i = 0; i < 6; i++) h.sim.faults.push({ kind: 'server-error', path: '/timeactivity' })
    const { sent } = await publish()
    expect(sent).toMatchObject({ failed: 1, unconfirmed: 1 })
    let state = await publishState(h.t.db, QBO_ID, PERIOD)
    expect(state.lines.map((l) => [l.status, l.message])).toEqual([
      [
        'failed',
        expect.stringContaining('QuickBooks Online refused the TimeActivity of Emily Platt on 2024-06-03: Invalid Reference Id (code 2500, field CustomerRef)'),
      ],
      ['unconfirmed', expect.stringContaining('Sent, no answer yet: QuickBooks Online (TimeActivity of Emily Platt on 2024-06-04): gave up after 6 attempts')],
    ])
    expect(state.lines[1]!.next_check_at! > new Date().toISOString()).toBe(true)
    expect((await h.connection())!.last_error).toContain('gave up after 6 attempts')
    const { get } = await import('../helpers/requests.js')
    const page = await (await get(h.t.app, '/payroll?period=2024-06-03', { cookie: h.admin.cookie })).text()
    expect(page).toContain('Lines: 0 sent · 1 sent, waiting for QuickBooks Online to confirm · 0 pending · 1 failed')
    expect(page).toMatch(/checks with QuickBooks Online again at \d{2}:\d{2} UTC before sending anything again/)
    expect(page).not.toContain('Publish again to send the pending lines')
    expect(await retryFailed(h.t.db, actor, QBO_ID, PERIOD)).toBe(1)
    // Its check comes due: replayed with the same requestid, it settles with no admin action.
    await dueNow(h)
    await startSending(h.t.deps, quickbooksOnlineConnector)
    state = await publishState(h.t.db, QBO_ID, PERIOD)
    expect(state.lines.map((l) => l.status)).toEqual(['sent', 'sent'])
    expect(activities()).toHaveLength(2)
  })

  it('a TimeActivity created whose answer is lost is settled by a replay with the same requestid: one activity, no admin action', async () => {
    const { h, enter, publish, activities } = await setUp()
    await enter('2024-06-03', '8')
    await approvePeriod(h.t.db, actor, PERIOD)
    // Every attempt of the first send loses its answer; QuickBooks created the activity on the first.
    for (let i = 0; i < 6; i++) h.sim.faults.push({ kind: 'lose-answer', path: '/timeactivity' })
    const { sent } = await publish()
    expect(sent).toMatchObject({ sent: 0, unconfirmed: 1, failed: 0 })
    expect(activities()).toHaveLength(1)
    const [line] = (await publishState(h.t.db, QBO_ID, PERIOD)).lines
    expect(line).toMatchObject({ status: 'unconfirmed', attempts: 1 })
    await dueNow(h)
    expect(await startSending(h.t.deps, quickbooksOnlineConnector)).toMatchObject({ sent: 1, unconfirmed: 0 })
    expect(activities()).toHaveLength(1)
    expect((await publishState(h.t.db, QBO_ID, PERIOD)).lines[0]).toMatchObject({ status: 'sent', external_ref: activities()[0]!.Id, attempts: 2 })
  })

  it('a line still unconfirmed blocks a correction of it until it is settled', async () => {
    const { h, enter, publish, settings } = await setUp()
    const monday = await enter('2024-06-03', '8')
    await approvePeriod(h.t.db, actor, PERIOD)
    for (let i = 0; i < 6; i++) h.sim.faults.push({ kind: 'server-error', path: '/timeactivity' })
    await publish()
    await unlockPeriod(h.t.db, actor, PERIOD, 'fix Monday')
    await enter('2024-06-03', '9', monday)
    await approvePeriod(h.t.db, actor, PERIOD)
    const blocked = await publishPeriod(h.t.db, actor, settings, PERIOD, quickbooksOnlineConnector)
    expect(blocked).toMatchObject({
      ok: false,
      check: {
        blocking: [
          { message: expect.stringContaining('1 line(s) of this period that changed since they were sent are waiting for QuickBooks Online to confirm them') },
        ],
      },
    })
    await dueNow(h)
    await startSending(h.t.deps, quickbooksOnlineConnector)
    expect(await publishPeriod(h.t.db, actor, settings, PERIOD, quickbooksOnlineConnector)).toMatchObject({ ok: true, corrected: 1 })
  })
})

/** The lines' next check comes due now (instead of waiting for it). */
const dueNow = (h: Awaited<ReturnType<typeof qboHub>>) => h.t.db.updateTable('publish_lines').set({ next_check_at: null }).execute()

async function setUpSettings(h: Awaited<ReturnType<typeof qboHub>>) {
  return getPayrollSettings(h.t.db, 'UTC')
}
