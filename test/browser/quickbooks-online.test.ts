import { mkdirSync } from 'node:fs'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { chromiumAvailable, launchChromium, navLink, screenshotOnFailure, screenshotPath, SCREENSHOT_DIR, signInThroughForm, startServer, textbox, watchedPage, type RunningServer } from '../helpers/browser.js'
import { QboSimulator, SIM_CLIENT } from '../../src/connectors/quickbooks-online/simulator/server.js'

// QuickBooks Online as an admin connects it in Chromium: settings, Connect, consent at the
// simulated Intuit page, back to Clockbridge, SYNC employees.

describe.skipIf(!chromiumAvailable)('in Chromium: connecting QuickBooks Online', () => {
  let server: RunningServer
  let sim: QboSimulator
  let simServer: { url: string; close: () => Promise<void> }
  let browser: Browser
  let page: Page
  let problems: string[] = []
  const tab = (name: string) => page.getByRole('navigation', { name: 'Integration tabs' }).getByRole('link', { name, exact: true })

  beforeAll(async () => {
    mkdirSync(SCREENSHOT_DIR, { recursive: true })
    sim = new QboSimulator({ employees: 14 })
    simServer = await sim.listen()
    server = await startServer(sim.urls(simServer.url))
    browser = await launchChromium()
    ;({ page, problems } = await watchedPage(browser))
    await signInThroughForm(server, page, { email: 'admin@example.com', name: 'Admin', role: 'admin' })
  })

  afterEach((ctx) => screenshotOnFailure(page, ctx))

  afterAll(async () => {
    await browser?.close()
    await server?.close()
    await simServer?.close()
  })

  it('saves the app credentials, connects through the consent page, and shows the connection', async () => {
    await navLink(page, 'Integrations').click()
    await page.getByRole('row', { name: /QuickBooks Online/ }).getByRole('button', { name: 'Activate' }).click()
    await page.getByText('QuickBooks Online is activated.').waitFor()
    await page.getByRole('link', { name: 'QuickBooks Online' }).click()
    await page.getByRole('button', { name: 'Make QuickBooks Online the sync source' }).click()
    await page.getByText('QuickBooks Online is now the sync source.').waitFor()
    expect(await page.getByText(`${server.url}/integrations/quickbooks-online/oauth/callback`).count()).toBe(1)

    await page.getByRole('button', { name: 'Connect', exact: true }).click()
    await page.getByText('The settings of QuickBooks Online are incomplete').waitFor()

    await textbox(page, 'Client id').fill(SIM_CLIENT.clientId)
    await page.getByLabel('Client secret').fill(SIM_CLIENT.clientSecret)
    await page.getByLabel('Environment').selectOption('sandbox')
    await page.getByRole('button', { name: 'Save settings' }).click()
    await page.getByText('Settings saved.').waitFor()
    expect(await page.content()).not.toContain(SIM_CLIENT.clientSecret)

    await page.getByRole('button', { name: 'Connect', exact: true }).click()
    await page.getByRole('heading', { name: 'Connect to Harbor Line Construction' }).waitFor()
    await page.screenshot({ path: screenshotPath('40-qbo-consent'), fullPage: true })
    await page.getByRole('button', { name: 'Connect', exact: true }).click()
    await page.getByText(`QuickBooks Online is connected to company ${sim.company.realmId}.`).waitFor()
    expect(page.url()).toBe(`${server.url}/integrations/quickbooks-online`)
    expect(await page.locator('#connection').getByText('Connected', { exact: true }).count()).toBe(1)
    await page.screenshot({ path: screenshotPath('41-qbo-connected'), fullPage: true })
  })

  it('SYNC employees stages them from QuickBooks Online', async () => {
    await tab('Employees').click()
    await page.getByRole('button', { name: 'SYNC' }).click()
    await page.locator('#run-panel').getByText('Succeeded').waitFor({ timeout: 15000 })
    await expect.poll(() => page.locator('#staging-results tbody tr').count()).toBe(14)
    expect(await page.locator('#staging-results tbody tr').filter({ hasText: 'Platt' }).first().getByText('New').count()).toBe(1)
    await page.screenshot({ path: screenshotPath('42-qbo-staged'), fullPage: true })

    await navLink(page, 'Integrations').click()
    await page.getByRole('row', { name: /QuickBooks Online/ }).getByText('Connected').waitFor()
    await page.screenshot({ path: screenshotPath('43-qbo-overview'), fullPage: true })
    expect(problems).toEqual([])
  })
})
