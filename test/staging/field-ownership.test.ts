import { beforeEach, describe, expect, it } from 'vitest'
import { createTestApp, signInAs, type TestApp } from '../helpers/test-app.js'
import { cookieFrom, get, post } from '../helpers/requests.js'
import { activateSource, actor, EMPLOYEE_MAPPING, employeesCsv, uploadCsv } from '../helpers/hub.js'
import { requestSync } from '../../src/staging/sync-runs.js'
import { undoBatch } from '../../src/staging/import-service.js'
import { autoImportAfterRun } from '../../src/staging/auto-import.js'
import { ownedBy } from '../../src/staging/field-conflicts.js'
import { spreadsheetConnector } from '../../src/connectors/spreadsheet/connector.js'
import { quickbooksDesktopConnector } from '../../src/connectors/quickbooks-desktop/connector.js'
import { quickbooksOnlineConnector } from '../../src/connectors/quickbooks-online/connector.js'
import { sageIntacctConnector } from '../../src/connectors/sage-intacct/connector.js'
import { fieldsExcept } from '../../src/connectors/kit/records.js'
import type { AnyConnector } from '../../src/connectors/kit/types.js'

// Field ownership and conflicts end to end: a synced employee's fields, kept here by an admin, and
// changed at the source too; what IMPORT (by hand and scheduled), the pop-up, the filter and Undo do.

let t: TestApp
let cookie: string

const TAB = '/integrations/spreadsheet/employees'
const employee = () => t.db.selectFrom('employees').selectAll().where('external_id', '=', 'E1').executeTakeFirstOrThrow()
const stagedE1 = () => t.db.selectFrom('staged_records').selectAll().where('external_id', '=', 'E1').executeTakeFirstOrThrow()
const overrides = () => t.db.selectFrom('field_overrides').selectAll().execute()
const audits = (action: string) => t.db.selectFrom('audit_log').selectAll().where('action', '=', action).execute()

async function syncWith(rows: Parameters<typeof employeesCsv>[0], trigger: 'manual' | 'schedule' = 'manual') {
  await uploadCsv(t.db, 'employees', employeesCsv(rows))
  const start = await requestSync(t.deps, { integration: 'spreadsheet', module: 'employees', trigger, userId: null })
  if (!start.ok) throw new Error(start.message)
  await start.done
  return start.runId
}

/** IMPORT of every staged employee through the tab, as the admin's Confirm IMPORT posts it. */
async function importThroughTab() {
  const ids = (await t.db.selectFrom('staged_records').select('id').execute()).map((r) => String(r.id))
  const res = await post(t.app, `${TAB}/import`, { ids }, { cookie, htmx: true })
  return { status: res.status, html: await res.text() }
}

/** The edit form's values of the employee, as the browser posts them back. */
async function formOf(changes: Record<string, string> = {}) {
  const e = await employee()
  const text = (v: unknown) => (v === null || v === undefined ? '' : String(v))
  return {
    first_name: e.first_name,
    last_name: e.last_name,
    employee_number: text(e.employee_number),
    email: text(e.email),
    phone: text(e.phone),
    pay_group: e.pay_group,
    status: e.status,
    hire_date: text(e.hire_date),
    company_id: text(e.company_id),
    department_id: text(e.department_id),
    ...changes,
  }
}

/** Maria imported, then her e-mail kept here as her own address. */
async function keptEmail() {
  await syncWith([['E1', '1001', 'Maria', 'Lopez', 'office@example.com']])
  await importThroughTab()
  const { id } = await employee()
  const kept = await post(t.app, `/employees/${id}/fields/email/keep`, {}, { cookie })
  expect(kept.status).toBe(303)
  const saved = await post(t.app, `/employees/${id}`, await formOf({ email: 'maria@example.com' }), { cookie })
  expect(saved.status).toBe(303)
  return id
}

beforeEach(async () => {
  t = await createTestApp()
  await activateSource(t.db)
  cookie = (await signInAs(t.db, 'admin')).cookie
})

