import { describe, expect, it } from 'vitest'
import { browserSession, chromiumAvailable, screenshotPath } from '../helpers/browser.js'
import { activateSource, EMPLOYEE_MAPPING, uploadCsv } from '../helpers/hub.js'

// An IMPORT of employees whose departments are not imported yet, as an admin meets it in Chromium:
// the preview says so and offers the one click that fixes it; an IMPORT anyway leaves the failed
// records marked, with a filter; after the fix, everything imports and the marks go.

const DEPARTMENTS = ['External ID,Code,Name', 'D1,FLD,Field crews', 'D2,OFF,Office', 'D3,SHOP,Shop'].join('\n')
const STAFF = [
  'Employee ID,Number,First,Last,Email,Pay,Status,Hired,Dept',
  'E1,1001,Maria,Lopez,,hourly,active,,FLD',
  'E2,1002,Ken,Ito,,hourly,active,,OFF',
  'E3,1003,Ann,Lee,,hourly,active,,',
].join('\n')

describe.skipIf(!chromiumAvailable)('in Chromium: an IMPORT that needs another module first', () => {
  const s = browserSession({
    seed: async (server) => {
      await activateSource(server.db)
      await uploadCsv(server.db, 'departments', DEPARTMENTS, { externalId: 'External ID', fields: { code: 'Code', name: 'Name' } })
      await uploadCsv(server.db, 'employees', STAFF, { ...EMPLOYEE_MAPPING, fields: { ...EMPLOYEE_MAPPING.fields, department: 'Dept' } })
    },
  })
  const tab = (name: string) => s.page.getByRole('navigation', { name: 'Integration tabs' }).getByRole('link', { name, exact: true })
  const sync = async () => {
    await s.page.getByRole('button', { name: 'SYNC' }).click()
    await s.page.locator('#run-panel').getByText('Succeeded').waitFor({ timeout: 15000 })
  }
  const previewAll = async () => {
    await s.page.locator('input[data-select-all]').check()
    await s.page.getByRole('button', { name: 'IMPORT', exact: true }).click()
    await s.page.locator('dialog[open]').waitFor()
  }

  it('the preview names the departments to import first; an IMPORT anyway marks the two that fail, and a filter lists them', async () => {
    await s.page.goto(`${s.server.url}/integrations/spreadsheet/departments`)
    await sync()
    await tab('Employees').click()
    await sync()
    await previewAll()
    const dialog = s.page.locator('dialog[open]')
    await dialog.getByText('cannot be imported yet: they name departments not imported yet (FLD, OFF).').waitFor()
    await dialog.getByRole('button', { name: 'IMPORT the 2 departments first' }).waitFor()
    await s.page.screenshot({ path: screenshotPath('30-import-preview-needs-departments'), fullPage: true })
    await dialog.getByRole('button', { name: 'Confirm IMPORT' }).click()
    await s.page.getByText('IMPORT finished: 1 created, 0 updated, 0 linked, 2 failed').waitFor()
    await s.page.getByText('Failed: Department "FLD" does not exist; import or create it first').waitFor()
    await s.page.getByRole('link', { name: 'Failed at IMPORT 2' }).click()
    await s.page.getByText('2 staged records').waitFor()
    expect(await s.page.locator('#staging-results tbody tr').count()).toBe(2)
    expect(await s.page.getByRole('combobox', { name: 'Status' }).inputValue()).toBe('failed')
    await s.page.screenshot({ path: screenshotPath('31-staging-failed-filter'), fullPage: true })
  })

  it('the one click imports those departments; then the employees import and their marks go', async () => {
    await s.page.goto(`${s.server.url}/integrations/spreadsheet/employees`)
    await previewAll()
    await s.page.getByRole('button', { name: 'IMPORT the 2 departments first' }).click()
    await s.page.getByText('IMPORT finished: 2 created, 0 updated, 0 linked, 0 failed').waitFor()
    await tab('Employees').click()
    await previewAll()
    const dialog = s.page.locator('dialog[open]')
    await dialog.getByText('will be created').waitFor()
    expect(await dialog.getByText('cannot be imported').count()).toBe(0)
    await dialog.getByRole('button', { name: 'Confirm IMPORT' }).click()
    await s.page.getByText('IMPORT finished: 2 created, 0 updated, 0 linked, 0 failed').waitFor()
    expect(await s.page.locator('.badge-failed').count()).toBe(0)
    expect(await s.page.getByText('Failed: ').count()).toBe(0)
  })

  it('raised no script error and no Content-Security-Policy violation', () => {
    expect(s.problems).toEqual([])
  })
})
