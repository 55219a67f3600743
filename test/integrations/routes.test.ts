import { PassThrough } from 'node:stream'
import ExcelJS from 'exceljs'
import { beforeEach, describe, expect, it } from 'vitest'
import { createTestApp, signInAs, type TestApp } from '../helpers/test-app.js'
import { get, post, postFile } from '../helpers/requests.js'
import { activateSource, EMPLOYEE_MAPPING, uploadCsv } from '../helpers/hub.js'
import { scriptedConnector } from '../helpers/scripted-connector.js'
import { spreadsheetConnector } from '../../src/connectors/spreadsheet/connector.js'

let t: TestApp
let cookie: string

function upload(path: string, name: string, content: Buffer | string, opts: { htmx?: boolean } = {}) {
  return postFile(t.app, path, name, content, { cookie, htmx: opts.htmx })
}

const EMP = '/integrations/spreadsheet/employees'
const HEADER = 'External ID,Employee number,First name,Last name,Email'
/** A workbook of `rows` employees, written by ExcelJS's streaming writer. */
async function bigWorkbook(rows: number): Promise<Buffer> {
  const chunks: Buffer[] = []
  const out = new PassThrough()
  out.on('data', (c: Buffer) => chunks.push(c))
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useSharedStrings: false, useStyles: false })
  const sheet = wb.addWorksheet('Employees')
  sheet.addRow(HEADER.split(',')).commit()
  for (let i = 0; i < rows; i++) sheet.addRow([`E${i}`, String(1000 + i), `First${i}`, `Last${i}`, `p${i}@example.com`]).commit()
  sheet.commit()
  await wb.commit()
  return Buffer.concat(chunks)
}

const uploads = () => t.db.selectFrom('integration_uploads').select(['filename']).execute()
const staged = () => t.db.selectFrom('staged_records').select(['external_id', 'status']).orderBy('external_id').execute()

async function syncNow() {
  const res = await post(t.app, `${EMP}/sync`, {}, { cookie, htmx: true })
  await t.deps.runs.idle()
  return res
}

beforeEach(async () => {
  t = await createTestApp({ UPLOAD_LIMIT_BYTES: String(2 * 1024 * 1024) }, [spreadsheetConnector, scriptedConnector([])])
  cookie = (await signInAs(t.db, 'admin')).cookie
})

describe('Overview and sync source', () => {
  it('lists every connector with its modules, and activates one', async () => {
    const html = await (await get(t.app, '/integrations', { cookie })).text()
    expect(html).toContain('Spreadsheet')
    expect(html).toContain('Scripted Platform')
    expect(html).toContain('✓</span> Employees')
    expect((await post(t.app, '/integrations/spreadsheet/activate', {}, { cookie })).status).toBe(303)
    expect(await t.db.selectFrom('integrations').select(['id', 'activated']).execute()).toEqual([{ id: 'spreadsheet', activated: 1 }])
  })

  it('asks for confirmation before switching the sync source, then switches', async () => {
    await activateSource(t.db, spreadsheetConnector, t.deps.connectors)
    await post(t.app, '/integrations/scripted/activate', {}, { cookie })
    const ask = await post(t.app, '/integrations/scripted/sync-source', {}, { cookie, htmx: true })
    expect(ask.status).toBe(409)
    const html = await ask.text()
    expect(html).toContain('Spreadsheet is the sync source now. Switching makes Scripted Platform the source of truth')
    expect(html).toContain('name="confirm" value="1"')
    expect((await t.db.selectFrom('integrations').select('id').where('is_sync_source', '=', 1).executeTakeFirstOrThrow()).id).toBe('spreadsheet')
    expect((await post(t.app, '/integrations/scripted/sync-source', { confirm: '1' }, { cookie })).status).toBe(303)
    expect(await t.db.selectFrom('integrations').select('id').where('is_sync_source', '=', 1).execute()).toEqual([{ id: 'scripted' }])
  })

  it('refuses SYNC from an integration that is not the sync source', async () => {
    await post(t.app, '/integrations/spreadsheet/activate', {}, { cookie })
    const res = await syncNow()
    expect(res.status).toBe(409)
    expect(await res.text()).toContain('Spreadsheet is not the sync source')
    expect(await t.db.selectFrom('sync_runs').selectAll().execute()).toEqual([])
  })

  it('answers 404 for an unknown integration or a module it cannot sync', async () => {
    expect((await get(t.app, '/integrations/nope', { cookie })).status).toBe(404)
    expect((await get(t.app, '/integrations/spreadsheet/timesheets', { cookie })).status).toBe(404)
  })
})

