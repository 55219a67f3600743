import { mkdirSync } from 'node:fs'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { chromiumAvailable, launchChromium, navLink, screenshotOnFailure, screenshotPath, SCREENSHOT_DIR, signInThroughForm, startServer, watchedPage, type RunningServer } from '../helpers/browser.js'
import { QuickBooksCompany } from '../../src/connectors/quickbooks-desktop/simulator/company.js'
import { WebConnectorSimulator } from '../../src/connectors/quickbooks-desktop/simulator/web-connector.js'

// From QuickBooks Desktop's employees to their approved hours back in QuickBooks, in Chromium, with a
// simulated Web Connector calling the real server.

const WC_PASSWORD = 'ridgeline web connector'

describe.skipIf(!chromiumAvailable)('in Chromium: publishing approved hours to QuickBooks Desktop', () => {
  let server: RunningServer
  let browser: Browser
  let page: Page
  let problems: string[] = []
  const qb = new QuickBooksCompany({ employees: 3, customers: 1 })
  let visit: () => ReturnType<WebConnectorSimulator['visit']>
  const tab = (name: string) => page.getByRole('navigation', { name: 'Integration tabs' }).getByRole('link', { name, exact: true })

  beforeAll(async () => {
    mkdirSync(SCREENSHOT_DIR, { recursive: true })
    server = await startServer()
    const webConnector = new WebConnectorSimulator(`${server.url}/qbwc`, qb)
    visit = () => webConnector.visit({ username: 'clockbridge', password: WC_PASSWORD })
    browser = await launchChromium()
    ;({ page, problems } = await watchedPage(browser))
    await signInThroughForm(server, page, { email: 'admin@example.com', name: 'Admin', role: 'admin' })
  })

  afterEach((ctx) => screenshotOnFailure(page, ctx))

  afterAll(async () => {
    await browser?.close()
    await server?.close()
  })

  it('syncs and imports the wage items, classes and employees from QuickBooks', async () => {
    await navLink(page, 'Integrations').click()
    await page.getByRole('row', { name: /QuickBooks Desktop/ }).getByRole('button', { name: 'Activate' }).click()
    await page.getByText('QuickBooks Desktop is activated.').waitFor()
    await page.getByRole('link', { name: 'QuickBooks Desktop' }).click()
    await page.getByRole('button', { name: 'Make QuickBooks Desktop the sync source' }).click()
    await page.getByText('QuickBooks Desktop is now the sync source.').waitFor()
    await page.getByLabel('Web Connector password', { exact: false }).fill(WC_PASSWORD)
    await page.getByRole('button', { name: 'Set password' }).click()
    await page.getByText('Password saved.').waitFor()
    // Departments first: each employee's payroll class is their department.
    for (const module of ['Payroll items', 'Departments', 'Employees']) {
      await tab(module).click()
      await page.getByRole('button', { name: 'SYNC' }).click()
      await page.locator('#run-panel').getByText('Waiting for the QuickBooks Web Connector').waitFor()
      expect((await visit()).outcome).toBe('done')
      await page.locator('#run-panel').getByText('Succeeded').waitFor({ timeout: 15000 })
      await page.locator('#staging-results tbody tr').first().waitFor()
      await page.getByLabel('Select every record on this page').check()
      await page.getByRole('button', { name: 'IMPORT' }).click()
      await page.getByRole('button', { name: 'Confirm IMPORT' }).click()
      await page.getByText(/IMPORT finished: [1-9]\d* created/).waitFor()
    }
  }, 60_000)

  it('enters and approves time, is blocked until REG is mapped, publishes, and sees the line sent after the next visit', async () => {
    await page.goto(`${server.url}/time-entries?period=2024-06-03`)
    const form = page.locator('#time-entry-form')
    await form.getByLabel('Employee').selectOption({ index: 1 })
    await form.getByLabel('Date').fill('2024-06-03')
    await form.getByLabel('Hours').fill('8')
    await form.getByRole('button', { name: 'Add time' }).click()
    await page.getByText('Added time for 2024-06-03.').waitFor()
    await page.goto(`${server.url}/payroll?period=2024-06-03`)
    await page.getByRole('button', { name: 'Approve and lock this period' }).click()
    await page.getByText('Approved and locked 2024-06-03 to 2024-06-09.').waitFor()
    const section = page.locator('#publish-quickbooks-desktop')
    await section.getByText('Nothing is sent while these stand').waitFor()
    expect(await section.getByRole('button', { name: 'Publish to QuickBooks Desktop' }).isDisabled()).toBe(true)
    await page.screenshot({ path: screenshotPath('50-publish-blocked'), fullPage: true })

    await section.getByRole('link', { name: /REG has no payroll item/ }).click()
    await page.getByLabel('Payroll item for REG').selectOption({ label: 'Hourly Rate' })
    await page.getByRole('button', { name: 'Save mapping' }).click()
    await page.getByText('Saved the mapping.').waitFor()

    await page.goto(`${server.url}/payroll?period=2024-06-03`)
    await section.getByRole('button', { name: 'Publish to QuickBooks Desktop' }).click()
    await page.getByText(/Published to QuickBooks Desktop: 1 new/).waitFor()
    expect((await visit()).outcome).toBe('done')
    expect(qb.timeTracking.map((t) => [t.date, t.duration, t.wageItem])).toEqual([['2024-06-03', 'PT8H0M', 'Hourly Rate']])
    await page.reload()
    await section.getByText('Lines: 1 sent · 0 pending · 0 failed').waitFor()
    await page.screenshot({ path: screenshotPath('51-published'), fullPage: true })
    expect(problems).toEqual([])
  }, 60_000)
})
