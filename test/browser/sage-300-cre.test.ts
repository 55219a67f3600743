import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { activateAsSyncSource, browserSession, chromiumAvailable, screenshotPath } from '../helpers/browser.js'

// Sage 300 CRE as an admin uses it in Chromium: its exports uploaded, synced and imported, time
// approved, and the Import Time file downloaded.

const fixture = (name: string) => readFileSync(new URL(`../fixtures/sage300/${name}`, import.meta.url))

describe.skipIf(!chromiumAvailable)('in Chromium: Sage 300 CRE round trip', () => {
  const s = browserSession()
  const tab = (name: string) => s.page.getByRole('navigation', { name: 'Integration tabs' }).getByRole('link', { name, exact: true })

  it('activates Sage 300 CRE as the sync source, uploads its exports, SYNCs and IMPORTs them', async () => {
    await activateAsSyncSource(s.page, 'Sage 300 CRE')
    for (const [name, file, count] of [
      ['Departments', 'departments.csv', 2],
      ['Job sites', 'jobs.csv', 4],
      ['Cost codes', 'cost-codes.csv', 5],
      ['Employees', 'employees.csv', 3],
    ] as const) {
      await tab(name).click()
      await s.page.locator('#upload-file').setInputFiles({ name: file, mimeType: 'text/csv', buffer: fixture(file) })
      await s.page.getByRole('button', { name: 'Upload', exact: true }).click()
      await s.page.getByText(file).first().waitFor()
      if (name === 'Cost codes') {
        // Sage's own headings were recognised: no external id to choose, each column preset.
        expect(await s.page.locator('#map-externalId').count()).toBe(0)
        expect(await s.page.locator('#map-field-category').inputValue()).toBe('Category')
        await s.page.screenshot({ path: screenshotPath('60-sage300-columns'), fullPage: true })
      }
      await s.page.getByRole('button', { name: 'SYNC' }).click()
      await s.page.locator('#run-panel').getByText('Succeeded').waitFor({ timeout: 15000 })
      await expect.poll(() => s.page.locator('#staging-results tbody tr').count()).toBe(count)
      await s.page.getByLabel('Select every record on this page').check()
      await s.page.getByRole('button', { name: 'IMPORT' }).click()
      await s.page.getByRole('button', { name: 'Confirm IMPORT' }).click()
      await s.page.getByText(`IMPORT finished: ${count} created`).waitFor()
    }
    await s.page.screenshot({ path: screenshotPath('61-sage300-imported'), fullPage: true })
  }, 60_000)

  it('approves time and downloads the Import Time file; a second export says so first', async () => {
    await s.page.goto(`${s.server.url}/time-entries?period=2024-06-03`)
    const form = s.page.locator('#time-entry-form')
    await form.getByLabel('Employee').selectOption({ label: 'Lopez, Maria (1001)' })
    await form.getByLabel('Date').fill('2024-06-04')
    await form.getByLabel('Hours').fill('7.5')
    await form.getByLabel('Job site').selectOption({ label: '24-102 / 01 Riverside Clinic - Phase 1' })
    await form.getByLabel('Cost code').selectOption({ label: '06-100 L Rough carpentry labor (job 24-102 / 01)' })
    await form.getByRole('button', { name: 'Add time' }).click()
    await s.page.getByText('Added time for 2024-06-04.').waitFor()
    await s.page.goto(`${s.server.url}/payroll?period=2024-06-03`)
    s.page.once('dialog', (d) => void d.accept())
    await s.page.getByRole('button', { name: 'Approve and lock this period' }).click()
    await s.page.getByText('Approved and locked 2024-06-03 to 2024-06-09.').waitFor()

    const section = s.page.locator('#publish-sage-300-cre')
    await section.getByText(/REG has no payroll item of Sage 300 CRE/).waitFor()
    // Sage's pay IDs are not exported: the payroll item is made by hand, named like Sage's pay ID.
    await s.page.goto(`${s.server.url}/payroll-items/new`)
    await s.page.getByLabel('Name').fill('1')
    await s.page.getByLabel('Description').fill('Sage pay ID 1: regular')
    await s.page
      .getByRole('button', { name: /Save|Create/ })
      .first()
      .click()
    await s.page.getByText(/^Created /).waitFor()
    await s.page.goto(`${s.server.url}/payroll/mapping?target=sage-300-cre`)
    await s.page.getByLabel('Payroll item for REG').selectOption({ label: '1' })
    await s.page.getByRole('button', { name: 'Save mapping' }).click()
    await s.page.getByText('Saved the mapping.').waitFor()

    await s.page.goto(`${s.server.url}/payroll?period=2024-06-03`)
    const [download] = await Promise.all([s.page.waitForEvent('download'), section.getByRole('button', { name: 'Export the Import Time file' }).click()])
    expect(download.suggestedFilename()).toBe('import-time-2024-06-03-2024-06-09.csv')
    const body = Buffer.concat(await (await download.createReadStream()).toArray()).toString('utf8')
    expect(body).toBe('1001,06/09/2024,06/04/2024,24-102,01,06-100,L,1,7.50\r\n')
    await s.page.reload()
    await section.getByText(/Already exported once/).waitFor()
    expect(await section.getByRole('button', { name: 'Export the Import Time file again' }).count()).toBe(1)
    await s.page.screenshot({ path: screenshotPath('62-sage300-exported'), fullPage: true })
    expect(s.problems).toEqual([])
  }, 60_000)
})
