import { mkdirSync } from 'node:fs'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { chromiumAvailable, launchChromium, navLink, screenshotOnFailure, screenshotPath, SCREENSHOT_DIR, signInThroughForm, startServer, watchedPage, type RunningServer } from '../helpers/browser.js'
import { QuickBooksCompany } from '../../src/connectors/quickbooks-desktop/simulator/company.js'
import { WebConnectorSimulator } from '../../src/connectors/quickbooks-desktop/simulator/web-connector.js'

// QuickBooks Desktop as an admin sets it up in Chromium, with a simulated Web Connector calling the real server.

const WC_PASSWORD = 'ridgeline web connector'

describe.skipIf(!chromiumAvailable)('in Chromium: QuickBooks Desktop through the Web Connector', () => {
  let server: RunningServer
  let browser: Browser
  let page: Page
  let problems: string[] = []
  const tab = (name: string) => page.getByRole('navigation', { name: 'Integration tabs' }).getByRole('link', { name, exact: true })

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

  it('activates QuickBooks Desktop, makes it the sync source, sets the Web Connector password and downloads the QWC file', async () => {
    await navLink(page, 'Integrations').click()
    await page.getByRole('row', { name: /QuickBooks Desktop/ }).getByRole('button', { name: 'Activate' }).click()
    await page.getByText('QuickBooks Desktop is activated.').waitFor()
    await page.getByRole('link', { name: 'QuickBooks Desktop' }).click()
    await page.getByRole('button', { name: 'Make QuickBooks Desktop the sync source' }).click()
    await page.getByText('QuickBooks Desktop is now the sync source.').waitFor()
    expect(await page.getByText('The Web Connector has not called yet.').count()).toBe(1)

    const password = page.getByLabel('Web Connector password', { exact: false })
    await password.fill('short')
    await page.getByRole('button', { name: 'Set password' }).click()
    await page.locator('#web-connector-password').getByText('At least 10 characters').waitFor()
    await password.fill(WC_PASSWORD)
    await page.getByRole('button', { name: 'Set password' }).click()
    await page.getByText('Password saved.').waitFor()

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download the QWC file' }).click()])
    expect(download.suggestedFilename()).toBe('clockbridge.qwc')
    const qwc = await (await download.createReadStream()).toArray()
    const text = Buffer.concat(qwc).toString('utf8')
    expect(text).toMatch(/<AppURL>http:\/\/127.0.0.1:\d+\/qbwc<\/AppURL>/)
    expect(text).toContain('<UserName>clockbridge</UserName>')
    expect(text).not.toContain(WC_PASSWORD)
    await page.screenshot({ path: screenshotPath('30-qbd-setup'), fullPage: true })
  })

  it('SYNC waits for the Web Connector; its visit stages the employees and fills in the connection status', async () => {
    await tab('Employees').click()
    await page.getByRole('button', { name: 'SYNC' }).click()
    await page.locator('#run-panel').getByText('Waiting for the QuickBooks Web Connector').waitFor()
    await page.screenshot({ path: screenshotPath('31-qbd-waiting'), fullPage: true })

    const webConnector = new WebConnectorSimulator(`${server.url}/qbwc`, new QuickBooksCompany({ employees: 12 }))
    const visit = await webConnector.visit({ username: 'clockbridge', password: WC_PASSWORD })
    expect(visit.outcome).toBe('done')

    await page.locator('#run-panel').getByText('Succeeded').waitFor({ timeout: 15000 })
    await expect.poll(() => page.locator('#staging-results tbody tr').count()).toBe(12)
    expect(await page.locator('#staging-results tbody tr').filter({ hasText: 'Lopez' }).first().getByText('New').count()).toBe(1)
    await page.screenshot({ path: screenshotPath('32-qbd-staged'), fullPage: true })

    await tab('Setup').click()
    await page.getByText('Ridgeline Builders LLC').waitFor()
    expect(await page.getByText('QuickBooks Enterprise Solutions: Contractor 23.0, version 33.0').count()).toBe(1)
    await page.screenshot({ path: screenshotPath('33-qbd-connection'), fullPage: true })
    expect(problems).toEqual([])
  })
})
