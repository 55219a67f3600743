import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { activateAsSyncSource, browserSession, chromiumAvailable, navLink, screenshotPath, textbox } from '../helpers/browser.js'
import { QboSimulator, SIM_CLIENT } from '../../src/connectors/quickbooks-online/simulator/server.js'

// QuickBooks Online as an admin connects it in Chromium: settings, Connect, consent at the
// simulated Intuit page, back to Clockbridge, SYNC employees.

describe.skipIf(!chromiumAvailable)('in Chromium: connecting QuickBooks Online', () => {
  const sim = new QboSimulator({ employees: 14 })
  let simServer: { url: string; close: () => Promise<void> }
  const tab = (name: string) => s.page.getByRole('navigation', { name: 'Integration tabs' }).getByRole('link', { name, exact: true })

  beforeAll(async () => {
    simServer = await sim.listen()
  })
  const s = browserSession({ env: () => sim.urls(simServer.url) })
  afterAll(() => simServer?.close())

  it('saves the app credentials, connects through the consent page, and shows the connection', async () => {
    await activateAsSyncSource(s.page, 'QuickBooks Online')
    expect(await s.page.getByText(`${s.server.url}/integrations/quickbooks-online/oauth/callback`).count()).toBe(1)

    await s.page.getByRole('button', { name: 'Connect', exact: true }).click()
    await s.page.getByText('The settings of QuickBooks Online are incomplete').waitFor()

    await textbox(s.page, 'Client id').fill(SIM_CLIENT.clientId)
    await s.page.getByLabel('Client secret').fill(SIM_CLIENT.clientSecret)
    await s.page.getByLabel('Environment').selectOption('sandbox')
    await s.page.getByRole('button', { name: 'Save settings' }).click()
    await s.page.getByText('Settings saved.').waitFor()
    expect(await s.page.content()).not.toContain(SIM_CLIENT.clientSecret)

    await s.page.getByRole('button', { name: 'Connect', exact: true }).click()
    await s.page.getByRole('heading', { name: 'Connect to Harbor Line Construction' }).waitFor()
    await s.page.screenshot({ path: screenshotPath('40-qbo-consent'), fullPage: true })
    await s.page.getByRole('button', { name: 'Connect', exact: true }).click()
    await s.page.getByText(`QuickBooks Online is connected to company ${sim.company.realmId}.`).waitFor()
    expect(s.page.url()).toBe(`${s.server.url}/integrations/quickbooks-online`)
    expect(await s.page.locator('#connection').getByText('Connected', { exact: true }).count()).toBe(1)
    await s.page.screenshot({ path: screenshotPath('41-qbo-connected'), fullPage: true })
  })

  it('SYNC employees stages them from QuickBooks Online', async () => {
    await tab('Employees').click()
    await s.page.getByRole('button', { name: 'SYNC' }).click()
    await s.page.locator('#run-panel').getByText('Succeeded').waitFor({ timeout: 15000 })
    await expect.poll(() => s.page.locator('#staging-results tbody tr').count()).toBe(14)
    expect(await s.page.locator('#staging-results tbody tr').filter({ hasText: 'Platt' }).first().getByText('New').count()).toBe(1)
    await s.page.screenshot({ path: screenshotPath('42-qbo-staged'), fullPage: true })

    await navLink(s.page, 'Integrations').click()
    await s.page
      .getByRole('row', { name: /QuickBooks Online/ })
      .getByText('Connected')
      .waitFor()
    await s.page.screenshot({ path: screenshotPath('43-qbo-overview'), fullPage: true })
    expect(s.problems).toEqual([])
  })
})
