import { describe, expect, it } from 'vitest'
import { browserSession, chromiumAvailable, navLink, screenshotPath, textbox } from '../helpers/browser.js'

// One browser session walks the way a new customer does: first admin, sign in, an employee by hand,
// then the list's htmx behaviour (active search, Synced status filter, paging, sorting) in Chromium.

describe.skipIf(!chromiumAvailable)('in Chromium: first administrator, sign-in, employees', () => {
  const s = browserSession({ signIn: null })
  const field = (name: string) => textbox(s.page, name)
  const nav = (name: string) => navLink(s.page, name)

  it('leads a fresh server to "Create the first administrator" and refuses bad input in place', async () => {
    await s.page.goto(s.server.url + '/employees')
    expect(new URL(s.page.url()).pathname).toBe('/setup')
    await field('Your name').fill('Ada Admin')
    await field('Email').fill('ada@example')
    await field('Password').fill('short')
    await field('Repeat the password').fill('short')
    await s.page.getByRole('button', { name: 'Create the first administrator' }).click()
    await s.page.getByText('Email must be an email address').waitFor()
    await s.page.getByText('Password must be at least 10 characters').waitFor()
    expect(new URL(s.page.url()).pathname).toBe('/setup')
    await s.page.screenshot({ path: screenshotPath('01-setup-errors'), fullPage: true })
  })

  it('creates the first administrator and lands signed in', async () => {
    await field('Email').fill('ada@example.com')
    await field('Password').fill('correct horse battery')
    await field('Repeat the password').fill('correct horse battery')
    await s.page.getByRole('button', { name: 'Create the first administrator' }).click()
    await s.page.getByRole('heading', { name: 'Hello, Ada Admin' }).waitFor()
    await s.page.getByText('Your administrator account is ready').waitFor()
    expect(new URL(s.page.url()).pathname).toBe('/')
    const admins = await s.server.db.selectFrom('users').innerJoin('roles', 'roles.id', 'users.role_id').select(['users.email', 'roles.key']).execute()
    expect(admins).toEqual([{ email: 'ada@example.com', key: 'super_admin' }])
    expect(await s.server.db.selectFrom('sessions').select('user_id').execute()).toHaveLength(1)
  })

  it('signs out, rejects a wrong password in place, and signs in', async () => {
    await s.page.getByRole('button', { name: 'Sign out' }).click()
    await s.page.getByRole('heading', { name: 'Sign in' }).waitFor()
    expect(await s.server.db.selectFrom('sessions').select('user_id').execute()).toEqual([])
    await field('Email').fill('ada@example.com')
    await field('Password').fill('not the password')
    await s.page.getByRole('button', { name: 'Sign in' }).click()
    await s.page.getByText('Email or password is incorrect.').waitFor()
    // Refused in place: still on the sign-in page, the email kept, no session made.
    expect(new URL(s.page.url()).pathname).toBe('/login')
    expect(await field('Email').inputValue()).toBe('ada@example.com')
    expect(await s.server.db.selectFrom('sessions').select('user_id').execute()).toEqual([])
    await field('Password').fill('correct horse battery')
    await s.page.getByRole('button', { name: 'Sign in' }).click()
    await s.page.getByRole('heading', { name: 'Hello, Ada Admin' }).waitFor()
    expect(await s.server.db.selectFrom('sessions').select('user_id').execute()).toHaveLength(1)
  })

  it('creates an employee, showing errors beside fields first', async () => {
    await nav('Employees').click()
    await s.page.getByRole('button', { name: 'New employee' }).click()
    await field('Last name').fill('Lopez')
    await field('Employee number').fill('E-1001')
    await s.page.getByRole('button', { name: 'Create employee' }).click()
    await s.page.getByText('First name is required').waitFor()
    expect(await field('Employee number').inputValue()).toBe('E-1001')
    await field('First name').fill('Maria')
    await field('Email').fill('maria@example.com')
    await s.page.getByRole('button', { name: 'Create employee' }).click()
    await s.page.getByRole('heading', { name: 'Maria Lopez' }).waitFor()
    await s.page.getByText('Created employee.').waitFor()
    expect(await s.page.locator('dd').filter({ hasText: 'Manual' }).count()).toBe(1)
  })

  it('searches as you type, filters by Synced status, pages and sorts without reloading', async () => {
    const now = new Date().toISOString()
    await s.server.db
      .insertInto('employees')
      .values(
        Array.from({ length: 30 }, (_, i) => ({
          first_name: `Sam${i}`,
          last_name: `Synced${String(i).padStart(2, '0')}`,
          employee_number: `QB-${i}`,
          pay_group: 'HOURLY' as const,
          status: 'active' as const,
          source_integration: 'qbd',
          external_id: `80000${i}-1`,
          created_at: now,
          updated_at: now,
        })),
      )
      .execute()
    await nav('Employees').click()
    await s.page.getByText('31 employees · page 1 of 2').waitFor()
    // A marker on window survives htmx swaps but not a full page load.
    await s.page.evaluate(() => ((window as unknown as { marker: number }).marker = 42))

    await s.page.getByRole('searchbox').fill('lope')
    await s.page.getByText('1 employee', { exact: true }).waitFor()
    expect(s.page.url()).toContain('q=lope')
    await s.page.getByRole('searchbox').fill('')
    await s.page.getByText('31 employees · page 1 of 2').waitFor()

    await s.page.getByRole('combobox', { name: 'Synced status' }).selectOption('manual')
    await s.page.getByText('1 employee', { exact: true }).waitFor()
    await expect.poll(() => s.page.locator('#list-results td').filter({ hasText: 'Lopez' }).count()).toBe(1)
    await s.page.getByRole('combobox', { name: 'Synced status' }).selectOption('integration:qbd')
    await s.page.getByText('30 employees · page 1 of 2').waitFor()
    expect(s.page.url()).toContain('synced=integration%3Aqbd')

    await s.page.getByRole('link', { name: 'Next →' }).click()
    await s.page.getByText('30 employees · page 2 of 2').waitFor()
    // Name is the default ascending sort, so the first click turns it descending, the second back.
    await s.page.getByRole('link', { name: 'Name ▲' }).click()
    await s.page.getByRole('link', { name: 'Name ▼' }).waitFor()
    await s.page.getByText('30 employees · page 1 of 2').waitFor()
    expect(await s.page.locator('#list-results tbody tr').first().textContent()).toContain('Synced29')
    await s.page.getByRole('link', { name: 'Name ▼' }).click()
    await s.page.getByRole('link', { name: 'Name ▲' }).waitFor()
    expect(await s.page.locator('#list-results tbody tr').first().textContent()).toContain('Synced00')
    expect(await s.page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42)
    await s.page.screenshot({ path: screenshotPath('02-employees-filtered'), fullPage: true })

    await s.page.goBack()
    await s.page.getByText('30 employees · page 1 of 2').waitFor()
  })

  it('works as plain pages too: the list URL opens directly with its filters applied', async () => {
    await s.page.goto(`${s.server.url}/employees?synced=manual`)
    await s.page.getByText('1 employee', { exact: true }).waitFor()
    expect(await s.page.getByRole('combobox', { name: 'Synced status' }).inputValue()).toBe('manual')
  })

  it('raised no script error and no Content-Security-Policy violation', () => {
    expect(s.problems, s.problems.join('\n')).toEqual([])
  })
})
