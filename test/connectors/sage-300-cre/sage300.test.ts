import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { createTestApp, signInAs } from '../../helpers/test-app.js'
import { activateSource, actor } from '../../helpers/hub.js'
import { get, post, postFile } from '../../helpers/requests.js'
import { SAGE300_ID, sage300Connector } from '../../../src/connectors/sage-300-cre/connector.js'
import { timeFile, viewProblems, type TimeRecord } from '../../../src/connectors/sage-300-cre/time-file.js'
import { requestSync } from '../../../src/staging/sync-runs.js'
import { runImport } from '../../../src/staging/import-service.js'
import { saveTimeEntry } from '../../../src/time-entries/service.js'
import { approvePeriod } from '../../../src/payroll/period-service.js'
import { getPayrollSettings } from '../../../src/payroll/payroll-settings.js'
import { groupsOf, saveMapping } from '../../../src/payroll/mapping-service.js'
import { exportPayrollFile, fileExports } from '../../../src/payroll/file-exports.js'
import { saveSettings } from '../../../src/integrations/integration-service.js'
import type { ModuleId } from '../../../src/connectors/kit/records.js'
import { inScope } from '../../../src/staging/staging-queries.js'

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/sage300/${name}`, import.meta.url))
const PERIOD = { start: '2024-06-03', end: '2024-06-09' }
const FILES: [ModuleId, string, string][] = [
  ['departments', 'departments', 'departments.csv'],
  ['job_sites', 'job-sites', 'jobs.csv'],
  ['cost_codes', 'cost-codes', 'cost-codes.csv'],
  ['employees', 'employees', 'employees.csv'],
]

/** Sage 300 CRE as the sync source with each list uploaded through the Setup tab's upload, synced and imported. */
async function sageHub() {
  const t = await createTestApp()
  await activateSource(t.db, sage300Connector, t.deps.connectors)
  const { cookie } = await signInAs(t.db, 'admin')
  const sync = async (module: ModuleId) => {
    const start = await requestSync(t.deps, { integration: SAGE300_ID, module, trigger: 'manual', userId: null })
    if (!start.ok) throw new Error(start.message)
    await start.done
    return t.db.selectFrom('sync_runs').selectAll().where('id', '=', start.runId).executeTakeFirstOrThrow()
  }
  const staged = (module: ModuleId) => t.db.selectFrom('staged_records').selectAll().where(inScope(SAGE300_ID, module)).orderBy('id').execute()
  const load = async () => {
    for (const [module, slug, file] of FILES) {
      expect((await postFile(t.app, `/integrations/${SAGE300_ID}/${slug}/upload`, file, fixture(file), { cookie })).status).toBeLessThan(400)
      expect((await sync(module)).status).toBe('succeeded')
      const ids = (await staged(module)).map((r) => r.id)
      expect(
        (await runImport(t.deps, actor, { integration: SAGE300_ID, integrationName: 'Sage 300 CRE', module, ids, trigger: 'manual', defaultTimeZone: 'UTC' }))
          .failed,
      ).toEqual([])
    }
  }
  return { t, cookie, sync, staged, load }
}

const RECORDS: TimeRecord[] = [
  {
    employee: '1001',
    date: '2024-06-03',
    periodEnd: '2024-06-09',
    job: '24-101',
    extra: '',
    costCode: '03-300',
    category: 'L',
    payId: '1',
    minutes: 480,
    department: 'FLD',
  },
  {
    employee: '1001',
    date: '2024-06-04',
    periodEnd: '2024-06-09',
    job: '24-102',
    extra: '01',
    costCode: '06-100',
    category: 'L',
    payId: '2',
    minutes: 90,
    department: 'FLD',
  },
  {
    employee: '1003',
    date: '2024-06-05',
    periodEnd: '2024-06-09',
    job: 'A,B "X"',
    extra: '',
    costCode: '01-100',
    category: 'L',
    payId: '1',
    minutes: 445,
    department: '',
  },
]

describe('the Import Time file', () => {
  it('follows the time entry view, byte for byte: a standard layout', () => {
    const content = timeFile(RECORDS, {
      view: 'employee, period_end, date, job, extra, cost_code, category, pay_id, hours',
      dateFormat: 'MM/DD/YYYY',
      header: false,
    })
    expect(content).toBe(readFileSync(new URL('../../fixtures/sage300/import-time-standard.csv', import.meta.url), 'utf8'))
  })

  it('follows the time entry view, byte for byte: another order with rate, units, certified class and a heading row', () => {
    const content = timeFile(RECORDS, {
      view: 'employee date day pay_id hours rate units job extra cost_code category certified_class department',
      dateFormat: 'MM/DD/YY',
      header: true,
    })
    expect(content).toBe(readFileSync(new URL('../../fixtures/sage300/import-time-certified.csv', import.meta.url), 'utf8'))
  })

  it('defuses a cell a spreadsheet would run as a formula, as every CSV Clockbridge writes, and keeps negative hours numbers', () => {
    const risky: TimeRecord = { ...RECORDS[0]!, employee: '=HYPERLINK("http://x","click")', job: '@SUM(1)', extra: '-A1+B1', minutes: -90 }
    const content = timeFile([risky], { view: 'employee, date, job, extra, cost_code, category, pay_id, hours', dateFormat: 'MM/DD/YYYY', header: false })
    expect(content).toBe(`"'=HYPERLINK(""http://x"",""click"")",06/03/2024,'@SUM(1),'-A1+B1,03-300,L,1,-1.50\r\n`)
  })

  it('refuses a view with unknown or repeated columns, a required one missing, or a part without its whole', () => {
    expect(viewProblems('employee, date, pay_id, hours')).toEqual([])
    expect(viewProblems('employee, date, hours, job, phase')).toEqual([
      'Unknown column phase; the columns are employee, period_end, date, day, job, extra, cost_code, category, pay_id, hours, rate, units, certified_class, department',
      'The view needs pay_id: Import Time cannot place a line without it',
    ])
    expect(viewProblems('employee, date, pay_id, hours, hours, category')).toEqual(['hours appears twice', 'category needs cost_code in the view'])
  })
})

describe('Sage 300 CRE sync from exports', () => {
  it("maps Sage's headings by preset and keeps job, extra, cost code and category exactly", async () => {
    const h = await sageHub()
    await h.load()
    const jobs = await h.staged('job_sites')
    expect(jobs.map((j) => [j.external_id, JSON.parse(j.payload).number, JSON.parse(j.payload).status])).toEqual([
      ['24-101', '24-101', 'active'],
      ['24-102\t01', '24-102 / 01', 'active'],
      ['24-102\t02', '24-102 / 02', 'active'],
      ['23-090', '23-090', 'archived'],
    ])
    const costs = await h.staged('cost_codes')
    expect(costs.map((c) => c.external_id)).toContain('24-101\t\t03-300\tM')
    expect(JSON.parse(costs[0]!.payload)).toMatchObject({ code: '01-100 L', name: 'General conditions labor', job_site: '24-101' })
    const rough = await h.t.db
      .selectFrom('cost_codes')
      .innerJoin('job_sites', 'job_sites.id', 'cost_codes.job_site_id')
      .select(['cost_codes.code', 'job_sites.number'])
      .where('cost_codes.code', '=', '06-100 L')
      .orderBy('job_sites.number')
      .execute()
    expect(rough).toEqual([
      { code: '06-100 L', number: '24-102 / 01' },
      { code: '06-100 L', number: '24-102 / 02' },
    ])
    const employee = (await h.staged('employees')).find((e) => e.external_id === '1003')!
    expect(JSON.parse(employee.payload)).toMatchObject({ first_name: 'Ana', last_name: 'Silva, Jr.', status: 'disabled', hire_date: '2019-01-07' })
  })

  it('an export with the wrong columns is refused with what is missing, and nothing is staged', async () => {
    const h = await sageHub()
    const res = await postFile(h.t.app, `/integrations/${SAGE300_ID}/cost-codes/upload`, 'costs.csv', 'Job,Phase,Description\n24-101,01-100,Labor\n', {
      cookie: h.cookie,
    })
    expect(res.status).toBeLessThan(400)
    const page = await (await get(h.t.app, `/integrations/${SAGE300_ID}/cost-codes`, { cookie: h.cookie })).text()
    expect(page).toContain('Choose the column for Cost code; it is required.')
    expect(page).toContain('Choose the column for Category; it is required.')
    expect(page).not.toContain('External id *')
    const run = await h.sync('cost_codes')
    expect(run.status).toBe('failed')
    expect(run.error).toContain('Choose the column for Cost code; it is required.')
    expect(await h.staged('cost_codes')).toEqual([])
  })

  it('a row without its job or category is listed with its row number; the rest are staged', async () => {
    const h = await sageHub()
    await postFile(
      h.t.app,
      `/integrations/${SAGE300_ID}/cost-codes/upload`,
      'costs.csv',
      'Job,Extra,Cost Code,Category,Description\n24-101,,01-100,L,Labor\n,,02-200,L,No job\n24-101,,03-300,,No category\n',
      { cookie: h.cookie },
    )
    const run = await h.sync('cost_codes')
    expect(run).toMatchObject({ status: 'partial', new_count: 1, error_count: 2 })
    const errors = await h.t.db
      .selectFrom('sync_run_errors')
      .select(['row_number', 'field', 'message'])
      .where('run_id', '=', run.id)
      .orderBy('row_number')
      .execute()
    expect(errors).toEqual([
      { row_number: 3, field: 'Job', message: 'Job is empty' },
      { row_number: 4, field: 'Category', message: 'Category is empty' },
    ])
  })
})

describe('exporting an Import Time file', () => {
  async function withTime() {
    const h = await sageHub()
    await h.load()
    const maria = (await h.t.db.selectFrom('employees').select('id').where('employee_number', '=', '1001').executeTakeFirstOrThrow()).id
    const site = (await h.t.db.selectFrom('job_sites').select('id').where('number', '=', '24-101').executeTakeFirstOrThrow()).id
    const concrete = (
      await h.t.db.selectFrom('cost_codes').select('id').where('code', '=', '03-300 L').where('job_site_id', '=', site).executeTakeFirstOrThrow()
    ).id
    const enter = async (date: string, hours: string, job = site, cost: number | null = concrete) => {
      const saved = await saveTimeEntry(
        h.t.db,
        actor,
        { employee_id: String(maria), date, hours, pay_id: 'REG', job_site_id: String(job), cost_code_id: cost ? String(cost) : '' },
        { source: 'manual' },
      )
      if (!saved.ok) throw new Error(JSON.stringify(saved.errors))
    }
    const now = new Date().toISOString()
    const sageItem = (name: string) =>
      h.t.db
        .insertInto('payroll_items')
        .values({ name, description: `Sage pay ID ${name}`, note: null, source_integration: null, external_id: null, created_at: now, updated_at: now })
        .returning('id')
        .executeTakeFirstOrThrow()
    const map = async () =>
      saveMapping(h.t.db, actor, (await groupsOf(h.t.db, SAGE300_ID))[0]!.id, { REG: (await sageItem('1')).id, OT: (await sageItem('2')).id })
    const settings = await getPayrollSettings(h.t.db, 'UTC')
    return { ...h, enter, map, settings, site, maria }
  }

  it('is blocked, with a list, by a pay ID without a Sage pay ID, an unlinked job, and a cost code of another job; nothing is recorded', async () => {
    const h = await withTime()
    const now = new Date().toISOString()
    const manual = (
      await h.t.db
        .insertInto('job_sites')
        .values({ number: 'SHOP', name: 'Shop', status: 'active', country: 'US', created_at: now, updated_at: now })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id
    const other = await h.t.db
      .selectFrom('cost_codes')
      .innerJoin('job_sites', 'job_sites.id', 'cost_codes.job_site_id')
      .select('cost_codes.id')
      .where('job_sites.number', '=', '24-102 / 01')
      .executeTakeFirstOrThrow()
    await h.enter('2024-06-03', '8')
    await h.enter('2024-06-04', '8', manual, null)
    await h.t.db.updateTable('cost_codes').set({ job_site_id: h.site }).where('id', '=', other.id).execute()
    await h.enter('2024-06-05', '8', h.site, other.id)
    await approvePeriod(h.t.db, actor, PERIOD)
    const result = await exportPayrollFile(h.t.db, actor, h.settings, PERIOD, sage300Connector, false)
    if (result.ok || !('check' in result)) throw new Error('expected a blocked export')
    expect(result.check.blocking.map((b) => b.message)).toEqual([
      expect.stringContaining('REG has no payroll item of Sage 300 CRE'),
      'Job site SHOP is not linked to Sage 300 CRE: IMPORT it from Sage 300 CRE',
      'Maria Lopez on 2024-06-05: cost code 06-100 L belongs to job 24-102 / 01, not 24-101; Sage refuses a job and cost code that do not go together',
    ])
    expect(await fileExports(h.t.db, SAGE300_ID, PERIOD)).toEqual([])
  })

  it('makes the file from the mapped pay IDs, records it, and refuses a second export unless confirmed', async () => {
    const h = await withTime()
    await h.map()
    for (const d of ['03', '04', '05', '06']) await h.enter(`2024-06-${d}`, '10')
    await h.enter('2024-06-07', '2.5')
    await approvePeriod(h.t.db, actor, PERIOD)
    const first = await exportPayrollFile(h.t.db, actor, h.settings, PERIOD, sage300Connector, false)
    if (!first.ok) throw new Error(JSON.stringify(first))
    expect(first.filename).toBe('import-time-2024-06-03-2024-06-09.csv')
    expect(first.content).toBe(
      [
        '1001,06/09/2024,06/03/2024,24-101,,03-300,L,1,10.00',
        '1001,06/09/2024,06/04/2024,24-101,,03-300,L,1,10.00',
        '1001,06/09/2024,06/05/2024,24-101,,03-300,L,1,10.00',
        '1001,06/09/2024,06/06/2024,24-101,,03-300,L,1,10.00',
        '1001,06/09/2024,06/07/2024,24-101,,03-300,L,2,2.50',
        '',
      ].join('\r\n'),
    )
    const second = await exportPayrollFile(h.t.db, actor, h.settings, PERIOD, sage300Connector, false)
    expect(second).toMatchObject({ ok: false, sameFile: true, alreadyExported: { lines: 5, checksum: first.checksum } })
    expect(await fileExports(h.t.db, SAGE300_ID, PERIOD)).toHaveLength(1)
    expect((await exportPayrollFile(h.t.db, actor, h.settings, PERIOD, sage300Connector, true)).ok).toBe(true)
    expect(await fileExports(h.t.db, SAGE300_ID, PERIOD)).toHaveLength(2)
  })

  it('over HTTP: a download with its name; the second click is told when and by whom; the view setting is validated', async () => {
    const h = await withTime()
    await h.map()
    await h.enter('2024-06-03', '8')
    await approvePeriod(h.t.db, actor, PERIOD)
    await saveSettings(h.t.deps, actor, sage300Connector, {
      timeEntryView: 'employee, date, pay_id, hours, job, cost_code, category',
      dateFormat: 'MM/DD/YY',
      periodEnd: 'sunday',
      header: 'no',
    })
    const file = await post(h.t.app, `/payroll/publish/${SAGE300_ID}/export?period=2024-06-03`, {}, { cookie: h.cookie })
    expect(file.headers.get('content-disposition')).toBe('attachment; filename="import-time-2024-06-03-2024-06-09.csv"')
    expect(await file.text()).toBe('1001,06/03/24,1,8.00,24-101,03-300,L\r\n')
    const again = await post(h.t.app, `/payroll/publish/${SAGE300_ID}/export?period=2024-06-03`, {}, { cookie: h.cookie })
    expect(again.status).toBe(303)
    const page = await (await get(h.t.app, '/payroll?period=2024-06-03', { cookie: `${h.cookie}; ${again.headers.getSetCookie()[0]!.split(';')[0]}` })).text()
    expect(page).toContain('was already exported on')
    expect(page).toContain('the file now would be identical')
    expect(page).toContain('Export the Import Time file again')
    expect((await post(h.t.app, `/payroll/publish/${SAGE300_ID}?period=2024-06-03`, {}, { cookie: h.cookie })).status).toBe(404)

    const bad = await post(
      h.t.app,
      `/integrations/${SAGE300_ID}/settings`,
      { timeEntryView: 'employee, date, hours', dateFormat: 'MM/DD/YYYY', periodEnd: 'period', header: 'no' },
      { cookie: h.cookie, htmx: true },
    )
    expect(bad.status).toBe(422)
    expect(await bad.text()).toContain('The view needs pay_id: Import Time cannot place a line without it')
  })
})
