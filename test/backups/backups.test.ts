import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import SQLite from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createTestApp, signInAs, type TestApp } from '../helpers/test-app.js'
import { get, post } from '../helpers/requests.js'
import { takeBackup } from '../../src/backups/service.js'

let t: TestApp
let dir = ''
let cookie = ''

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cb-backups-'))
  t = await createTestApp({ DATA_DIR: dir, DATABASE_PATH: join(dir, 'clockbridge.db') })
  cookie = (await signInAs(t.db, 'admin')).cookie
})

afterEach(async () => {
  t.deps.scheduler.stop()
  await t.db.destroy()
  rmSync(dir, { recursive: true, force: true })
})

const ours = () =>
  readdirSync(join(dir, 'backups'))
    .filter((f) => f.startsWith('clockbridge-'))
    .sort()

describe('backups Clockbridge takes by itself', () => {
  it('Back up now: a checked one-file copy in the data folder, listed under Settings', async () => {
    const res = await post(t.app, '/settings/backups', {}, { cookie, htmx: true })
    expect(res.status).toBe(200)
    const html = await res.text()
    expect(html).toContain('Backed up to')
    expect(ours()).toHaveLength(1)
    const copy = new SQLite(join(dir, 'backups', ours()[0]!), { readonly: true })
    expect(copy.prepare('select email from users').pluck().all()).toEqual(['admin@example.com'])
    copy.close()
    expect(readdirSync(join(dir, 'backups'))).toEqual(ours())
    const page = await (await get(t.app, '/settings', { cookie })).text()
    expect(page).toContain('Back up now')
    expect(page).toContain('Scheduled backups are off.')
    expect(await t.db.selectFrom('audit_log').select('action').where('action', '=', 'backup.take').execute()).toHaveLength(1)
  })

  it('keeps the number the settings ask for, deleting the oldest of its own and nothing else', async () => {
    await t.deps.scheduler.start(t.deps)
    const saved = await post(
      t.app,
      '/settings',
      { defaultCountry: 'US', companyTimeZone: 'UTC', workWeekStart: 'monday', backupSchedule: 'daily', backupHour: '3', backupKeep: '2' },
      { cookie },
    )
    expect(saved.status).toBe(303)
    expect(t.deps.scheduler.nextBackup()?.getUTCHours()).toBe(3)
    mkdirSync(join(dir, 'backups'))
    writeFileSync(join(dir, 'backups', 'before-0.1.0-upgrade.db'), 'not one of the rotated ones')
    for (let i = 0; i < 3; i++) {
      await takeBackup(t.deps, 'scheduled', 2)
      await new Promise((r) => setTimeout(r, 5))
    }
    const runs = await t.db.selectFrom('backup_runs').select(['status', 'removed']).orderBy('id').execute()
    expect(runs).toEqual([
      { status: 'succeeded', removed: 0 },
      { status: 'succeeded', removed: 0 },
      { status: 'succeeded', removed: 1 },
    ])
    expect(ours()).toHaveLength(2)
    expect(existsSync(join(dir, 'backups', 'before-0.1.0-upgrade.db'))).toBe(true)
    const page = await (await get(t.app, '/settings', { cookie })).text()
    expect(page).toContain('Daily at 03:00 (UTC), keeping the last 2; the next is at')
    expect(page).toContain('(1 older deleted)')
  })

  it('a failed backup is recorded with what to do, and shown on the home page until one succeeds', async () => {
    // The backups folder cannot be made: a file stands where it should be.
    writeFileSync(join(dir, 'backups'), 'in the way')
    const res = await post(t.app, '/settings/backups', {}, { cookie, htmx: true })
    expect(res.status).toBe(200)
    expect(await res.text()).toContain('The backup failed')
    const home = await (await get(t.app, '/', { cookie })).text()
    expect(home).toContain('The last backup')
    expect(home).toContain('is writable and has room')
    // Someone without settings.manage is not told.
    const pm = await signInAs(t.db, 'pm')
    expect(await (await get(t.app, '/', { cookie: pm.cookie })).text()).not.toContain('The last backup')
    rmSync(join(dir, 'backups'))
    await post(t.app, '/settings/backups', {}, { cookie, htmx: true })
    expect(await (await get(t.app, '/', { cookie })).text()).not.toContain('The last backup')
  })
})