describe('what each connector owns', () => {
  it('owns only the fields its platform sends: a QuickBooks employee has no pay group or company, an Intacct project no address', () => {
    const owned = (c: AnyConnector, m: Parameters<typeof ownedBy>[1]) => ownedBy(c, m)
    expect(owned(quickbooksDesktopConnector, 'employees')).not.toEqual(expect.arrayContaining(['pay_group']))
    expect(owned(quickbooksDesktopConnector, 'employees')).toEqual(expect.arrayContaining(['first_name', 'email', 'department_id']))
    expect(owned(quickbooksDesktopConnector, 'employees')).not.toContain('company_id')
    expect(owned(quickbooksOnlineConnector, 'employees')).not.toContain('department_id')
    expect(owned(sageIntacctConnector, 'job_sites')).toEqual(['number', 'name', 'start_date', 'end_date', 'status'])
    expect(owned(spreadsheetConnector, 'employees')).toContain('pay_group')
    expect(() => fieldsExcept('employees', 'salary')).toThrow('employees has no field salary')
  })

  it('a spreadsheet owns the columns its mapping names: a pay group left unmapped is edited here and survives every IMPORT', async () => {
    const withoutPay = { ...EMPLOYEE_MAPPING, fields: { ...EMPLOYEE_MAPPING.fields, pay_group: null } }
    const syncUnmapped = async (last: string) => {
      await uploadCsv(t.db, 'employees', employeesCsv([['E1', '1001', 'Maria', last]]), withoutPay)
      const start = await requestSync(t.deps, { integration: 'spreadsheet', module: 'employees', trigger: 'manual', userId: null })
      if (!start.ok) throw new Error(start.message)
      await start.done
    }
    await syncUnmapped('Lopez')
    await importThroughTab()
    const { id } = await employee()
    const form = await (await get(t.app, `/employees/${id}/edit`, { cookie })).text()
    expect(form).toMatch(/<select id="field-pay_group" name="pay_group" required=""/)
    expect(form).toMatch(/<input id="field-first_name" name="first_name" type="text" value="Maria" readonly=""/)
    expect((await post(t.app, `/employees/${id}`, await formOf({ pay_group: 'SALARY' }), { cookie })).status).toBe(303)
    await syncUnmapped('Lopez-Diaz')
    expect((await importThroughTab()).html).toContain('0 created, 1 updated')
    expect(await employee()).toMatchObject({ last_name: 'Lopez-Diaz', pay_group: 'SALARY' })
    expect(ownedBy(spreadsheetConnector, 'employees', { 'mapping:employees': JSON.stringify(withoutPay) })).not.toContain('pay_group')
  })
})

describe('keep my value', () => {
  it('takes a field over on one record: editable, audited, still Synced, and IMPORT leaves it alone while the source keeps its value', async () => {
    const id = await keptEmail()
    expect(await employee()).toMatchObject({ email: 'maria@example.com', source_integration: 'spreadsheet' })
    expect(await audits('employee.field_kept')).toHaveLength(1)
    const form = await (await get(t.app, `/employees/${id}/edit`, { cookie })).text()
    expect(form).toMatch(/<input id="field-email" name="email" type="email" value="maria@example.com" maxlength="254"/)
    expect(form).toContain('Kept here: Spreadsheet no longer changes it')
    expect(form).toContain(`formaction="/employees/${id}/fields/email/release"`)
    expect(form).toContain(`formaction="/employees/${id}/fields/first_name/keep"`)
    const detail = await (await get(t.app, `/employees/${id}`, { cookie })).text()
    expect(detail).toContain('Kept here')
    expect(detail).toContain('Email: Spreadsheet does not change them until they are released')

    // The source changes the name, not the address: the name is imported, the address stays ours.
    // Ken, imported with it, has nothing kept: his address is written (on PostgreSQL, a row of another shape in the same statement group).
    await syncWith([
      ['E1', '1001', 'Maria', 'Lopez-Diaz', 'office@example.com'],
      ['E2', '1002', 'Ken', 'Ito', 'ken@example.com'],
    ])
    const popup = await (await get(t.app, `${TAB}/records/${(await stagedE1()).id}/changes`, { cookie, htmx: true })).text()
    expect(popup).toContain('Kept here, not applied')
    expect(popup).not.toContain('Conflicts: changed here')
    const imported = await importThroughTab()
    expect(imported.html).toContain('IMPORT finished: 1 created, 1 updated, 0 linked, 0 failed.')
    expect(await employee()).toMatchObject({ last_name: 'Lopez-Diaz', email: 'maria@example.com' })
    expect((await stagedE1()).status).toBe('imported')
    await syncWith([
      ['E1', '1001', 'Maria', 'Lopez', 'office@example.com'],
      ['E2', '1002', 'Ken', 'Ito', 'ken.ito@example.com'],
    ])
    expect((await importThroughTab()).html).toContain('0 created, 2 updated')
    const ken = await t.db.selectFrom('employees').selectAll().where('external_id', '=', 'E2').executeTakeFirstOrThrow()
    expect(ken.email).toBe('ken.ito@example.com')
    expect(await employee()).toMatchObject({ last_name: 'Lopez', email: 'maria@example.com' })
  })

  it('releases a field: it takes the source value again at once, audited', async () => {
    const id = await keptEmail()
    const res = await post(t.app, `/employees/${id}/fields/email/release`, {}, { cookie })
    expect(res.status).toBe(303)
    expect(await employee()).toMatchObject({ email: 'office@example.com' })
    expect(await overrides()).toEqual([])
    const [audit] = await audits('employee.field_released')
    expect(JSON.parse(audit!.before!)).toEqual({ email: 'maria@example.com' })
    // Owned again: a change is refused.
    const refused = await post(t.app, `/employees/${id}`, await formOf({ email: 'maria@example.com' }), { cookie })
    expect(refused.status).toBe(422)
  })

  it('refuses to keep what no source manages, and a field that does not exist, writing nothing', async () => {
    const id = await keptEmail()
    const before = await employee()
    for (const field of ['password_hash', 'id']) {
      const res = await post(t.app, `/employees/${id}/fields/${field}/keep`, {}, { cookie })
      expect(res.status).toBe(303)
      const page = await (await get(t.app, res.headers.get('location')!, { cookie: `${cookie}; ${cookieFrom(res, 'flash')}` })).text()
      expect(page).toContain('is not managed by a sync source, so there is nothing to keep')
    }
    const manual = await post(
      t.app,
      '/employees',
      {
        first_name: 'Ken',
        last_name: 'Ito',
        employee_number: '2',
        email: '',
        phone: '',
        pay_group: 'HOURLY',
        status: 'active',
        hire_date: '',
        company_id: '',
        department_id: '',
      },
      { cookie },
    )
    const manualId = manual.headers.get('location')!.split('/').pop()
    await post(t.app, `/employees/${manualId}/fields/first_name/keep`, {}, { cookie })
    expect((await overrides()).map((o) => o.field)).toEqual(['email'])
    expect(await employee()).toEqual(before)
    const pm = (await signInAs(t.db, 'employee')).cookie
    expect((await post(t.app, `/employees/${id}/fields/first_name/keep`, {}, { cookie: pm })).status).toBe(403)
  })
})