describe('spreadsheet uploads', () => {
  beforeEach(async () => {
    await activateSource(t.db, spreadsheetConnector, t.deps.connectors)
  })

  it('refuses a wrong file type, an empty file, a file too large and a sheet without data, storing nothing', async () => {
    const cases: [string, Buffer | string, string][] = [
      ['people.pdf', '%PDF-1.4', 'people.pdf is not a .csv or .xlsx file'],
      ['empty.csv', '', 'empty.csv is empty'],
      ['huge.csv', Buffer.alloc(2.5 * 1024 * 1024, 'a'), 'larger than 2 MB'],
      ['header-only.csv', HEADER, 'has a heading row but no data rows'],
      ['fake.xlsx', 'not a zip', 'could not be opened as an Excel workbook'],
      ['twice.csv', 'Name,name\na,b', 'two columns headed &quot;name&quot;'],
      // A plain-text note renamed .csv: its first line is no heading row.
      [
        'notes.csv',
        'Meeting notes for Monday\nWe talked about the new site, the crew, and the budget.\nNext steps: order lumber.\n',
        'notes.csv does not read as a table: its row 2 holds 3 values, but its first row names 1 column(s)',
      ],
    ]
    for (const [name, content, message] of cases) {
      const res = await upload(`${EMP}/upload`, name, content, { htmx: true })
      expect(res.status, name).toBe(422)
      expect(await res.text(), name).toContain(message)
    }
    expect(await uploads()).toEqual([])
  })

  it('accepts CSV, guesses the columns, and stages it; row errors are listed and downloadable', async () => {
    const csv = [HEADER, 'E1,1001,Maria,Lopez,maria@example.com', 'E2,1002,,Ito,ken@example.com', ',1003,No,Id,', 'E4,1004,Al,Bad,not-an-email'].join('\n')
    const uploaded = await upload(`${EMP}/upload`, 'staff.csv', csv, { htmx: true })
    expect(uploaded.status).toBe(200)
    expect(await uploaded.text()).toContain('Uploaded staff.csv: 4 rows (read as UTF-8). Check the columns, then SYNC.')
    const res = await syncNow()
    expect(res.status).toBe(202)
    const run = await t.db.selectFrom('sync_runs').selectAll().executeTakeFirstOrThrow()
    expect(run).toMatchObject({ status: 'partial', new_count: 2, error_count: 2 })
    expect(await staged()).toEqual([
      { external_id: 'E1', status: 'new' },
      { external_id: 'E4', status: 'new' },
    ])
    const tab = await (await get(t.app, EMP, { cookie })).text()
    expect(tab).toContain('First name is required')
    expect(tab).toContain('The external id is empty')
    const errors = await get(t.app, `/integrations/spreadsheet/runs/${run.id}/errors.csv`, { cookie })
    expect(errors.headers.get('content-type')).toContain('text/csv')
    expect(await errors.text()).toBe(
      'page,row,external_id,field,message\r\n1,3,E2,first_name,First name is required\r\n1,4,,External ID,The external id is empty\r\n',
    )
  })

  it('accepts XLSX with dates and numbers', async () => {
    const wb = new ExcelJS.Workbook()
    const sheet = wb.addWorksheet('Staff')
    sheet.addRow(['External ID', 'First name', 'Last name', 'Hire date', 'Employee number'])
    sheet.addRow(['X1', 'Ana', 'Silva', new Date(Date.UTC(2023, 4, 17)), 2001])
    const buffer = Buffer.from(await wb.xlsx.writeBuffer())
    expect((await upload(`${EMP}/upload`, 'staff.xlsx', buffer, { htmx: true })).status).toBe(200)
    await syncNow()
    const row = await t.db.selectFrom('staged_records').select('payload').executeTakeFirstOrThrow()
    expect(JSON.parse(row.payload)).toMatchObject({ first_name: 'Ana', hire_date: '2023-05-17', employee_number: '2001' })
  })

  it('reads a 100,000-row XLSX off the event loop: other requests are answered meanwhile, and pages never parse it again', async () => {
    const buffer = await bigWorkbook(100_000)
    // The default upload limit (25 MB) instead of this file's 2 MB.
    t = await createTestApp({}, [spreadsheetConnector])
    await activateSource(t.db, spreadsheetConnector, t.deps.connectors)
    cookie = (await signInAs(t.db, 'admin')).cookie
    let answered = 0
    let uploading = true
    const sent = Promise.resolve(upload(`${EMP}/upload`, 'big.xlsx', buffer, { htmx: true })).finally(() => (uploading = false))
    while (uploading) {
      expect((await t.app.request('/healthz')).status).toBe(200)
      answered++
      await new Promise((r) => setTimeout(r, 5))
    }
    const res = await sent
    expect(res.status).toBe(200)
    const html = await res.text()
    expect(html).toContain('100,000 rows')
    expect(html).toContain('<td>First2</td>')
    expect(answered).toBeGreaterThan(5)
    // The stored reading serves the page: the file content is not read again.
    await t.db
      .updateTable('integration_uploads')
      .set({ content: Buffer.from('not a workbook any more') })
      .execute()
    const page = await (await get(t.app, EMP, { cookie })).text()
    expect(page).toContain('<strong>big.xlsx</strong> · 100,000 rows')
  }, 30_000)

  it('reads a CSV saved as Windows-1252 (Latin-1) and says so; UTF-8 stays UTF-8', async () => {
    const latin1 = Buffer.from(`${HEADER}\nE1,1,Caf\u00e9,M\u00fcller,\n`, 'latin1')
    const res = await upload(`${EMP}/upload`, 'latin.csv', latin1, { htmx: true })
    const html = await res.text()
    expect(html).toContain('read as Windows-1252')
    expect(html).toContain('save the sheet as &quot;CSV UTF-8&quot;')
    await syncNow()
    const row = await t.db.selectFrom('staged_records').select('payload').executeTakeFirstOrThrow()
    expect(JSON.parse(row.payload)).toMatchObject({ first_name: 'Café', last_name: 'Müller' })
    const utf8 = await (await upload(`${EMP}/upload`, 'utf8.csv', Buffer.from(`${HEADER}\nE1,1,Café,Müller,\n`, 'utf8'), { htmx: true })).text()
    expect(utf8).toContain('read as UTF-8')
    expect(utf8).not.toContain('Windows-1252')
  })

  it('refuses a file with duplicate external ids and stages none of it', async () => {
    await upload(`${EMP}/upload`, 'dups.csv', [HEADER, 'E1,1,A,B,', 'E2,2,C,D,', 'E1,3,E,F,'].join('\n'))
    await syncNow()
    const run = await t.db.selectFrom('sync_runs').selectAll().executeTakeFirstOrThrow()
    expect(run.status).toBe('failed')
    expect(run.error).toContain('repeats external ids, so nothing was staged: "E1" on rows 2 and 4')
    expect(await staged()).toEqual([])
  })

  it('says which mapped column a new file lacks, and saves no broken mapping', async () => {
    await upload(`${EMP}/upload`, 'a.csv', [HEADER, 'E1,1,A,B,'].join('\n'))
    await upload(`${EMP}/upload`, 'b.csv', ['Key,Given,Family', 'E1,A,B'].join('\n'))
    await syncNow()
    const run = await t.db.selectFrom('sync_runs').selectAll().executeTakeFirstOrThrow()
    expect(run.status).toBe('failed')
    expect(run.error).toContain('Column "External ID" (external id) is not in b.csv')
    const bad = await post(t.app, `${EMP}/mapping`, { externalId: 'Key', 'field:first_name': 'Given' }, { cookie, htmx: true })
    expect(bad.status).toBe(422)
    expect(await bad.text()).toContain('Choose the column for Last name; it is required.')
    const good = await post(t.app, `${EMP}/mapping`, { externalId: 'Key', 'field:first_name': 'Given', 'field:last_name': 'Family' }, { cookie, htmx: true })
    expect(good.status).toBe(200)
    await syncNow()
    expect(await staged()).toEqual([{ external_id: 'E1', status: 'new' }])
  })
})

