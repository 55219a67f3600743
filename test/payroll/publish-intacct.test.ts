import { describe, expect, it } from 'vitest'
import { intacctHub } from '../helpers/intacct.js'
import { actor } from '../helpers/hub.js'
import { runImport } from '../../src/staging/import-service.js'
import { INTACCT_ID, sageIntacctConnector } from '../../src/connectors/sage-intacct/connector.js'
import { saveTimeEntry } from '../../src/time-entries/service.js'
import { approvePeriod, unlockPeriod } from '../../src/payroll/period-service.js'
import { getPayrollSettings } from '../../src/payroll/payroll-settings.js'
import { groupsOf, saveMapping } from '../../src/payroll/mapping-service.js'
import { publishPeriod, publishState } from '../../src/payroll/publish-service.js'
import { startSending } from '../../src/payroll/publish-sender.js'
import type { ModuleId } from '../../src/connectors/kit/records.js'

const PERIOD = { start: '2024-06-03', end: '2024-06-09' }

async function setUp() {
  const h = await intacctHub({ employees: 3, projects: 2 })
  for (const m of ['departments', 'payroll_items', 'job_sites', 'cost_codes', 'employees'] as ModuleId[]) {
    expect((await h.sync(m)).status).toBe('succeeded')
    const ids = (await h.staged(m)).map((r) => r.id)
    const r = await runImport(h.t.deps, actor, {
      integration: INTACCT_ID,
      integrationName: 'Sage Intacct',
      module: m,
      ids,
      trigger: 'manual',
      defaultTimeZone: 'UTC',
    })
    expect(r.failed).toEqual([])
  }
  const item = async (name: string) => (await h.t.db.selectFrom('payroll_items').select('id').where('name', '=', name).executeTakeFirstOrThrow()).id
  const [group] = await groupsOf(h.t.db, INTACCT_ID)
  await saveMapping(h.t.db, actor, group!.id, { REG: await item('Regular'), OT: await item('Overtime') })
  const employees = await h.t.db.selectFrom('employees').select(['id', 'external_id']).orderBy('external_id').execute()
  const job = await h.t.db.selectFrom('job_sites').select('id').where('number', '=', 'P100').executeTakeFirstOrThrow()
  const task = await h.t.db.selectFrom('cost_codes').select('id').where('code', '=', 'FRAM').where('job_site_id', '=', job.id).executeTakeFirstOrThrow()
  const dept = await h.t.db.selectFrom('departments').select('id').where('code', '=', '100').executeTakeFirstOrThrow()
  const settings = await getPayrollSettings(h.t.db, 'UTC')
  const enter = async (employee: number, date: string, hours: string, id?: number) => {
    const saved = await saveTimeEntry(
      h.t.db,
      actor,
      { employee_id: String(employee), date, hours, pay_id: 'REG', job_site_id: String(job.id), cost_code_id: String(task.id), department_id: String(dept.id) },
      { source: 'manual', id },
    )
    if (!saved.ok) throw new Error(JSON.stringify(saved.errors))
    return saved.id
  }
  const publish = async () => ({
    result: await publishPeriod(h.t.db, actor, settings, PERIOD, sageIntacctConnector),
    sent: await startSending(h.t.deps, sageIntacctConnector),
  })
  return { h, employees, enter, publish }
}

