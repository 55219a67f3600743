import { describe, expect, it } from 'vitest'
import { activateAsSyncSource, browserSession, chromiumAvailable, screenshotPath } from '../helpers/browser.js'
import { QuickBooksCompany } from '../../src/connectors/quickbooks-desktop/simulator/company.js'
import { WebConnectorSimulator } from '../../src/connectors/quickbooks-desktop/simulator/web-connector.js'

// QuickBooks Desktop as an admin sets it up in Chromium, with a simulated Web Connector calling the real server.

const WC_PASSWORD = 'ridgeline web connector'

describe.skipIf(!chromiumAvailable)('in Chromium: QuickBooks Desktop through the Web Connector', () => {
  const s = browserSession()
  const tab = (name: string) => s.page.getByRole('navigation', { name: 'Integration tabs' }).getByRole('link', { name, exact: true })

  it('activates QuickBooks Desktop, makes it the sync source, sets the Web Connector password and downloads the QWC file', async () => {
    await activateAsSyncSource(s.page, 'QuickBooks Desktop')
    expect(await s.page.getByText('The Web Connector has not called yet.').count()).toBe(1)

    const password = s.page.getByLabel('Web Connector password', { exact: false })
    await password.fill('short')
    await s.page.getByRole('button', { name: 'Set password' }).click()
    await s.page.locator('#web-connector-password').getByText('At least 10 characters').waitFor()
    await password.fill(WC_PASSWORD)
    await s.page.getByRole('button', { name: 'Set password' }).click()
    await s.page.getByText('Password saved.').waitFor()

    const [download] = await Promise.all([s.page.waitForEvent('download'), s.page.getByRole('button', { name: 'Download the QWC file' }).click()])
    expect(download.suggestedFilename()).toBe('clockbridge.qwc')
    const qwc = await (await download.createReadStream()).toArray()
    const text = Buffer.concat(qwc).toString('utf8')
    expect(text).toMatch(/<AppURL>http:\/\/127.0.0.1:\d+\/qbwc<\/AppURL>/)
    expect(text).toContain('<UserName>clockbridge</UserName>')
    expect(text).not.toContain(WC_PASSWORD)
    await s.page.screenshot({ path: screenshotPath('30-qbd-setup'), fullPage: true })
  })

  it('SYNC waits for the Web Connector; its visit stages the employees and fills in the connection status', async () => {
    await tab('Employees').click()
    await s.page.getByRole('button', { name: 'SYNC' }).click()
    await s.page.locator('#run-panel').getByText('Waiting for the QuickBooks Web Connector').waitFor()
    await s.page.screenshot({ path: screenshotPath('31-qbd-waiting'), fullPage: true })

    const webConnector = new WebConnectorSimulator(`${s.server.url}/qbwc`, new QuickBooksCompany({ employees: 12 }))
    const visit = await webConnector.visit({ username: 'clockbridge', password: WC_PASSWORD })
    expect(visit.outcome).toBe('done')

    await s.page.locator('#run-panel').getByText('Succeeded').waitFor({ timeout: 15000 })
    await expect.poll(() => s.page.locator('#staging-results tbody tr').count()).toBe(12)
    expect(await s.page.locator('#staging-results tbody tr').filter({ hasText: 'Lopez' }).first().getByText('New').count()).toBe(1)
    await s.page.screenshot({ path: screenshotPath('32-qbd-staged'), fullPage: true })

    await tab('Setup').click()
    await s.page.getByText('Ridgeline Builders LLC').waitFor()
    expect(await s.page.getByText('QuickBooks Enterprise Solutions: Contractor 23.0, version 33.0').count()).toBe(1)
    await s.page.screenshot({ path: screenshotPath('33-qbd-connection'), fullPage: true })
    expect(s.problems).toEqual([])
  })
})