describe('actions need Integration Actions', () => {
  it('lets a PM look but not SYNC, IMPORT, Archive or upload', async () => {
    await activateSource(t.db, spreadsheetConnector, t.deps.connectors)
    const pm = await signInAs(t.db, 'pm')
    expect((await get(t.app, EMP, { cookie: pm.cookie })).status).toBe(200)
    const html = await (await get(t.app, EMP, { cookie: pm.cookie })).text()
    expect(html).not.toContain('>SYNC<')
    expect(html).not.toContain('>IMPORT<')
    for (const path of ['sync', 'import', 'import/preview', 'archive', 'unarchive', 'mapping']) {
      expect((await post(t.app, `${EMP}/${path}`, { all: '1' }, { cookie: pm.cookie })).status, path).toBe(403)
    }
    expect(await t.db.selectFrom('sync_runs').selectAll().execute()).toEqual([])
  })
})

describe('IMPORT through the pages', () => {
  beforeEach(async () => {
    await activateSource(t.db, spreadsheetConnector, t.deps.connectors)
    await upload(`${EMP}/upload`, 'staff.csv', [HEADER, 'E1,1001,Maria,Lopez,maria@example.com', 'E2,1002,Ken,Ito,', 'E3,1003,Ann,Lee,'].join('\n'))
    await syncNow()
  })

  it('previews, then imports "all matching" the filter', async () => {
    const preview = await post(t.app, `${EMP}/import/preview`, { all: '1', q: 'l', status: 'new', removed: '' }, { cookie, htmx: true })
    const html = await preview.text()
    expect(html).toContain('<dialog open')
    expect(html).toMatch(/<strong>2<\/strong> will be created/)
    const res = await post(t.app, `${EMP}/import`, { all: '1', q: 'l', status: 'new', removed: '' }, { cookie, htmx: true })
    expect(await res.text()).toContain('IMPORT finished: 2 created, 0 updated, 0 linked, 0 failed')
    expect(await staged()).toEqual([
      { external_id: 'E1', status: 'imported' },
      { external_id: 'E2', status: 'new' },
      { external_id: 'E3', status: 'imported' },
    ])
  })

  it('a preview whose records name departments not imported yet offers to IMPORT those first; then everything imports', async () => {
    const DEPT = '/integrations/spreadsheet/departments'
    await upload(`${DEPT}/upload`, 'departments.csv', ['External ID,Code,Name', 'D1,FLD,Field crews', 'D2,OFF,Office', 'D3,SHOP,Shop'].join('\n'))
    await post(t.app, `${DEPT}/sync`, {}, { cookie, htmx: true })
    await t.deps.runs.idle()
    const staff = [
      'Employee ID,Number,First,Last,Email,Pay,Status,Hired,Dept',
      'E1,1001,Maria,Lopez,,hourly,active,,FLD',
      'E2,1002,Ken,Ito,,hourly,active,,OFF',
      'E3,1003,Ann,Lee,,hourly,active,,',
    ]
    await uploadCsv(t.db, 'employees', staff.join('\n'), { ...EMPLOYEE_MAPPING, fields: { ...EMPLOYEE_MAPPING.fields, department: 'Dept' } })
    await syncNow()
    const everything = { all: '1', q: '', status: '', removed: '' }
    const html = await (await post(t.app, `${EMP}/import/preview`, everything, { cookie, htmx: true })).text()
    expect(html).toContain('<strong>2</strong> cannot be imported yet: they name departments not imported yet (FLD, OFF).')
    expect(html).toContain(`<form method="post" action="${DEPT}/import">`)
    expect(html).toContain('IMPORT the 2 departments first')
    expect(html).toMatch(/<strong>1<\/strong> will be created/)
    // IMPORT anyway: the two fail and stay marked with their reason, and a filter lists them.
    const first = await (await post(t.app, `${EMP}/import`, everything, { cookie, htmx: true })).text()
    expect(first).toContain('IMPORT finished: 1 created, 0 updated, 0 linked, 2 failed')
    const failedTab = await (await get(t.app, `${EMP}?status=failed`, { cookie })).text()
    expect(failedTab).toContain('Failed at IMPORT 2')
    expect(failedTab).toContain('Failed: Department &quot;FLD&quot; does not exist; import or create it first')
    expect(failedTab).toContain('<code>E2</code>')
    expect(failedTab).not.toContain('<code>E3</code>')
    expect(failedTab).toContain('2 staged records')
    // The one click: the two departments the records name (not the third), imported from their own tab.
    const ids = [...html.matchAll(/<input type="hidden" name="ids" value="(\d+)"\/?>/g)].map((m) => m[1]!)
    const fixIds = ids.slice(0, 2)
    const fixed = await post(t.app, `${DEPT}/import`, { ids: fixIds }, { cookie })
    expect(fixed.status).toBe(303)
    expect((await t.db.selectFrom('departments').select('code').orderBy('code').execute()).map((d) => d.code)).toEqual(['FLD', 'OFF'])
    const again = await (await post(t.app, `${EMP}/import/preview`, everything, { cookie, htmx: true })).text()
    expect(again).not.toContain('cannot be imported')
    expect(again).toMatch(/<strong>2<\/strong> will be created/)
    const res = await post(t.app, `${EMP}/import`, everything, { cookie, htmx: true })
    expect(await res.text()).toContain('IMPORT finished: 2 created, 0 updated, 0 linked, 0 failed')
    // Imported at last: no longer marked.
    expect(await (await get(t.app, EMP, { cookie })).text()).not.toContain('badge-failed')
    expect(await t.db.selectFrom('staged_records').select('id').where('import_error', 'is not', null).execute()).toEqual([])
  })

  it('refuses an empty selection with a clear message', async () => {
    const res = await post(t.app, `${EMP}/import`, {}, { cookie, htmx: true })
    expect(res.status).toBe(422)
    expect(await res.text()).toContain('Select at least one record')
    expect(await t.db.selectFrom('import_batches').selectAll().execute()).toEqual([])
  })

  it('ignores ids of another module or integration', async () => {
    const other = await t.db.selectFrom('staged_records').select('id').executeTakeFirstOrThrow()
    await post(t.app, '/integrations/spreadsheet/departments/import', { ids: String(other.id) }, { cookie, htmx: true })
    expect(await t.db.selectFrom('departments').selectAll().execute()).toEqual([])
    expect(await t.db.selectFrom('employees').selectAll().execute()).toEqual([])
  })
})