describe('publishing a period to Sage Intacct', () => {
  it('creates one timesheet per employee and week, entries in API order with task, time type, project and department', async () => {
    const { h, employees, enter, publish } = await setUp()
    for (const d of ['03', '04', '05']) await enter(employees[0]!.id, `2024-06-${d}`, '8')
    await enter(employees[1]!.id, '2024-06-04', '7.75')
    await approvePeriod(h.t.db, actor, PERIOD)
    const { result, sent } = await publish()
    expect(result).toMatchObject({ ok: true, added: 4 })
    expect(sent).toEqual({ sent: 4, failed: 0, pending: 0, unconfirmed: 0, stopped: null })
    expect(h.sim.timesheets.map((t) => [t.employeeId, t.begin, t.entries.length]).sort()).toEqual([
      ['E1001', '06/03/2024', 3],
      ['E1002', '06/03/2024', 1],
    ])
    expect(h.sim.timesheets.find((t) => t.employeeId === 'E1002')!.entries[0]).toMatchObject({
      ENTRYDATE: '06/04/2024',
      QTY: '7.75',
      TASKKEY: '9000',
      TIMETYPE: 'Regular',
      BILLABLE: 'false',
      DEPARTMENTID: '100',
      PROJECTID: 'P100',
    })
    const state = await publishState(h.t.db, INTACCT_ID, PERIOD)
    expect(new Set(state.lines.filter((l) => l.employee_id === employees[0]!.id).map((l) => l.external_ref)).size).toBe(1)
    expect((await publish()).result).toMatchObject({ added: 0, unchanged: 4 })
    expect(h.sim.timesheets).toHaveLength(2)
  })

  it('a crash after Intacct created the timesheet never creates a second one', async () => {
    const { h, employees, enter, publish } = await setUp()
    await enter(employees[0]!.id, '2024-06-03', '8')
    await approvePeriod(h.t.db, actor, PERIOD)
    await publish()
    // Forget the answer, as if the process died before recording it.
    await h.t.db.updateTable('publish_lines').set({ status: 'pending', external_ref: null, sent_at: null }).execute()
    const again = await startSending(h.t.deps, sageIntacctConnector)
    expect(again.sent).toBe(1)
    expect(h.sim.timesheets).toHaveLength(1)
    expect((await publishState(h.t.db, INTACCT_ID, PERIOD)).lines[0]!.external_ref).toBe(h.sim.timesheets[0]!.recordNo)
  })

  it('a correction deletes the timesheet and sends the week again with the corrected line and the unchanged ones', async () => {
    const { h, employees, enter, publish } = await setUp()
    const monday = await enter(employees[0]!.id, '2024-06-03', '8')
    await enter(employees[0]!.id, '2024-06-04', '8')
    await approvePeriod(h.t.db, actor, PERIOD)
    await publish()
    const first = h.sim.timesheets[0]!.recordNo
    await unlockPeriod(h.t.db, actor, PERIOD, 'Monday hours were mistyped')
    await enter(employees[0]!.id, '2024-06-03', '6.5', monday)
    await approvePeriod(h.t.db, actor, PERIOD)
    const { result, sent } = await publish()
    expect(result).toMatchObject({ corrected: 1, unchanged: 1 })
    expect(sent.failed).toBe(0)
    expect(h.sim.timesheets).toHaveLength(1)
    expect(h.sim.timesheets[0]!.recordNo).not.toBe(first)
    expect(h.sim.timesheets[0]!.entries.map((e) => [e.ENTRYDATE, e.QTY])).toEqual([
      ['06/03/2024', '6.5'],
      ['06/04/2024', '8'],
    ])
    const state = await publishState(h.t.db, INTACCT_ID, PERIOD)
    expect(state.lines.map((l) => l.status)).toEqual(['sent', 'sent'])
  })

  it('a timesheet Intacct refuses fails every line in it with errorno and description2', async () => {
    const { h, employees, enter, publish } = await setUp()
    await enter(employees[0]!.id, '2024-06-03', '8')
    await approvePeriod(h.t.db, actor, PERIOD)
    h.sim.objects.set('TIMETYPE', [])
    const { sent } = await publish()
    expect(sent.failed).toBe(1)
    const [line] = (await publishState(h.t.db, INTACCT_ID, PERIOD)).lines
    expect(line).toMatchObject({ status: 'failed', message: expect.stringContaining('Sage Intacct refused the timesheet of') })
    expect(line!.message).toContain('BL03000018 Invalid Time Type Regular')
  })
})