describe('conflicts', () => {
  /** A kept e-mail, and the source changes it too. */
  async function conflict() {
    const id = await keptEmail()
    await syncWith([['E1', '1001', 'Maria', 'Lopez', 'maria.lopez@example.com']])
    return id
  }

  it('lists a conflict under its filter with a count on the tab, shows three values, and IMPORT leaves the record alone saying why', async () => {
    await conflict()
    const tab = await (await get(t.app, TAB, { cookie })).text()
    expect(tab).toMatch(/class="badge badge-conflict tab-count"[^>]*> 1 <span class="visually-hidden">conflict to settle/)
    expect(tab).toContain('Conflicts 1')
    const listed = await (await get(t.app, `${TAB}?status=conflicts`, { cookie })).text()
    expect(listed).toContain('1 staged record')
    expect(listed).toContain('<option value="conflicts" selected="">')
    const popup = await (await get(t.app, `${TAB}/records/${(await stagedE1()).id}/changes`, { cookie, htmx: true })).text()
    expect(popup).toContain('Conflicts: changed here and at Spreadsheet')
    for (const value of ['office@example.com', 'maria@example.com', 'maria.lopez@example.com']) expect(popup).toContain(value)
    expect(popup).toContain('name="choice_email" value="ours"')

    const ids = [String((await stagedE1()).id)]
    const preview = await (await post(t.app, `${TAB}/import/preview`, { ids }, { cookie, htmx: true })).text()
    expect(preview).toMatch(/<strong>1<\/strong> have a conflict to settle first/)
    const imported = await importThroughTab()
    expect(imported.html).toContain('0 updated, 0 linked, 0 failed, 1 left for a conflict to settle')
    expect(imported.html).toContain('Email changed at the source and is kept here')
    expect(await employee()).toMatchObject({ email: 'maria@example.com' })
    expect((await stagedE1()).status).toBe('updated')
    const [line] = await t.db.selectFrom('import_batch_items').selectAll().execute()
    expect(line).toMatchObject({ action: 'held' })
  })

  it('a scheduled auto-import never settles a conflict by itself', async () => {
    await conflict()
    const now = new Date().toISOString()
    await t.db
      .insertInto('sync_schedules')
      .values({
        integration: 'spreadsheet',
        module: 'employees',
        cron: '0 * * * *',
        time_zone: 'UTC',
        auto_import_new: 1,
        auto_import_updated: 1,
        updated_at: now,
      })
      .execute()
    const runId = await syncWith([['E1', '1001', 'Maria', 'Lopez', 'maria.lopez@example.com']], 'schedule')
    await autoImportAfterRun(t.deps, runId)
    expect(await employee()).toMatchObject({ email: 'maria@example.com' })
    expect((await stagedE1()).status).toBe('updated')
    expect((await overrides())[0]).toMatchObject({ resolution: null })
    expect(t.logs.join('')).toContain('"held":1')
  })

  it('refuses choices that leave a field unchosen or name nothing, writing nothing', async () => {
    await conflict()
    const path = `${TAB}/records/${(await stagedE1()).id}/choices`
    const bodies: Record<string, string>[] = [{}, { choice_email: 'both' }, { choice_first_name: 'ours' }]
    for (const body of bodies) {
      const res = await post(t.app, path, body, { cookie, htmx: true })
      expect(res.status).toBe(422)
      expect(await res.text()).toContain('Choose which value of Email stays; nothing was saved.')
    }
    expect((await overrides())[0]).toMatchObject({ resolution: null, resolved_upstream: null })
    expect(await audits('integration.conflict_choice')).toEqual([])
    expect((await post(t.app, `${TAB}/records/999999/choices`, { choice_email: 'ours' }, { cookie, htmx: true })).status).toBe(404)
  })

  it('keeping ours: IMPORT applies the rest, the field stays kept, and the same upstream value asks nothing again', async () => {
    await conflict()
    const res = await post(t.app, `${TAB}/records/${(await stagedE1()).id}/choices`, { choice_email: 'ours' }, { cookie, htmx: true })
    expect(await res.text()).toContain('Saved your choice for 1 field(s)')
    expect(await audits('integration.conflict_choice')).toHaveLength(1)
    expect((await importThroughTab()).html).toContain('0 created, 1 updated')
    expect(await employee()).toMatchObject({ email: 'maria@example.com' })
    expect(await overrides()).toMatchObject([{ field: 'email', upstream: '"maria.lopez@example.com"', resolution: null }])
    expect((await stagedE1()).status).toBe('imported')
    await syncWith([['E1', '1001', 'Maria', 'Lopez', 'maria.lopez@example.com']])
    expect(await (await get(t.app, TAB, { cookie })).text()).not.toContain('Conflicts 1')
  })

  it('taking theirs: IMPORT writes the source value and releases the field; Undo puts the kept value, the override and the choice back', async () => {
    await conflict()
    await post(t.app, `${TAB}/records/${(await stagedE1()).id}/choices`, { choice_email: 'theirs' }, { cookie, htmx: true })
    const chosen = await overrides()
    await importThroughTab()
    expect(await employee()).toMatchObject({ email: 'maria.lopez@example.com' })
    expect(await overrides()).toEqual([])
    const { id: batchId } = await t.db.selectFrom('import_batches').select('id').orderBy('id', 'desc').executeTakeFirstOrThrow()
    const undone = await undoBatch(t.deps, actor, batchId)
    expect(undone).toMatchObject({ removed: 0, kept: [{ reason: expect.stringContaining('your choices are back as they were') }] })
    expect(await employee()).toMatchObject({ email: 'maria@example.com' })
    expect((await overrides()).map(({ id: _id, ...o }) => o)).toEqual(chosen.map(({ id: _id, ...o }) => o))
    expect((await stagedE1()).status).toBe('updated')
    // The choice stands: IMPORT again takes theirs without asking.
    expect((await importThroughTab()).html).toContain('1 updated')
    expect(await employee()).toMatchObject({ email: 'maria.lopez@example.com' })
  })

  it('a later upstream change asks again, whatever was chosen before', async () => {
    await conflict()
    await post(t.app, `${TAB}/records/${(await stagedE1()).id}/choices`, { choice_email: 'theirs' }, { cookie, htmx: true })
    await syncWith([['E1', '1001', 'Maria', 'Lopez', 'm.lopez@example.com']])
    expect((await importThroughTab()).html).toContain('1 left for a conflict to settle')
    expect(await employee()).toMatchObject({ email: 'maria@example.com' })
  })
})

describe('when the sync source changes', () => {
  it('says on the record that its old source no longer manages it', async () => {
    const id = await keptEmail()
    await t.db.updateTable('integrations').set({ is_sync_source: 0 }).execute()
    const detail = await (await get(t.app, `/employees/${id}`, { cookie })).text()
    expect(detail).toContain('Synced from Spreadsheet, which is no longer the sync source: every field is yours to edit here')
    const form = await (await get(t.app, `/employees/${id}/edit`, { cookie })).text()
    expect(form).not.toContain('readonly')
    expect(form).not.toContain('Keep my value')
  })
})
