import { mkdirSync } from 'node:fs'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { chromiumAvailable, launchChromium, navLink, screenshotOnFailure, screenshotPath, SCREENSHOT_DIR, signInThroughForm, startServer, watchedPage, type RunningServer } from '../helpers/browser.js'

// The whole hub flow with the Spreadsheet connector, as an admin does it in Chromium.

const HEADER = 'External ID,Employee number,First name,Last name,Email,Pay group,Status,Hire date'
const FIRST = [HEADER, 'E-1,1001,Maria,Lopez,maria@example.com,Hourly,Active,2024-03-01', 'E-2,1002,Ken,Ito,ken@example.com,Hourly,Active,', 'E-3,1003,<b>Bold</b>,Script<script>alert(1)</script>,,Salary,Active,'].join('\n')
const CHANGED = [HEADER, 'E-1,1001,Maria,Lopez-Diaz,maria.lopez@example.com,Hourly,Active,2024-03-01', 'E-2,1002,Ken,Ito,ken@example.com,Hourly,Active,'].join('\n')

describe.skipIf(!chromiumAvailable)('in Chromium: the integrations hub with a spreadsheet', () => {
  let server: RunningServer
  let browser: Browser
  let page: Page
  let problems: string[] = []
  const nav = (name: string) => navLink(page, name)
  const tab = (name: string) => page.getByRole('navigation', { name: 'Integration tabs' }).getByRole('link', { name, exact: true })
  const row = (text: string) => page.locator('#staging-results tbody tr').filter({ hasText: text })
  const upload = async (name: string, csv: string) => {
    await page.locator('#upload-file').setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(csv) })
    await page.getByRole('button', { name: 'Upload', exact: true }).click()
    await page.getByText(name).first().waitFor()
  }
  const sync = async (expected: string) => {
    await page.getByRole('button', { name: 'SYNC' }).click()
    await page.locator('#run-panel').getByText(expected).waitFor({ timeout: 15000 })
  }

  beforeAll(async () => {
    mkdirSync(SCREENSHOT_DIR, { recursive: true })
    server = await startServer()
    browser = await launchChromium()
    ;({ page, problems } = await watchedPage(browser))
    await signInThroughForm(server, page, { email: 'admin@example.com', name: 'Admin', role: 'admin' })
  })

  afterEach((ctx) => screenshotOnFailure(page, ctx))

  afterAll(async () => {
    await browser?.close()
    await server?.close()
  })

  it('activates the Spreadsheet integration and makes it the sync source', async () => {
    await nav('Integrations').click()
    await page.getByRole('row', { name: /Spreadsheet/ }).getByRole('button', { name: 'Activate' }).click()
    await page.getByText('Spreadsheet is activated.').waitFor()
    await page.screenshot({ path: screenshotPath('10-integrations-overview'), fullPage: true })
    await page.getByRole('link', { name: 'Spreadsheet' }).click()
    await page.getByRole('button', { name: 'Make Spreadsheet the sync source' }).click()
    await page.getByText('Spreadsheet is now the sync source.').waitFor()
    await page.screenshot({ path: screenshotPath('10b-setup'), fullPage: true })
  })

  it('uploads employees, guesses the columns, SYNCs, and shows them New with live progress', async () => {
    await tab('Employees').click()
    await upload('employees.csv', FIRST)
    expect(await page.locator('#map-externalId').inputValue()).toBe('External ID')
    expect(await page.locator('#map-field-first_name').inputValue()).toBe('First name')
    await sync('Succeeded')
    await expect.poll(() => page.locator('#staging-results tbody tr').count()).toBe(3)
    expect(await row('E-1').getByText('New').count()).toBe(1)
    // Upstream markup is shown as text, never run.
    expect(await row('E-3').textContent()).toContain('Script<script>alert(1)</script>')
    await page.screenshot({ path: screenshotPath('11-staging-new'), fullPage: true })
  })

  it('imports two selected records after a preview', async () => {
    await row('E-1').getByRole('checkbox').check()
    await row('E-2').getByRole('checkbox').check()
    await page.getByRole('button', { name: 'IMPORT' }).click()
    await page.getByRole('dialog').getByText('will be created').waitFor()
    expect(await page.getByRole('dialog').locator('li').first().textContent()).toContain('2 will be created')
    await page.getByRole('button', { name: 'Confirm IMPORT' }).click()
    await page.getByText('IMPORT finished: 2 created').waitFor()
    expect(await row('E-1').getByText('Imported').count()).toBe(1)
    expect(await row('E-3').getByText('New').count()).toBe(1)
  })

  it('shows the imported employees with Synced status Spreadsheet', async () => {
    await nav('Employees').click()
    await page.getByRole('combobox', { name: 'Synced status' }).selectOption('integration:spreadsheet')
    await page.getByText('2 employees').waitFor()
    expect(await page.locator('#list-results').getByText('Spreadsheet').count()).toBe(2)
  })

  it('stages a changed file as Updated and a missing row as removed at source; the pop-up shows what changed', async () => {
    await nav('Integrations').click()
    await page.getByRole('link', { name: 'Spreadsheet' }).click()
    await tab('Employees').click()
    await upload('employees-v2.csv', CHANGED)
    await sync('Succeeded')
    await row('E-1').getByRole('button', { name: 'Updated' }).waitFor()
    expect(await row('E-3').getByText('Removed at source').count()).toBe(1)
    await row('E-1').getByRole('button', { name: 'Updated' }).click()
    const dialog = page.getByRole('dialog')
    await dialog.getByRole('heading', { name: /What changed/ }).waitFor()
    expect(await dialog.getByRole('row', { name: /Last name/ }).textContent()).toContain('LopezLopez-Diaz')
    expect(await dialog.getByRole('row', { name: /Email/ }).textContent()).toContain('maria.lopez@example.com')
    expect(await dialog.getByRole('row', { name: /First name/ }).count()).toBe(0)
    await page.screenshot({ path: screenshotPath('12-changes-dialog'), fullPage: true })
    await dialog.getByRole('button', { name: 'Close' }).click()
    await expect.poll(() => page.getByRole('dialog').count()).toBe(0)
  })

  it('archives a record and unarchives it back to what its data says', async () => {
    await row('E-1').getByRole('checkbox').check()
    await page.getByRole('button', { name: 'Archive', exact: true }).click()
    await page.getByText('Archived 1 record(s).').waitFor()
    expect(await row('E-1').getByText('Archived').count()).toBe(1)
    await row('E-1').getByRole('checkbox').check()
    await page.getByRole('button', { name: 'Unarchive' }).click()
    await page.getByText('Unarchived 1 record(s).').waitFor()
    await row('E-1').getByRole('button', { name: 'Updated' }).waitFor()
  })

  it('undoes the import batch from History', async () => {
    await tab('History').click()
    await page.getByRole('cell', { name: 'Succeeded' }).first().waitFor()
    page.once('dialog', (d) => void d.accept())
    await page.getByRole('button', { name: 'Undo' }).click()
    await page.getByText(/Undo finished: 2 record\(s\) removed/).waitFor()
    await page.screenshot({ path: screenshotPath('13-history'), fullPage: true })
    const left = await server.db.selectFrom('employees').select('id').execute()
    expect(left).toEqual([])
  })

  it('raised no script error and no Content-Security-Policy violation', () => {
    expect(problems, problems.join('\n')).toEqual([])
  })
})
