import { describe, expect, it } from 'vitest'
import { browserSession, chromiumAvailable, navLink, screenshotPath, textbox } from '../helpers/browser.js'

// The administration pages' htmx interactions in Chromium: the role matrix, settings switches,
// pay IDs with a confirmation, users, password change, and the audit log that records them.

describe.skipIf(!chromiumAvailable)('in Chromium: administration', () => {
  const s = browserSession({ signIn: { email: 'root@example.com', name: 'Root', role: 'super_admin' } })
  const field = (name: string) => textbox(s.page, name)
  const nav = (name: string) => navLink(s.page, name)

  it('creates a PM user, with errors in place first', async () => {
    await nav('Users').click()
    await s.page.getByRole('button', { name: 'New user' }).click()
    await field('Name').fill('Pat')
    await field('Email').fill('pat@example.com')
    await field('Initial password').fill('short')
    await s.page.getByRole('button', { name: 'Create user' }).click()
    await s.page.getByText('Choose a role').last().waitFor()
    await s.page.getByText('Initial password must be at least 10 characters').or(s.page.getByText('Password must be at least 10 characters')).waitFor()
    await s.page.getByRole('combobox', { name: 'Role' }).selectOption({ label: 'PM' })
    await field('Initial password').fill('pats password 123')
    await s.page.getByRole('button', { name: 'Create user' }).click()
    await s.page.getByRole('heading', { name: 'Pat' }).waitFor()
    await s.page.getByText('Created user pat@example.com').waitFor()
    expect(s.page.url()).toMatch(/\/users\/\d+$/)
    const pat = await s.server.db
      .selectFrom('users')
      .innerJoin('roles', 'roles.id', 'users.role_id')
      .select(['users.name', 'users.status', 'roles.key'])
      .where('users.email', '=', 'pat@example.com')
      .execute()
    expect(pat).toEqual([{ name: 'Pat', status: 'active', key: 'pm' }])
  })

  it('disables and enables that user', async () => {
    const status = async () => (await s.server.db.selectFrom('users').select('status').where('email', '=', 'pat@example.com').executeTakeFirstOrThrow()).status
    await s.page.getByRole('button', { name: 'Disable' }).click()
    await s.page.getByText('User disabled and signed out everywhere.').waitFor()
    expect(await status()).toBe('disabled')
    expect(await s.page.getByRole('button', { name: 'Enable' }).count()).toBe(1)
    await s.page.getByRole('button', { name: 'Enable' }).click()
    await s.page.getByText('User enabled.').waitFor()
    expect(await status()).toBe('active')
  })

  it('saves the role-permission matrix in place', async () => {
    await nav('Roles').click()
    const box = s.page.getByRole('checkbox', { name: 'Employee: View job sites' })
    expect(await box.isChecked()).toBe(false)
    await box.check()
    await s.page.getByRole('button', { name: 'SAVE CHANGES' }).click()
    await s.page.getByText('Saved the permissions of 1 role(s).').waitFor()
    expect(await s.page.getByRole('checkbox', { name: 'Employee: View job sites' }).isChecked()).toBe(true)
    expect(await s.page.getByRole('checkbox', { name: 'Super Admin: Manage settings' }).isDisabled()).toBe(true)
    await s.page.screenshot({ path: screenshotPath('03-roles'), fullPage: true })
  })

  it('turns Employee Manual Creation off, which hides New employee', async () => {
    await nav('Settings').click()
    await field('Company time zone').fill('Mars/Base')
    await s.page.getByRole('button', { name: 'Save settings' }).click()
    await s.page.getByText('Company time zone must be an IANA time zone').waitFor()
    await field('Company time zone').fill('America/Chicago')
    await s.page.getByRole('switch', { name: 'Employee Manual Creation' }).uncheck()
    await s.page.getByRole('button', { name: 'Save settings' }).click()
    await s.page.getByText('Settings saved.').waitFor()
    await nav('Employees').click()
    await s.page.getByText('Employee Manual Creation is off').waitFor()
    expect(await s.page.getByRole('button', { name: 'New employee' }).count()).toBe(0)
  })

  it('schedules daily backups, refusing a bad number in place, and backs up now', async () => {
    await nav('Settings').click()
    await s.page.getByRole('combobox', { name: 'Back up the database' }).selectOption({ label: 'Daily' })
    await s.page.getByRole('combobox', { name: 'At (company time)' }).selectOption({ label: '03:00' })
    await s.page.getByRole('spinbutton', { name: 'Backups to keep' }).fill('0')
    await s.page.getByRole('button', { name: 'Save settings' }).click()
    await s.page.getByText('Backups to keep must be a number from 1 to 365').waitFor()
    await s.page.getByRole('spinbutton', { name: 'Backups to keep' }).fill('7')
    await s.page.getByRole('button', { name: 'Save settings' }).click()
    await s.page.getByText('Settings saved.').waitFor()
    await s.page.getByText('Daily at 03:00 (America/Chicago), keeping the last 7').waitFor()
    await s.page.getByRole('button', { name: 'Back up now' }).click()
    await s.page.getByText('Backed up to').waitFor()
    expect(await s.page.getByRole('cell', { name: 'Back up now' }).count()).toBe(1)
    await s.page.screenshot({ path: screenshotPath('03-settings-backups'), fullPage: true })
  })

  it('adds a leave pay ID and removes it after confirming', async () => {
    await nav('Pay IDs').click()
    await field('Code').fill('pto')
    await field('Name').fill('Paid time off')
    await s.page.getByRole('button', { name: 'Add leave pay ID' }).click()
    await s.page.getByText('Added leave pay ID PTO.').waitFor()
    s.page.once('dialog', (d) => void d.accept())
    await s.page.getByRole('row', { name: /PTO/ }).getByRole('button', { name: 'Remove' }).click()
    await s.page.getByText('Removed PTO.').waitFor()
    expect(await s.page.getByRole('row', { name: /VAC/ }).getByRole('button', { name: 'Remove' }).count()).toBe(0)
  })

  it('refuses a wrong current password in place, then changes the password', async () => {
    await s.page.getByRole('link', { name: /Root/ }).click()
    await field('Current password').fill('not it at all')
    await field('New password').fill('a brand new password')
    await field('Repeat the new password').fill('a brand new password')
    const hashBefore = await s.server.db.selectFrom('users').select('password_hash').where('email', '=', 'root@example.com').executeTakeFirstOrThrow()
    await s.page.getByRole('button', { name: 'Change password' }).click()
    await s.page.getByText('The current password is not correct').waitFor()
    // Refused in place: the form kept what was typed, and nothing changed.
    expect(await field('New password').inputValue()).toBe('')
    expect(await s.server.db.selectFrom('users').select('password_hash').where('email', '=', 'root@example.com').executeTakeFirstOrThrow()).toEqual(hashBefore)
    await field('Current password').fill('correct horse battery')
    await field('New password').fill('a brand new password')
    await field('Repeat the new password').fill('a brand new password')
    await s.page.getByRole('button', { name: 'Change password' }).click()
    await s.page.getByText('Password changed.').waitFor()
    expect(await s.server.db.selectFrom('users').select('password_hash').where('email', '=', 'root@example.com').executeTakeFirstOrThrow()).not.toEqual(
      hashBefore,
    )
  })

  it('shows each of those actions in the audit log, searchable in place', async () => {
    await nav('Audit log').click()
    for (const action of ['user.create', 'user.disable', 'role.permissions_update', 'settings.update', 'pay_id.delete', 'user.password_change']) {
      await s.page.getByRole('cell', { name: action, exact: true }).first().waitFor()
    }
    await s.page.getByRole('searchbox').fill('PTO')
    await s.page.getByText('2 entries').waitFor()
    expect(s.page.url()).toContain('q=PTO')
    expect(await s.page.locator('table tbody tr').count()).toBe(2)
    expect(await s.page.locator('table tbody tr').allInnerTexts()).toEqual([expect.stringContaining('pay_id.delete'), expect.stringContaining('pay_id.create')])
    await s.page.screenshot({ path: screenshotPath('04-audit-log'), fullPage: true })
  })

  it('sends an expired session to sign-in from an htmx request', async () => {
    await s.server.db.deleteFrom('sessions').execute()
    await s.page.getByRole('searchbox').fill('anything')
    await s.page.getByRole('heading', { name: 'Sign in' }).waitFor()
    expect(s.page.url()).toContain('/login?next=%2Faudit-log')
  })

  it('raised no script error and no Content-Security-Policy violation', () => {
    expect(s.problems, s.problems.join('\n')).toEqual([])
  })
})
