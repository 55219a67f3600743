import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tabTo } from '../helpers/accessibility.js'
import { activateAsSyncSource, downloadIif, browserSession, chromiumAvailable, navLink, screenshotPath } from '../helpers/browser.js'
import { QuickBooksCompany } from '../../src/connectors/quickbooks-desktop/simulator/company.js'
import { WebConnectorSimulator, type VisitFaults } from '../../src/connectors/quickbooks-desktop/simulator/web-connector.js'
import { IntacctSimulator, SIM_INTACCT } from '../../src/connectors/sage-intacct/simulator/server.js'

// From QuickBooks Desktop's employees to their approved hours back in QuickBooks, in Chromium, with a
// simulated Web Connector calling the real server; then the same period to a second target (Sage
// Intacct, simulated, its records matched by name) and the IIF file.

const WC_PASSWORD = 'ridgeline web connector'

describe.skipIf(!chromiumAvailable)('in Chromium: publishing approved hours to QuickBooks Desktop', () => {
  const qb = new QuickBooksCompany({ employees: 3, customers: 1 })
  let visit: (faults?: VisitFaults) => ReturnType<WebConnectorSimulator['visit']>
  // Intacct knows the same people and calls its regular time type as QuickBooks does.
  const intacct = new IntacctSimulator({ employees: 3 })
  let intacctServer: { endpoint: string; close: () => Promise<void> }
  const tab = (name: string) => s.page.getByRole('navigation', { name: 'Integration tabs' }).getByRole('link', { name, exact: true })

  beforeAll(async () => {
    intacctServer = await intacct.listen()
  })
  const s = browserSession({ env: () => ({ INTACCT_ENDPOINT_URL: intacctServer.endpoint }) })
  beforeAll(() => {
    const webConnector = new WebConnectorSimulator(`${s.server.url}/qbwc`, qb)
    visit = (faults) => webConnector.visit({ username: 'clockbridge', password: WC_PASSWORD, faults })
  })
  afterAll(() => intacctServer?.close())

  it('syncs and imports the wage items, classes and employees from QuickBooks', async () => {
    await activateAsSyncSource(s.page, 'QuickBooks Desktop')
    await s.page.getByLabel('Web Connector password', { exact: false }).fill(WC_PASSWORD)
    await s.page.getByRole('button', { name: 'Set password' }).click()
    await s.page.getByText('Password saved.').waitFor()
    // Departments first: each employee's payroll class is their department.
    for (const module of ['Payroll items', 'Departments', 'Employees']) {
      await tab(module).click()
      await s.page.getByRole('button', { name: 'SYNC' }).click()
      await s.page.locator('#run-panel').getByText('Waiting for the QuickBooks Web Connector').waitFor()
      expect((await visit()).outcome).toBe('done')
      // The run panel's own 5-second poll is tested in quickbooks-desktop.test.ts; here the page is reloaded.
      await s.page.reload()
      await s.page.locator('#run-panel').getByText('Succeeded').waitFor()
      await s.page.locator('#staging-results tbody tr').first().waitFor()
      await s.page.getByLabel('Select every record on this page').check()
      await s.page.getByRole('button', { name: 'IMPORT' }).click()
      await s.page.getByRole('button', { name: 'Confirm IMPORT' }).click()
      await s.page.getByText(/IMPORT finished: [1-9]\d* created/).waitFor()
    }
  }, 60_000)

  it('enters and approves time, is blocked until REG is mapped, publishes, and sees the line sent after the next visit', async () => {
    await s.page.goto(`${s.server.url}/time-entries?period=2024-06-03`)
    const form = s.page.locator('#time-entry-form')
    await form.getByLabel('Employee').selectOption({ index: 1 })
    await form.getByLabel('Date').fill('2024-06-03')
    await form.getByLabel('Hours').fill('8')
    await form.getByRole('button', { name: 'Add time' }).click()
    await s.page.getByText('Added time for 2024-06-03.').waitFor()
    await s.page.goto(`${s.server.url}/payroll?period=2024-06-03`)
    s.page.once('dialog', (d) => void d.accept())
    await s.page.getByRole('button', { name: 'Approve and lock this period' }).click()
    await s.page.getByText('Approved and locked 2024-06-03 to 2024-06-09.').waitFor()
    const section = s.page.locator('#publish-quickbooks-desktop')
    await section.getByText('Nothing is sent while these stand').waitFor()
    expect(await section.getByRole('button', { name: 'Publish to QuickBooks Desktop' }).isDisabled()).toBe(true)
    await s.page.screenshot({ path: screenshotPath('50-publish-blocked'), fullPage: true })

    await section.getByRole('link', { name: /REG has no payroll item/ }).click()
    await s.page.getByLabel('Payroll item for REG').selectOption({ label: 'Hourly Rate' })
    await s.page.getByRole('button', { name: 'Save mapping' }).click()
    await s.page.getByText('Saved the mapping.').waitFor()

    await s.page.goto(`${s.server.url}/payroll?period=2024-06-03`)
    await section.getByRole('button', { name: 'Publish to QuickBooks Desktop' }).click()
    await s.page.getByText(/Published to QuickBooks Desktop: 1 new/).waitFor()
    // QuickBooks adds the hours, and the Web Connector's answer is lost: never shown as failed, never sent twice.
    expect((await visit({ crashAfterProcessingRequest: 1 })).outcome).toBe('dropped')
    await s.page.reload()
    await section.getByText('Lines: 0 sent · 1 sent, waiting for QuickBooks Desktop to confirm · 0 pending · 0 failed').waitFor()
    await section.getByText(/checks with QuickBooks Desktop on the QuickBooks Web Connector's next visit before sending anything again/).waitFor()
    await s.page.screenshot({ path: screenshotPath('51-publish-unconfirmed'), fullPage: true })
    expect((await visit()).outcome).toBe('done')
    expect(qb.timeTracking.map((t) => [t.date, t.duration, t.wageItem])).toEqual([['2024-06-03', 'PT8H0M', 'Hourly Rate']])
    await s.page.reload()
    await section.getByText('Lines: 1 sent · 0 pending · 0 failed').waitFor()
    await s.page.screenshot({ path: screenshotPath('52-published'), fullPage: true })
    expect(s.problems).toEqual([])
  }, 60_000)

  it('publishes the same period to Sage Intacct after matching its records, and downloads the IIF file', async () => {
    const names = qb.lists.Employee.map((e) => e.name.split(' '))
    intacct.objects.get('EMPLOYEE')!.forEach((row, i) => Object.assign(row, { PERSONALINFO: { FIRSTNAME: names[i]![0]!, LASTNAME: names[i]![1]! } }))
    intacct.objects.get('TIMETYPE')!.push({ RECORDNO: '90', NAME: 'Hourly Rate', STATUS: 'active' })

    await navLink(s.page, 'Integrations').click()
    await s.page
      .getByRole('row', { name: /Sage Intacct/ })
      .getByRole('button', { name: 'Activate' })
      .click()
    await s.page.getByText('Sage Intacct is activated.').waitFor()
    await s.page.getByRole('link', { name: 'Sage Intacct' }).click()
    await s.page.getByLabel('Web Services sender id').fill(SIM_INTACCT.senderId)
    await s.page.getByLabel('Web Services sender password').fill(SIM_INTACCT.senderPassword)
    await s.page.getByLabel('Company id').fill(SIM_INTACCT.companyId)
    await s.page.getByLabel('User id').fill(SIM_INTACCT.userId)
    await s.page.getByLabel('User password').fill(SIM_INTACCT.userPassword)
    await s.page.getByRole('button', { name: 'Save settings' }).click()
    await s.page.getByText('Settings saved.').waitFor()
    await s.page.getByRole('button', { name: 'Test connection' }).click()
    await s.page.locator('#connection').getByText('The connection works: Sage Intacct answered for harbor-line.').waitFor()
    // The page header's badge follows the test without a reload.
    await expect.poll(() => s.page.locator('#integration-health').innerText()).toBe('Connected')

    await s.page.goto(`${s.server.url}/payroll?period=2024-06-03`)
    const section = s.page.locator('#publish-sage-intacct')
    await section
      .getByText(/is not linked to Sage Intacct/)
      .first()
      .waitFor()
    await section.getByRole('button', { name: 'Match records with Sage Intacct' }).click()
    await s.page.getByText(/Matched with Sage Intacct: 3 employees/).waitFor()
    await section.getByRole('link', { name: /REG has no payroll item of Sage Intacct/ }).click()
    await s.page.getByLabel('Payroll item for REG').selectOption({ label: 'Hourly Rate' })
    await s.page.getByRole('button', { name: 'Save mapping' }).click()
    await s.page.getByText('Saved the mapping.').waitFor()
    await s.page.goto(`${s.server.url}/payroll?period=2024-06-03`)
    await section.getByRole('button', { name: 'Match records with Sage Intacct' }).click()
    await s.page.getByText(/Matched with Sage Intacct: 3 employees.*2 payroll items/).waitFor()
    // Published with the keyboard alone.
    await s.page.locator('#main').focus()
    await tabTo(s.page, 'Publish to Sage Intacct', 120)
    await s.page.keyboard.press('Enter')
    await s.page.getByText(/Published to Sage Intacct: 1 new.*Sending now/).waitFor()
    await expect.poll(() => intacct.timesheets.length).toBe(1)
    expect(intacct.timesheets[0]!.entries.map((e) => [e.ENTRYDATE, e.QTY, e.TIMETYPE])).toEqual([['06/03/2024', '8', 'Hourly Rate']])
    await s.page.reload()
    await section.getByText('Lines: 1 sent · 0 pending · 0 failed').waitFor()
    await s.page.locator('#publish-quickbooks-desktop').getByText('Lines: 1 sent · 0 pending · 0 failed').waitFor()
    await s.page.screenshot({ path: screenshotPath('52-published-two-targets'), fullPage: true })

    const body = await downloadIif(s.page, s.server.url, { REG: 'Hourly Rate' })
    expect(body).toMatch(/TIMEACT\t06\/03\/24\t[^\t]*\t[^\t]+\t\tHourly Rate\t8:00\t/)
    expect(s.problems).toEqual([])
  }, 60_000)
})
