import { mkdirSync } from 'node:fs'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { chromiumAvailable, launchChromium, navLink, screenshotOnFailure, screenshotPath, SCREENSHOT_DIR, startServer, textbox, watchedPage, type RunningServer } from '../helpers/browser.js'

// One browser session walks the way a new customer does: first admin, sign in, an employee by hand,
// then the list's htmx behaviour (active search, Synced status filter, paging, sorting) in Chromium.

describe.skipIf(!chromiumAvailable)('in Chromium: first administrator, sign-in, employees', () => {
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
  })

  afterEach((ctx) => screenshotOnFailure(page, ctx))

  afterAll(async () => {
    await browser?.close()
    await server?.close()
  })

  it('leads a fresh server to "Create the first administrator" and refuses bad input in place', async () => {
    await page.goto(server.url + '/employees')
    expect(new URL(page.url()).pathname).toBe('/setup')
    await field('Your name').fill('Ada Admin')
    await field('Email').fill('ada@example')
    await field('Password').fill('short')
    await field('Repeat the password').fill('short')
    await page.getByRole('button', { name: 'Create the first administrator' }).click()
    await page.getByText('Email must be an email address').waitFor()
    await page.getByText('Password must be at least 10 characters').waitFor()
    expect(new URL(page.url()).pathname).toBe('/setup')
    await page.screenshot({ path: screenshotPath('01-setup-errors'), fullPage: true })
  })

  it('creates the first administrator and lands signed in', async () => {
    await field('Email').fill('ada@example.com')
    await field('Password').fill('correct horse battery')
    await field('Repeat the password').fill('correct horse battery')
    await page.getByRole('button', { name: 'Create the first administrator' }).click()
    await page.getByRole('heading', { name: 'Hello, Ada Admin' }).waitFor()
    await page.getByText('Your administrator account is ready').waitFor()
  })

  it('signs out, rejects a wrong password in place, and signs in', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.getByRole('heading', { name: 'Sign in' }).waitFor()
    await field('Email').fill('ada@example.com')
    await field('Password').fill('not the password')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByText('Email or password is incorrect.').waitFor()
    await field('Password').fill('correct horse battery')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('heading', { name: 'Hello, Ada Admin' }).waitFor()
  })

  it('creates an employee, showing errors beside fields first', async () => {
    await nav('Employees').click()
    await page.getByRole('button', { name: 'New employee' }).click()
    await field('Last name').fill('Lopez')
    await field('Employee number').fill('E-1001')
    await page.getByRole('button', { name: 'Create employee' }).click()
    await page.getByText('First name is required').waitFor()
    expect(await field('Employee number').inputValue()).toBe('E-1001')
    await field('First name').fill('Maria')
    await field('Email').fill('maria@example.com')
    await page.getByRole('button', { name: 'Create employee' }).click()
    await page.getByRole('heading', { name: 'Maria Lopez' }).waitFor()
    await page.getByText('Created employee.').waitFor()
    expect(await page.locator('dd').filter({ hasText: 'Manual' }).count()).toBe(1)
  })

  it('searches as you type, filters by Synced status, pages and sorts without reloading', async () => {
    const now = new Date().toISOString()
    await server.db
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
    await page.getByText('31 employees · page 1 of 2').waitFor()
    // A marker on window survives htmx swaps but not a full page load.
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42))

    await page.getByRole('searchbox').fill('lope')
    await page.getByText('1 employee', { exact: true }).waitFor()
    expect(page.url()).toContain('q=lope')
    await page.getByRole('searchbox').fill('')
    await page.getByText('31 employees · page 1 of 2').waitFor()

    await page.getByRole('combobox', { name: 'Synced status' }).selectOption('manual')
    await page.getByText('1 employee', { exact: true }).waitFor()
    await expect.poll(() => page.locator('#list-results td').filter({ hasText: 'Lopez' }).count()).toBe(1)
    await page.getByRole('combobox', { name: 'Synced status' }).selectOption('integration:qbd')
    await page.getByText('30 employees · page 1 of 2').waitFor()
    expect(page.url()).toContain('synced=integration%3Aqbd')

    await page.getByRole('link', { name: 'Next →' }).click()
    await page.getByText('30 employees · page 2 of 2').waitFor()
    // Name is the default ascending sort, so the first click turns it descending, the second back.
    await page.getByRole('link', { name: 'Name ▲' }).click()
    await page.getByRole('link', { name: 'Name ▼' }).waitFor()
    await page.getByText('30 employees · page 1 of 2').waitFor()
    expect(await page.locator('#list-results tbody tr').first().textContent()).toContain('Synced29')
    await page.getByRole('link', { name: 'Name ▼' }).click()
    await page.getByRole('link', { name: 'Name ▲' }).waitFor()
    expect(await page.locator('#list-results tbody tr').first().textContent()).toContain('Synced00')
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42)
    await page.screenshot({ path: screenshotPath('02-employees-filtered'), fullPage: true })

    await page.goBack()
    await page.getByText('30 employees · page 1 of 2').waitFor()
  })

  it('works as plain pages too: the list URL opens directly with its filters applied', async () => {
    await page.goto(`${server.url}/employees?synced=manual`)
    await page.getByText('1 employee', { exact: true }).waitFor()
    expect(await page.getByRole('combobox', { name: 'Synced status' }).inputValue()).toBe('manual')
  })

  it('raised no script error and no Content-Security-Policy violation', () => {
    expect(problems, problems.join('\n')).toEqual([])
  })
})
