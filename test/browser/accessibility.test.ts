import { describe, expect, it } from 'vitest'
import { activateAsSyncSource, browserSession, chromiumAvailable, screenshotPath } from '../helpers/browser.js'
import { focusedName, focusInDialog, focusRing, seriousViolations, tabTo } from '../helpers/accessibility.js'

// Accessibility, kept right: axe-core on every page and dialog (no serious or critical violation),
// the staging tab's main flow with the keyboard alone, the skip link, the focus ring, the live region,
// and no page that scrolls sideways at phone width.

const HEADER = 'External ID,Employee number,First name,Last name,Email,Pay group,Status,Hire date'
const FIRST = [HEADER, 'E-1,1001,Maria,Lopez,maria@example.com,Hourly,Active,', 'E-2,1002,Ken,Ito,ken@example.com,Hourly,Active,'].join('\n')
const CHANGED = [HEADER, 'E-1,1001,Maria,Lopez-Diaz,maria@example.com,Hourly,Active,', 'E-2,1002,Ken,Ito,ken@example.com,Hourly,Active,'].join('\n')

const PAGES = [
  '/',
  '/employees',
  '/employees/new',
  '/companies',
  '/job-sites',
  '/cost-codes',
  '/departments',
  '/payroll',
  '/payroll/settings',
  '/payroll/mapping',
  '/time-entries',
  '/pay-ids',
  '/payroll-items',
  '/integrations',
  '/integrations/spreadsheet',
  '/integrations/spreadsheet/employees',
  '/integrations/spreadsheet/history',
  '/integrations/quickbooks-online',
  '/integrations/quickbooks-desktop',
  '/users',
  '/roles',
  '/settings',
  '/settings/notifications',
  '/audit-log',
  '/account',
]

