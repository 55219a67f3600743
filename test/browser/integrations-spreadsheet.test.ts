import { describe, expect, it } from 'vitest'
import { browserSession, chromiumAvailable, navLink, screenshotPath } from '../helpers/browser.js'
import { seriousViolations } from '../helpers/accessibility.js'

// The whole hub flow with the Spreadsheet connector, as an admin does it in Chromium.

const HEADER = 'External ID,Employee number,First name,Last name,Email,Pay group,Status,Hire date'
const FIRST = [
  HEADER,
  'E-1,1001,Maria,Lopez,maria@example.com,Hourly,Active,2024-03-01',
  'E-2,1002,Ken,Ito,ken@example.com,Hourly,Active,',
  'E-3,1003,<b>Bold</b>,Script<script>alert(1)</script>,,Salary,Active,',
].join('\n')
const CHANGED = [HEADER, 'E-1,1001,Maria,Lopez-Diaz,maria.lopez@example.com,Hourly,Active,2024-03-01', 'E-2,1002,Ken,Ito,ken@example.com,Hourly,Active,'].join(
  '\n',
)

describe.skipIf(!chromiumAvailable)('in Chromium: the integrations hub with a spreadsheet', () => {
  const s = browserSession()
  const nav = (name: string) => navLink(s.page, name)
  const tab = (name: string) => s.page.getByRole('navigation', { name: 'Integration tabs' }).getByRole('link', { name, exact: true })
  const row = (text: string) => s.page.locator('#staging-results tbody tr').filter({ hasText: text })
  const upload = async (name: string, csv: string) => {
    await s.page.locator('#upload-file').setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(csv) })
    await s.page.getByRole('button', { name: 'Upload', exact: true }).click()
    await s.page.getByText(name).first().waitFor()
  }
  const sync = async (expected: string) => {
    await s.page.getByRole('button', { name: 'SYNC' }).click()
    await s.page.locator('#run-panel').getByText(expected).waitFor({ timeout: 15000 })
  }

  it('activates the Spreadsheet integration and makes it the sync source', async () => {
    await nav('Integrations').click()
    await s.page
      .getByRole('row', { name: /Spreadsheet/ })
      .getByRole('button', { name: 'Activate' })
      .click()
    await s.page.getByText('Spreadsheet is activated.').waitFor()
    await s.page.screenshot({ path: screenshotPath('10-integrations-overview'), fullPage: true })
    await s.page.getByRole('link', { name: 'Spreadsheet' }).click()
    await s.page.getByRole('button', { name: 'Make Spreadsheet the sync source' }).click()
    await s.page.getByText('Spreadsheet is now the sync source.').waitFor()
    await s.page.screenshot({ path: screenshotPath('10b-setup'), fullPage: true })
    expect(await s.server.db.selectFrom('integrations').select(['id', 'activated', 'is_sync_source']).where('activated', '=', 1).execute()).toEqual([
      { id: 'spreadsheet', activated: 1, is_sync_source: 1 },
    ])
    expect(await s.page.locator('.badge-source').innerText()).toBe('Sync source')
  })

  it('uploads employees, guesses the columns, SYNCs, and shows them New with live progress', async () => {
    await tab('Employees').click()
    await upload('employees.csv', FIRST)
    expect(await s.page.locator('#map-externalId').inputValue()).toBe('External ID')
    expect(await s.page.locator('#map-field-first_name').inputValue()).toBe('First name')
    await sync('Succeeded')
    await expect.poll(() => s.page.locator('#staging-results tbody tr').count()).toBe(3)
    expect(await row('E-1').getByText('New').count()).toBe(1)
    // Upstream markup is shown as text, never run.
    expect(await row('E-3').textContent()).toContain('Script<script>alert(1)</script>')
    await s.page.screenshot({ path: screenshotPath('11-staging-new'), fullPage: true })
  })

  it('imports two selected records after a preview', async () => {
    await row('E-1').getByRole('checkbox').check()
    await row('E-2').getByRole('checkbox').check()
    await s.page.getByRole('button', { name: 'IMPORT' }).click()
    await s.page.getByRole('dialog').getByText('will be created').waitFor()
    expect(await s.page.getByRole('dialog').locator('li').first().textContent()).toContain('2 will be created')
    await s.page.getByRole('button', { name: 'Confirm IMPORT' }).click()
    await s.page.getByText('IMPORT finished: 2 created').waitFor()
    expect(await row('E-1').getByText('Imported').count()).toBe(1)
    expect(await row('E-3').getByText('New').count()).toBe(1)
  })

  it('shows the imported employees with Synced status Spreadsheet', async () => {
    await nav('Employees').click()
    await s.page.getByRole('combobox', { name: 'Synced status' }).selectOption('integration:spreadsheet')
    await s.page.getByText('2 employees').waitFor()
    expect(await s.page.locator('#list-results').getByText('Spreadsheet').count()).toBe(2)
  })

  it("an imported employee's form shows the fields Spreadsheet sends read-only, saying who manages them", async () => {
    await s.page.locator('#list-results').getByRole('link', { name: /Lopez/ }).first().click()
    await s.page.getByRole('button', { name: 'Edit' }).click()
    await s.page.getByText('the fields it sends are read-only here').waitFor()
    const first = s.page.getByRole('textbox', { name: 'First name' })
    expect(await first.getAttribute('readonly')).toBe('')
    expect(await s.page.getByRole('combobox', { name: 'Pay group' }).isDisabled()).toBe(true)
    await s.page.getByRole('link', { name: 'Spreadsheet' }).first().waitFor()
    await s.page.screenshot({ path: screenshotPath('11b-managed-fields'), fullPage: true })
    // Saving the form unchanged is fine: nothing it owns was changed.
    await s.page.getByRole('button', { name: 'Save changes' }).click()
    await s.page.getByText('Saved.').waitFor()
  })

  it('keeps one field locally: Keep my value makes it editable, saying Spreadsheet no longer changes it', async () => {
    await s.page.getByRole('button', { name: 'Edit' }).click()
    await s.page.getByRole('button', { name: 'Keep my value: Email' }).click()
    await s.page.getByText('Email is kept here now').waitFor()
    const email = s.page.getByRole('textbox', { name: 'Email' })
    expect(await email.getAttribute('readonly')).toBeNull()
    expect(await s.page.getByRole('textbox', { name: 'First name' }).getAttribute('readonly')).toBe('')
    await s.page.getByText('Kept here: Spreadsheet no longer changes it').waitFor()
    await email.fill('maria.home@example.com')
    await s.page.screenshot({ path: screenshotPath('11c-kept-field'), fullPage: true })
    await s.page.getByRole('button', { name: 'Save changes' }).click()
    await s.page.getByText('Saved.').waitFor()
    await s.page.getByText('maria.home@example.com').first().waitFor()
  })

  it('stages a changed file as Updated and a missing row as removed at source; the pop-up shows what changed', async () => {
    await nav('Integrations').click()
    await s.page.getByRole('link', { name: 'Spreadsheet' }).click()
    await tab('Employees').click()
    await upload('employees-v2.csv', CHANGED)
    await sync('Succeeded')
    await row('E-1').getByRole('button', { name: 'Updated' }).waitFor()
    expect(await row('E-3').getByText('Removed at source').count()).toBe(1)
    await row('E-1').getByRole('button', { name: 'Updated' }).click()
    const dialog = s.page.getByRole('dialog')
    await dialog.getByRole('heading', { name: /What changed/ }).waitFor()
    expect(await dialog.getByRole('row', { name: /Last name/ }).textContent()).toContain('LopezLopez-Diaz')
    expect(await dialog.getByRole('row', { name: /First name/ }).count()).toBe(0)
    await s.page.screenshot({ path: screenshotPath('12-changes-dialog'), fullPage: true })
    await dialog.getByRole('button', { name: 'Close' }).click()
    await expect.poll(() => s.page.getByRole('dialog').count()).toBe(0)
  })

  it('the e-mail kept here and changed in the file is a conflict: counted on the tab, filtered, and settled in the pop-up with three values', async () => {
    // The counts above the table follow the run; the tab's count comes with the next page.
    await s.page.locator('#staging-results').getByRole('link', { name: 'Conflicts 1' }).waitFor()
    await s.page.reload()
    const tabs = s.page.getByRole('navigation', { name: 'Integration tabs' })
    expect(await tabs.getByRole('link', { name: 'Employees 1 conflict to settle' }).count()).toBe(1)
    await s.page.getByRole('combobox', { name: 'Status' }).selectOption('conflicts')
    await expect.poll(() => s.page.locator('#staging-results tbody tr').count()).toBe(1)
    await row('E-1').getByRole('button', { name: 'Updated' }).click()
    const dialog = s.page.getByRole('dialog')
    await dialog.getByRole('heading', { name: 'Conflicts: changed here and at Spreadsheet' }).waitFor()
    // Last imported, ours, and the file's.
    expect(await dialog.getByRole('row', { name: /Email/ }).textContent()).toContain('maria@example.commaria.home@example.commaria.lopez@example.com')
    await s.page.screenshot({ path: screenshotPath('12b-conflict-dialog'), fullPage: true })
    expect(await seriousViolations(s.page)).toEqual([])
    await dialog.getByRole('radio', { name: 'Ours' }).check()
    await dialog.getByRole('button', { name: 'Save choices' }).click()
    await s.page.getByText('Saved your choice for 1 field(s) of Lopez-Diaz, Maria (1001)').waitFor()
    await s.page.getByRole('combobox', { name: 'Status' }).selectOption('updated')
    await row('E-1').getByRole('checkbox').check()
    await s.page.getByRole('button', { name: 'IMPORT' }).click()
    await s.page.getByRole('button', { name: 'Confirm IMPORT' }).click()
    await s.page.getByText('IMPORT finished: 0 created, 1 updated').waitFor()
    const maria = await s.server.db.selectFrom('employees').select(['last_name', 'email']).where('external_id', '=', 'E-1').executeTakeFirstOrThrow()
    expect(maria).toEqual({ last_name: 'Lopez-Diaz', email: 'maria.home@example.com' })
    await s.page.getByRole('combobox', { name: 'Status' }).selectOption('')
    await expect.poll(() => s.page.locator('#staging-results tbody tr').count()).toBe(3)
  })

  it('archives a record and unarchives it back to what its data says', async () => {
    await row('E-3').getByRole('checkbox').check()
    await s.page.getByRole('button', { name: 'Archive', exact: true }).click()
    await s.page.getByText('Archived 1 record(s).').waitFor()
    expect(await row('E-3').getByText('Archived').count()).toBe(1)
    await row('E-3').getByRole('checkbox').check()
    await s.page.getByRole('button', { name: 'Unarchive' }).click()
    await s.page.getByText('Unarchived 1 record(s).').waitFor()
    expect(await row('E-3').getByText('New').count()).toBe(1)
  })

  it('undoes the first import batch from History: the employee changed since is kept, saying why', async () => {
    await tab('History').click()
    await s.page.getByRole('cell', { name: 'Succeeded' }).first().waitFor()
    s.page.once('dialog', (d) => void d.accept())
    // The newest batch is listed first; the first IMPORT's is the last.
    await s.page.getByRole('button', { name: 'Undo' }).last().click()
    await s.page.getByText(/Undo finished: 1 record\(s\) removed/).waitFor()
    await s.page.getByText(/it was changed after the import/).waitFor()
    await s.page.screenshot({ path: screenshotPath('13-history'), fullPage: true })
    const left = await s.server.db.selectFrom('employees').select('external_id').execute()
    expect(left).toEqual([{ external_id: 'E-1' }])
  })

  it('raised no script error and no Content-Security-Policy violation', () => {
    expect(s.problems, s.problems.join('\n')).toEqual([])
  })
})
