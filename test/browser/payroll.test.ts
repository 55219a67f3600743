import { describe, expect, it } from 'vitest'
import { seriousViolations, tabTo } from '../helpers/accessibility.js'
import { downloadIif, browserSession, chromiumAvailable, navLink, screenshotPath } from '../helpers/browser.js'

// Entering time and approving a pay period, as an admin does it in Chromium.

describe.skipIf(!chromiumAvailable)('in Chromium: time entries and the Payroll tab', () => {
  const s = browserSession({
    seed: async (server) => {
      const now = new Date().toISOString()
      await server.db
        .insertInto('employees')
        .values({ first_name: 'Ana', last_name: 'Garcia', employee_number: '1001', pay_group: 'HOURLY', status: 'active', created_at: now, updated_at: now })
        .execute()
      // More people than a picker lists at once, all before Garcia: she has to be searched for.
      await server.db
        .insertInto('employees')
        .values(
          Array.from({ length: 30 }, (_, i) => ({
            first_name: `Crew${i}`,
            last_name: `Abbott${String(i).padStart(2, '0')}`,
            employee_number: String(2000 + i),
            pay_group: 'HOURLY',
            status: 'active',
            created_at: now,
            updated_at: now,
          })),
        )
        .execute()
      await server.db.insertInto('job_sites').values({ number: '100', name: 'Harbor View', status: 'active', created_at: now, updated_at: now }).execute()
      await server.db
        .insertInto('payroll_items')
        .values([
          { name: 'Hourly Rate', created_at: now, updated_at: now },
          { name: 'Overtime Rate', created_at: now, updated_at: now },
        ])
        .execute()
    },
  })

  /** Types in the employee picker's search box and chooses the match the server sends back. */
  const pickEmployee = async (form: ReturnType<typeof s.page.locator>, typed: string, label: string) => {
    await form.getByLabel('Find by name or number').fill(typed)
    await form.locator('#field-employee_id option', { hasText: label }).waitFor({ state: 'attached' })
    await form.locator('#field-employee_id').selectOption({ label })
  }

  it('enters a day of time, refuses an overlapping one in place, and lists it in its period', async () => {
    await navLink(s.page, 'Time entries').click()
    await s.page.goto(`${s.server.url}/time-entries?period=2024-06-03`)
    const form = s.page.locator('#time-entry-form')
    // The picker lists 20 people, not the company; Garcia is found by typing.
    expect(await form.locator('#field-employee_id option').count()).toBe(21)
    expect(await form.locator('#field-employee_id option', { hasText: 'Garcia' }).count()).toBe(0)
    await pickEmployee(form, 'garc', 'Garcia, Ana (1001)')
    await form.getByLabel('Date').fill('2024-06-03')
    await form.getByLabel('Start').fill('07:00')
    await form.getByLabel('End').fill('19:00')
    await form.getByLabel('Job site').selectOption({ label: '100 Harbor View' })
    await form.getByRole('button', { name: 'Add time' }).click()
    await s.page.getByText('Added time for 2024-06-03.').waitFor()
    expect(await s.page.locator('#time-entries tbody tr').count()).toBe(1)

    const again = s.page.locator('#time-entry-form')
    await pickEmployee(again, '1001', 'Garcia, Ana (1001)')
    await again.getByLabel('Date').fill('2024-06-03')
    await again.getByLabel('Start').fill('18:00')
    await again.getByLabel('End').fill('20:00')
    await again.getByRole('button', { name: 'Add time' }).click()
    await s.page.getByText('Overlaps the entry 07:00-19:00 on 2024-06-03').waitFor()
    await s.page.screenshot({ path: screenshotPath('40-time-entries'), fullPage: true })
  })

  it('shows the period on the Payroll tab with daily overtime split out, and approves it', async () => {
    await s.page.goto(`${s.server.url}/payroll/settings`)
    await s.page.getByLabel('Daily overtime', { exact: true }).check()
    await s.page.getByRole('button', { name: 'Save' }).click()
    await s.page.getByText('Saved the pay policy.').waitFor()
    await s.page.goto(`${s.server.url}/payroll?period=2024-06-03`)
    const row = s.page.locator('#payroll-totals tbody tr').first()
    expect((await row.locator(':scope > td').allTextContents()).map((t) => t.trim())).toEqual(['8:00', '4:00', '12:00'])
    // Approve asks first, saying what it locks; Cancel leaves the period open.
    let asked = ''
    s.page.once('dialog', (d) => void ((asked = d.message()), d.dismiss()))
    await s.page.getByRole('button', { name: 'Approve and lock this period' }).click()
    await expect
      .poll(() => asked)
      .toBe('Approve and lock 2024-06-03 to 2024-06-09: 12 hours of 1 employee(s)? Their time cannot change until the period is unlocked.')
    expect(await s.server.db.selectFrom('pay_periods').select('status').execute()).not.toContainEqual({ status: 'approved' })
    s.page.once('dialog', (d) => void d.accept())
    await s.page.getByRole('button', { name: 'Approve and lock this period' }).click()
    await s.page.getByText('Approved and locked 2024-06-03 to 2024-06-09.').waitFor()
    await s.page.getByRole('button', { name: 'Unlock' }).waitFor()
    await s.page.screenshot({ path: screenshotPath('41-payroll-approved'), fullPage: true })
  })

  it('is told what stops the IIF file, fixes it by mapping the pay IDs and filling in the settings, and downloads it', async () => {
    await s.page.getByRole('link', { name: 'QuickBooks Desktop IIF (timer activities)' }).click()
    await s.page.getByText('REG is not mapped to a payroll item').waitFor()
    await s.page.screenshot({ path: screenshotPath('42-iif-blocked'), fullPage: true })

    const body = await downloadIif(s.page, s.server.url, { REG: 'Hourly Rate', OT: 'Overtime Rate' })
    expect(body).toContain('TIMEACT\t06/03/24\t100\tAna Garcia\t\tHourly Rate\t8:00\t\t\tY\t0\r\n')
    expect(body).toContain('TIMEACT\t06/03/24\t100\tAna Garcia\t\tOvertime Rate\t4:00\t\t\tY\t0\r\n')
    expect(s.problems).toEqual([])
  })

  it('maps the pay IDs to payroll items with the keyboard alone', async () => {
    await s.page.goto(`${s.server.url}/payroll/mapping?target=file:iif`)
    await s.page.locator('#main').focus()
    const choices: [string, string][] = [
      ['REG', 'Hourly Rate'],
      ['OT', 'Overtime Rate'],
    ]
    for (const [payId, item] of choices) {
      await tabTo(s.page, `Payroll item for ${payId}`)
      await s.page.keyboard.type(item)
      expect(await s.page.getByLabel(`Payroll item for ${payId}`).locator('option:checked').textContent()).toBe(item)
    }
    await tabTo(s.page, 'Save mapping')
    await s.page.keyboard.press('Enter')
    await s.page.getByText('Saved the mapping.').waitFor()
    expect(await seriousViolations(s.page)).toEqual([])
  })
})