describe.skipIf(!chromiumAvailable)('in Chromium: accessibility', () => {
  const s = browserSession()
  const TAB = () => `${s.server.url}/integrations/spreadsheet/employees`
  const upload = async (name: string, csv: string) => {
    await s.page.locator('#upload-file').setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(csv) })
    await s.page.getByRole('button', { name: 'Upload', exact: true }).click()
    await s.page.getByText(`Uploaded ${name}`).waitFor()
  }

  it('the first Tab reaches the skip link, which moves focus to the main content', async () => {
    await s.page.goto(`${s.server.url}/employees`)
    await s.page.keyboard.press('Tab')
    expect(await focusedName(s.page)).toBe('Skip to main content')
    await s.page.keyboard.press('Enter')
    expect(await s.page.evaluate(() => document.activeElement?.id)).toBe('main')
    expect(await tabTo(s.page, 'New employee', 5)).toBeLessThanOrEqual(5)
  })

  it('the keyboard focus ring has a contrast of 3:1 or more on primary and secondary buttons and the file input', async () => {
    await activateAsSyncSource(s.page, 'Spreadsheet')
    await s.page.goto(TAB())
    await s.page.locator('#main').focus()
    for (const name of ['Choose File', 'Upload', 'SYNC']) {
      if (name === 'Choose File') await tabTo(s.page, /Upload a file/)
      else await tabTo(s.page, name)
      const ring = await focusRing(s.page)
      expect(ring.width, name).toBeGreaterThanOrEqual(2)
      expect(ring.contrast, name).toBeGreaterThanOrEqual(3)
    }
  })

  it('SYNC, select, IMPORT (preview opened, kept in, closed with Escape, confirmed) and sort, with the keyboard alone', async () => {
    await upload('staff.csv', FIRST)
    await s.page.locator('#main').focus()
    await tabTo(s.page, 'SYNC')
    await s.page.keyboard.press('Enter')
    await s.page.locator('#run-panel').getByText('Succeeded').waitFor()
    // The live region said how the run ended, once, without its seconds.
    await expect.poll(() => s.page.locator('#announcer').textContent()).toBe('Sync run 1 succeeded: 2 new, 0 changed, 0 unchanged, 0 removed at source.')

    await tabTo(s.page, 'Select Lopez, Maria (1001)')
    await s.page.keyboard.press('Space')
    await tabTo(s.page, 'IMPORT')
    await s.page.keyboard.press('Enter')
    await s.page.getByRole('dialog').getByText('will be created').waitFor()
    expect(await focusInDialog(s.page)).toBe(true)
    expect(await seriousViolations(s.page)).toEqual([])
    // Tab walks the dialog's controls, never the page behind it.
    for (let i = 0; i < 6; i++) {
      await s.page.keyboard.press('Tab')
      expect(await focusInDialog(s.page)).toBe(true)
    }
    await s.page.keyboard.press('Escape')
    await expect.poll(() => s.page.locator('dialog').count()).toBe(0)
    expect(await focusedName(s.page)).toBe('IMPORT')

    await s.page.keyboard.press('Enter')
    await s.page.getByRole('dialog').getByText('will be created').waitFor()
    await tabTo(s.page, 'Confirm IMPORT', 10)
    await s.page.keyboard.press('Enter')
    await s.page.getByText('IMPORT finished: 1 created').waitFor()
    // Focus is on the result, not lost at the top of the page.
    expect(await focusedName(s.page)).toMatch(/^IMPORT finished: 1 created/)

    await tabTo(s.page, /^Employee/)
    await s.page.keyboard.press('Enter')
    await s.page.locator('#sort-label').getByText('▼').waitFor()
    expect(await s.page.evaluate(() => document.activeElement?.id)).toBe('sort-label')
  })

  it('opens the Updated pop-up and closes it with the keyboard, focus back on its button; Archive answers where focus is', async () => {
    await upload('staff-2.csv', CHANGED)
    await s.page.locator('#main').focus()
    await tabTo(s.page, 'SYNC')
    await s.page.keyboard.press('Enter')
    await s.page.locator('#staging-results').getByRole('button', { name: 'Updated' }).waitFor()
    await expect.poll(() => s.page.locator('#announcer').textContent()).toBe('Sync run 2 succeeded: 0 new, 1 changed, 1 unchanged, 0 removed at source.')
    await tabTo(s.page, 'Updated')
    await s.page.keyboard.press('Enter')
    await s.page
      .getByRole('dialog')
      .getByRole('heading', { name: /What changed/ })
      .waitFor()
    expect(await focusInDialog(s.page)).toBe(true)
    expect(await seriousViolations(s.page)).toEqual([])
    await s.page.screenshot({ path: screenshotPath('70-updated-dialog-keyboard'), fullPage: true })
    await s.page.keyboard.press('Escape')
    await expect.poll(() => s.page.locator('dialog').count()).toBe(0)
    expect(await focusedName(s.page)).toBe('Updated')

    await tabTo(s.page, 'Select Ito, Ken (1002)')
    await s.page.keyboard.press('Space')
    await tabTo(s.page, 'Archive')
    await s.page.keyboard.press('Enter')
    await s.page.getByText('Archived 1 record(s).').waitFor()
    expect(await focusedName(s.page)).toBe('Archived 1 record(s).')
    await tabTo(s.page, 'Select Ito, Ken (1002)')
    await s.page.keyboard.press('Space')
    await tabTo(s.page, 'Unarchive')
    await s.page.keyboard.press('Enter')
    await s.page.getByText('Unarchived 1 record(s).').waitFor()
    expect(await focusedName(s.page)).toBe('Unarchived 1 record(s).')

    // View source, by keyboard too, and as readable by axe as the other dialogs.
    await tabTo(s.page, 'View source of Ito, Ken (1002)')
    await s.page.keyboard.press('Enter')
    await s.page.getByRole('dialog').getByText('First name: Ken').waitFor()
    expect(await seriousViolations(s.page)).toEqual([])
    await s.page.keyboard.press('Escape')
    await expect.poll(() => s.page.locator('dialog').count()).toBe(0)
    expect(await focusedName(s.page)).toBe('View source of Ito, Ken (1002)')
  })

  it('draws the History chart at 0, 1 and 5,000 runs, readable by axe and reachable by keyboard', async () => {
    const now = Date.now()
    const run = (integration: string, i: number) => {
      const at = new Date(now - (i % 85) * 86_400_000 - i * 1000).toISOString()
      const failed = i % 53 === 7
      return {
        integration,
        module: i % 3 === 0 ? 'departments' : 'employees',
        trigger: 'schedule' as const,
        mode: 'full' as const,
        status: (failed ? 'failed' : 'succeeded') as 'failed',
        requested_by: null,
        new_count: i % 7,
        updated_count: i % 5,
        removed_count: i % 11 === 0 ? 2 : 0,
        error_count: i % 13 === 0 ? 1 : 0,
        records: 20,
        error: failed ? 'The company file was in use' : null,
        created_at: at,
        started_at: at,
        finished_at: new Date(Date.parse(at) + (5 + (i % 40)) * 1000).toISOString(),
        held_by: null,
        heartbeat_at: null,
      }
    }
    await s.server.db
      .insertInto('sync_runs')
      .values([run('sage-intacct', 3)])
      .execute()
    const many = Array.from({ length: 5000 }, (_, i) => run('quickbooks-desktop', i))
    for (let i = 0; i < many.length; i += 500)
      await s.server.db
        .insertInto('sync_runs')
        .values(many.slice(i, i + 500))
        .execute()
    for (const [name, path] of [
      ['72-history-chart-0-runs', '/integrations/quickbooks-online/history'],
      ['73-history-chart-1-run', '/integrations/sage-intacct/history'],
      ['74-history-chart-5000-runs', '/integrations/quickbooks-desktop/history?days=90'],
    ] as const) {
      await s.page.goto(`${s.server.url}${path}`)
      await s.page.locator('.history-chart').screenshot({ path: screenshotPath(name) })
      expect(await seriousViolations(s.page), path).toEqual([])
    }
    await s.page.locator('.history-chart').getByText('one bar a day').waitFor()
    await s.page.locator('#main').focus()
    await tabTo(s.page, /^\d{4}-\d{2}-\d{2}: \d+ run\(s\)/)
    const label = await focusedName(s.page)
    await s.page.keyboard.press('Enter')
    await s.page.getByRole('heading', { name: `Sync runs of ${label.slice(0, 10)} (UTC)` }).waitFor()
  })

  it('has no serious or critical axe violation on any page', async () => {
    const found: string[] = []
    for (const path of PAGES) {
      await s.page.goto(`${s.server.url}${path}`)
      for (const v of await seriousViolations(s.page)) found.push(`${path}: ${v}`)
    }
    expect(found).toEqual([])
  })

  it('scrolls no page sideways at phone width: wide tables scroll in their own box, which the keyboard can reach', async () => {
    await s.page.setViewportSize({ width: 375, height: 800 })
    const wide: string[] = []
    for (const path of PAGES) {
      await s.page.goto(`${s.server.url}${path}`)
      const { page, viewport } = await s.page.evaluate(() => ({ page: document.documentElement.scrollWidth, viewport: document.documentElement.clientWidth }))
      if (page > viewport) wide.push(`${path}: ${page} px wide at ${viewport}`)
    }
    expect(wide).toEqual([])
    await s.page.goto(TAB())
    await s.page.screenshot({ path: screenshotPath('71-phone-width'), fullPage: true })
    const box = s.page.locator('#staging-results .table-scroll')
    expect(await box.getAttribute('tabindex')).toBe('0')
    await s.page.setViewportSize({ width: 1280, height: 900 })
  })

  it('raised no script error and no Content-Security-Policy violation', () => {
    expect(s.problems, s.problems.join('\n')).toEqual([])
  })
})
