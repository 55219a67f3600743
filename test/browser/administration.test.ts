import { mkdirSync } from 'node:fs'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { chromiumAvailable, launchChromium, navLink, screenshotOnFailure, screenshotPath, SCREENSHOT_DIR, signInThroughForm, startServer, textbox, watchedPage, type RunningServer } from '../helpers/browser.js'

// The administration pages' htmx interactions in Chromium: the role matrix, settings switches,
// pay IDs with a confirmation, users, password change, and the audit log that records them.

describe.skipIf(!chromiumAvailable)('in Chromium: administration', () => {
  let server: RunningServer
  let browser: Browser
  let page: Page
  let problems: string[] = []
  const field = (name: string) => textbox(page, name)
  const nav = (name: string) => navLink(page, name)

  beforeAll(async () => {
    mkdirSync(SCREENSHOT_DIR, { recursive: true })
    server = await startServer()
    browser = await launchChromium()
    ;({ page, problems } = await watchedPage(browser))
    await signInThroughForm(server, page, { email: 'root@example.com', name: 'Root', role: 'super_admin' })
  })

  afterEach((ctx) => screenshotOnFailure(page, ctx))

  afterAll(async () => {
    await browser?.close()
    await server?.close()
  })

  it('creates a PM user, with errors in place first', async () => {
    await nav('Users').click()
    await page.getByRole('button', { name: 'New user' }).click()
    await field('Name').fill('Pat')
    await field('Email').fill('pat@example.com')
    await field('Initial password').fill('short')
    await page.getByRole('button', { name: 'Create user' }).click()
    await page.getByText('Choose a role').last().waitFor()
    await page.getByText('Initial password must be at least 10 characters').or(page.getByText('Password must be at least 10 characters')).waitFor()
    await page.getByRole('combobox', { name: 'Role' }).selectOption({ label: 'PM' })
    await field('Initial password').fill('pats password 123')
    await page.getByRole('button', { name: 'Create user' }).click()
    await page.getByRole('heading', { name: 'Pat' }).waitFor()
    await page.getByText('Created user pat@example.com').waitFor()
  })

  it('disables and enables that user', async () => {
    await page.getByRole('button', { name: 'Disable' }).click()
    await page.getByText('User disabled and signed out everywhere.').waitFor()
    await page.getByRole('button', { name: 'Enable' }).click()
    await page.getByText('User enabled.').waitFor()
  })

  it('saves the role-permission matrix in place', async () => {
    await nav('Roles').click()
    const box = page.getByRole('checkbox', { name: 'Employee: View job sites' })
    expect(await box.isChecked()).toBe(false)
    await box.check()
    await page.getByRole('button', { name: 'SAVE CHANGES' }).click()
    await page.getByText('Saved the permissions of 1 role(s).').waitFor()
    expect(await page.getByRole('checkbox', { name: 'Employee: View job sites' }).isChecked()).toBe(true)
    expect(await page.getByRole('checkbox', { name: 'Super Admin: Manage settings' }).isDisabled()).toBe(true)
    await page.screenshot({ path: screenshotPath('03-roles'), fullPage: true })
  })

  it('turns Employee Manual Creation off, which hides New employee', async () => {
    await nav('Settings').click()
    await field('Company time zone').fill('Mars/Base')
    await page.getByRole('button', { name: 'Save settings' }).click()
    await page.getByText('Company time zone must be an IANA time zone').waitFor()
    await field('Company time zone').fill('America/Chicago')
    await page.getByRole('switch', { name: 'Employee Manual Creation' }).uncheck()
    await page.getByRole('button', { name: 'Save settings' }).click()
    await page.getByText('Settings saved.').waitFor()
    await nav('Employees').click()
    await page.getByText('Employee Manual Creation is off').waitFor()
    expect(await page.getByRole('button', { name: 'New employee' }).count()).toBe(0)
  })

  it('adds a leave pay ID and removes it after confirming', async () => {
    await nav('Pay IDs').click()
    await field('Code').fill('pto')
    await field('Name').fill('Paid time off')
    await page.getByRole('button', { name: 'Add leave pay ID' }).click()
    await page.getByText('Added leave pay ID PTO.').waitFor()
    page.once('dialog', (d) => void d.accept())
    await page.getByRole('row', { name: /PTO/ }).getByRole('button', { name: 'Remove' }).click()
    await page.getByText('Removed PTO.').waitFor()
    expect(await page.getByRole('row', { name: /VAC/ }).getByRole('button', { name: 'Remove' }).count()).toBe(0)
  })

  it('refuses a wrong current password in place, then changes the password', async () => {
    await page.getByRole('link', { name: /Root/ }).click()
    await field('Current password').fill('not it at all')
    await field('New password').fill('a brand new password')
    await field('Repeat the new password').fill('a brand new password')
    await page.getByRole('button', { name: 'Change password' }).click()
    await page.getByText('The current password is not correct').waitFor()
    await field('Current password').fill('correct horse battery')
    await field('New password').fill('a brand new password')
    await field('Repeat the new password').fill('a brand new password')
    await page.getByRole('button', { name: 'Change password' }).click()
    await page.getByText('Password changed.').waitFor()
  })

  it('shows each of those actions in the audit log, searchable in place', async () => {
    await nav('Audit log').click()
    for (const action of ['user.create', 'user.disable', 'role.permissions_update', 'settings.update', 'pay_id.delete', 'user.password_change']) {
      await page.getByRole('cell', { name: action, exact: true }).first().waitFor()
    }
    await page.getByRole('searchbox').fill('PTO')
    await page.getByText('2 entries').waitFor()
    await page.screenshot({ path: screenshotPath('04-audit-log'), fullPage: true })
  })

  it('sends an expired session to sign-in from an htmx request', async () => {
    await server.db.deleteFrom('sessions').execute()
    await page.getByRole('searchbox').fill('anything')
    await page.getByRole('heading', { name: 'Sign in' }).waitFor()
    expect(page.url()).toContain('/login?next=%2Faudit-log')
  })

  it('raised no script error and no Content-Security-Policy violation', () => {
    expect(problems, problems.join('\n')).toEqual([])
  })
})
