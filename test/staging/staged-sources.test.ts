import { describe, expect, it } from 'vitest'
import { qboHub } from '../helpers/qbo.js'
import { get } from '../helpers/requests.js'
import { createTestApp, signInAs } from '../helpers/test-app.js'
import { activateSource, employeesCsv, uploadCsv } from '../helpers/hub.js'
import { requestSync } from '../../src/staging/sync-runs.js'
import { redactSource, sourceOf } from '../../src/staging/staged-sources.js'

// View source: what the platform sent for a staged record, exactly, with tax and bank ids hidden.

describe('View source', () => {
  it('shows a QuickBooks Online employee as its JSON came, with the query that fetched it; an unchanged re-sync writes no copy again', async () => {
    const h = await qboHub({ employees: 3 })
    await h.connect()
    await h.sync('employees')
    const [first] = await h.staged('employees')
    const kept = await sourceOf(h.t.db, 'quickbooks-online', 'employees', first!.external_id)
    expect(JSON.parse(kept!.source)).toMatchObject({ Id: first!.external_id })
    expect(kept!.request).toMatch(/^GET \/v3\/company\/\{realm\}\/query\?query=SELECT \* FROM Employee WHERE/)
    const dialog = await (
      await get(h.t.app, `/integrations/quickbooks-online/employees/records/${first!.id}/source`, { cookie: h.admin.cookie, htmx: true })
    ).text()
    expect(dialog).toContain('As QuickBooks Online sent it')
    expect(dialog).toContain(`&quot;Id&quot;: &quot;${first!.external_id}&quot;`)
    expect(await h.t.db.selectFrom('staged_source_pages').select('id').execute()).toHaveLength(1)
    await h.sync('employees')
    // Nothing changed: the copies the staged values came from stay, and nothing more is written.
    const pages = await h.t.db.selectFrom('staged_source_pages').select(['id', 'run_id']).execute()
    expect(pages.map((p) => p.run_id)).toEqual([1])
    expect((await sourceOf(h.t.db, 'quickbooks-online', 'employees', first!.external_id))!.runId).toBe(1)
  })

  it("keeps a changed record's new copy and drops a page nobody points at", async () => {
    const t = await createTestApp()
    await activateSource(t.db)
    const sync = async (last: string) => {
      await uploadCsv(t.db, 'employees', employeesCsv([['E1', '1001', 'Maria', last]]))
      const start = await requestSync(t.deps, { integration: 'spreadsheet', module: 'employees', trigger: 'manual', userId: null })
      if (!start.ok) throw new Error(start.message)
      await start.done
    }
    await sync('Lopez')
    await sync('Lopez-Diaz')
    expect((await sourceOf(t.db, 'spreadsheet', 'employees', 'E1'))!.source).toContain('Last: Lopez-Diaz')
    expect((await t.db.selectFrom('staged_source_pages').select('run_id').execute()).map((p) => p.run_id)).toEqual([2])
  })

  it("shows a spreadsheet's whole row, every column, even those not mapped", async () => {
    const t = await createTestApp()
    await activateSource(t.db)
    const { cookie } = await signInAs(t.db, 'admin')
    await uploadCsv(t.db, 'employees', employeesCsv([['E1', '1001', 'Maria', 'Lopez', 'maria@example.com']]))
    const start = await requestSync(t.deps, { integration: 'spreadsheet', module: 'employees', trigger: 'manual', userId: null })
    if (!start.ok) throw new Error(start.message)
    await start.done
    const kept = await sourceOf(t.db, 'spreadsheet', 'employees', 'E1')
    expect(kept!.source).toBe('Employee ID: E1\nNumber: 1001\nFirst: Maria\nLast: Lopez\nEmail: maria@example.com\nPay: hourly\nStatus: active\nHired: ')
    expect(kept!.request).toMatch(/^employees\.csv, uploaded [\d-]+ [\d:]+ UTC, rows 2 to 2$/)
    const [staged] = await t.db.selectFrom('staged_records').select('id').execute()
    expect((await get(t.app, `/integrations/spreadsheet/employees/records/${staged!.id + 1000}/source`, { cookie, htmx: true })).status).toBe(404)
    expect(await sourceOf(t.db, 'spreadsheet', 'employees', 'E-unknown')).toBeNull()
  })

  it('hides tax and bank ids in XML, JSON and sheet rows, and nothing else', () => {
    expect(redactSource('<EmployeeRet>\n  <Name>Ana</Name>\n  <SSN>123-45-6789</SSN>\n  <AccountNumber>1001</AccountNumber>\n</EmployeeRet>')).toBe(
      '<EmployeeRet>\n  <Name>Ana</Name>\n  <SSN>•••• (hidden by Clockbridge)</SSN>\n  <AccountNumber>1001</AccountNumber>\n</EmployeeRet>',
    )
    expect(JSON.parse(redactSource(JSON.stringify({ Id: '7', SSN: 'XXX-XX-1234', BankAccount: { RoutingNumber: '021000021' }, GivenName: 'Ana' })))).toEqual({
      Id: '7',
      SSN: '•••• (hidden by Clockbridge)',
      BankAccount: { RoutingNumber: '•••• (hidden by Clockbridge)' },
      GivenName: 'Ana',
    })
    expect(redactSource('Employee ID: E1\nTax ID: 98-7654321\nBank routing: 021000021\nFirst: Ana')).toBe(
      'Employee ID: E1\nTax ID: •••• (hidden by Clockbridge)\nBank routing: •••• (hidden by Clockbridge)\nFirst: Ana',
    )
  })
})