describe('schedules', () => {
  it('saves a daily schedule with auto-import and refuses a bad cron or time zone', async () => {
    await activateSource(t.db, spreadsheetConnector, t.deps.connectors)
    const bad = await post(
      t.app,
      '/integrations/spreadsheet/schedules/employees',
      { preset: 'custom', cron: 'every day', time_zone: 'Mars/Base' },
      { cookie, htmx: true },
    )
    expect(bad.status).toBe(422)
    const html = await bad.text()
    expect(html).toContain('Enter a valid cron expression')
    expect(html).toContain('Time zone must be an IANA name')
    expect(await t.db.selectFrom('sync_schedules').selectAll().execute()).toEqual([])
    const ok = await post(
      t.app,
      '/integrations/spreadsheet/schedules/employees',
      { preset: 'daily', hour: '6', time_zone: 'America/Chicago', auto_new: 'on' },
      { cookie, htmx: true },
    )
    expect(ok.status).toBe(200)
    expect(await t.db.selectFrom('sync_schedules').selectAll().executeTakeFirstOrThrow()).toMatchObject({
      cron: '0 6 * * *',
      time_zone: 'America/Chicago',
      auto_import_new: 1,
      auto_import_updated: 0,
    })
  })

  it('runs a scheduled tick: SYNC then auto-import of New records', async () => {
    await activateSource(t.db, spreadsheetConnector, t.deps.connectors)
    await upload(`${EMP}/upload`, 'staff.csv', [HEADER, 'E1,1001,Maria,Lopez,', 'E2,1002,Ken,Ito,'].join('\n'))
    await post(t.app, '/integrations/spreadsheet/schedules/employees', { preset: 'hourly', time_zone: 'UTC', auto_new: 'on' }, { cookie })
    await t.deps.scheduler.start(t.deps)
    expect(t.deps.scheduler.nextRun('spreadsheet', 'employees')).toBeInstanceOf(Date)
    await t.deps.scheduler.tick('spreadsheet', 'employees')
    t.deps.scheduler.stop()
    expect(await t.db.selectFrom('sync_runs').select(['trigger', 'status']).execute()).toEqual([{ trigger: 'schedule', status: 'succeeded' }])
    expect(await t.db.selectFrom('import_batches').select(['trigger', 'created_count']).execute()).toEqual([{ trigger: 'auto', created_count: 2 }])
  })
})