describe('publishing to Sage Intacct when answers are lost', () => {
  it('a timesheet created whose answer is lost: the retry with the same control id is refused as a repeat, read back and confirmed', async () => {
    const { h, employees, enter, publish } = await setUp()
    await enter(employees[0]!.id, '2024-06-03', '8')
    await enter(employees[0]!.id, '2024-06-04', '8')
    await approvePeriod(h.t.db, actor, PERIOD)
    h.sim.faults.push({ kind: 'lose-answer', function: 'create' })
    const { sent } = await publish()
    expect(sent).toMatchObject({ sent: 2, failed: 0, unconfirmed: 0 })
    expect(h.sim.timesheets).toHaveLength(1)
    const state = await publishState(h.t.db, INTACCT_ID, PERIOD)
    expect(state.lines.map((l) => [l.status, l.external_ref])).toEqual([
      ['sent', h.sim.timesheets[0]!.recordNo],
      ['sent', h.sim.timesheets[0]!.recordNo],
    ])
    expect(h.t.logs.join('')).toContain('retrying a Sage Intacct request')
  })

  it('a timesheet whose every answer is lost waits unconfirmed, then the next send reads it back instead of creating a second one', async () => {
    const { h, employees, enter, publish } = await setUp()
    await enter(employees[0]!.id, '2024-06-03', '8')
    await approvePeriod(h.t.db, actor, PERIOD)
    for (let i = 0; i < 6; i++) h.sim.faults.push({ kind: 'lose-answer', function: 'create' })
    expect((await publish()).sent).toMatchObject({ sent: 0, unconfirmed: 1 })
    expect((await publishState(h.t.db, INTACCT_ID, PERIOD)).lines[0]).toMatchObject({
      status: 'unconfirmed',
      message: expect.stringContaining('Before sending again Clockbridge reads back what Intacct holds'),
    })
    await h.t.db.updateTable('publish_lines').set({ next_check_at: null }).execute()
    expect(await startSending(h.t.deps, sageIntacctConnector)).toMatchObject({ sent: 1 })
    expect(h.sim.timesheets).toHaveLength(1)
  })

  it('a deletion whose answer is lost is recognised on the retry (uniqueid true) and the week goes again once', async () => {
    const { h, employees, enter, publish } = await setUp()
    const monday = await enter(employees[0]!.id, '2024-06-03', '8')
    await enter(employees[0]!.id, '2024-06-04', '8')
    await approvePeriod(h.t.db, actor, PERIOD)
    await publish()
    await unlockPeriod(h.t.db, actor, PERIOD, 'Monday was 7 hours')
    await enter(employees[0]!.id, '2024-06-03', '7', monday)
    await approvePeriod(h.t.db, actor, PERIOD)
    h.sim.faults.push({ kind: 'lose-answer', function: 'delete' })
    const { sent } = await publish()
    expect(sent).toMatchObject({ failed: 0, unconfirmed: 0 })
    expect(h.sim.timesheets).toHaveLength(1)
    expect(h.sim.timesheets[0]!.entries.map((e) => [e.ENTRYDATE, e.QTY])).toEqual([
      ['06/03/2024', '7'],
      ['06/04/2024', '8'],
    ])
    expect((await publishState(h.t.db, INTACCT_ID, PERIOD)).lines.map((l) => l.status)).toEqual(['sent', 'sent'])
  })
})

describe('Sage Intacct request limits', () => {
  it('never has more requests in flight than the company allows, whatever runs at once', async () => {
    const { h, employees, enter } = await setUp()
    h.sim.delayMs = 15
    h.sim.maxInFlight = 0
    for (const d of ['03', '04']) for (const e of employees) await enter(e.id, `2024-06-${d}`, '8')
    await approvePeriod(h.t.db, actor, PERIOD)
    await publishPeriod(h.t.db, actor, await getPayrollSettings(h.t.db, 'UTC'), PERIOD, sageIntacctConnector)
    const runs = await Promise.all([
      h.sync('employees'),
      h.sync('job_sites'),
      h.sync('cost_codes'),
      h.sync('departments'),
      startSending(h.t.deps, sageIntacctConnector),
    ])
    expect(runs.slice(0, 4).map((r) => (r as { status: string }).status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded'])
    expect(runs[4]).toMatchObject({ sent: 6, failed: 0 })
    expect(h.sim.maxInFlight).toBe(2)
    expect(h.sim.rejected).toBe(0)
  })

  it('the simulator refuses a request over the limit, as Intacct does', async () => {
    const { h } = await setUp()
    h.sim.delayMs = 50
    const endpoint = h.t.config.vendors.addresses['sage-intacct']!.endpointUrl!
    const statuses = await Promise.all([1, 2, 3].map(() => fetch(endpoint, { method: 'POST', body: '<request/>' }).then((r) => r.status)))
    expect(statuses.sort()).toEqual([200, 200, 429])
    expect(h.sim.rejected).toBe(1)
  })
})
