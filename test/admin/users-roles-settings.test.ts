import { beforeEach, describe, expect, it } from 'vitest'
import { createTestApp, signInAs, TEST_PASSWORD, type TestApp } from '../helpers/test-app.js'
import { get, post } from '../helpers/requests.js'

let t: TestApp
const roleId = async (key: string) => (await t.db.selectFrom('roles').select('id').where('key', '=', key).executeTakeFirstOrThrow()).id
const user = (email: string) => t.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst()

beforeEach(async () => {
  t = await createTestApp()
})

describe('users', () => {
  it('creates a user who can then sign in, and refuses a duplicate email', async () => {
    const { cookie } = await signInAs(t.db, 'admin')
    const res = await post(
      t.app,
      '/users',
      { name: 'Pat PM', email: 'pat@example.com', password: TEST_PASSWORD, roleId: String(await roleId('pm')) },
      { cookie },
    )
    expect(res.status).toBe(303)
    expect((await post(t.app, '/login', { email: 'pat@example.com', password: TEST_PASSWORD })).status).toBe(303)
    const dup = await post(
      t.app,
      '/users',
      { name: 'Pat 2', email: 'PAT@example.com', password: TEST_PASSWORD, roleId: String(await roleId('pm')) },
      { cookie },
    )
    expect(dup.status).toBe(422)
    expect(await dup.text()).toContain('A user with the email pat@example.com already exists')
  })

  it('refuses a short password and a missing role, and never echoes the password', async () => {
    const { cookie } = await signInAs(t.db, 'admin')
    const res = await post(t.app, '/users', { name: 'X', email: 'x@example.com', password: 'tiny-pw', roleId: '' }, { cookie })
    expect(res.status).toBe(422)
    const html = await res.text()
    expect(html).toContain('Password must be at least 10 characters')
    expect(html).toContain('Choose a role')
    expect(html).not.toContain('tiny-pw')
    expect(await user('x@example.com')).toBeUndefined()
  })

  it('lets only a Super Admin hand out the Super Admin role', async () => {
    const admin = await signInAs(t.db, 'admin')
    const res = await post(
      t.app,
      '/users',
      { name: 'Boss', email: 'boss@example.com', password: TEST_PASSWORD, roleId: String(await roleId('super_admin')) },
      { cookie: admin.cookie },
    )
    expect(res.status).toBe(422)
    expect(await res.text()).toContain('Only a Super Admin can give the Super Admin role')
    const sa = await signInAs(t.db, 'super_admin')
    expect(
      (
        await post(
          t.app,
          '/users',
          { name: 'Boss', email: 'boss@example.com', password: TEST_PASSWORD, roleId: String(await roleId('super_admin')) },
          { cookie: sa.cookie },
        )
      ).status,
    ).toBe(303)
  })

  it('disables a user, signing them out everywhere, but never oneself', async () => {
    const admin = await signInAs(t.db, 'admin')
    const pm = await signInAs(t.db, 'pm')
    expect((await get(t.app, '/', { cookie: pm.cookie })).status).toBe(200)
    expect((await post(t.app, `/users/${pm.userId}/disable`, {}, { cookie: admin.cookie })).status).toBe(303)
    expect((await user('pm@example.com'))!.status).toBe('disabled')
    expect((await get(t.app, '/', { cookie: pm.cookie })).status).toBe(303)
    const login = await post(t.app, '/login', { email: 'pm@example.com', password: TEST_PASSWORD })
    expect(login.status).toBe(422)
    await post(t.app, `/users/${admin.userId}/disable`, {}, { cookie: admin.cookie })
    expect((await user('admin@example.com'))!.status).toBe('active')
    expect((await post(t.app, `/users/${pm.userId}/enable`, {}, { cookie: admin.cookie })).status).toBe(303)
    expect((await user('pm@example.com'))!.status).toBe('active')
    const actions = (await t.db.selectFrom('audit_log').select('action').execute()).map((a) => a.action)
    expect(actions).toEqual(expect.arrayContaining(['user.disable', 'user.enable']))
  })

  it('changes a role, and the new permissions apply on the next request', async () => {
    const admin = await signInAs(t.db, 'admin')
    const emp = await signInAs(t.db, 'employee')
    expect((await get(t.app, '/employees', { cookie: emp.cookie })).status).toBe(403)
    await post(t.app, `/users/${emp.userId}`, { name: 'Promoted', email: 'employee@example.com', roleId: String(await roleId('pm')) }, { cookie: admin.cookie })
    const fresh = await signInAs(t.db, 'employee')
    expect((await get(t.app, '/employees', { cookie: fresh.cookie })).status).toBe(200)
  })
})

describe('role-permission matrix', () => {
  it('saves ticked permissions and audits the change', async () => {
    const { cookie } = await signInAs(t.db, 'super_admin')
    const pm = await roleId('pm')
    const emp = await roleId('employee')
    const page = await (await get(t.app, '/roles', { cookie })).text()
    expect(page).toContain('SAVE CHANGES')
    const res = await post(t.app, '/roles', { grant: [`${pm}:employees.view`, `${emp}:payroll.view`] }, { cookie })
    expect(res.status).toBe(303)
    const grants = await t.db.selectFrom('role_permissions').select(['role_id', 'permission']).where('role_id', 'in', [pm, emp]).execute()
    expect(grants).toEqual(
      expect.arrayContaining([
        { role_id: pm, permission: 'employees.view' },
        { role_id: emp, permission: 'payroll.view' },
      ]),
    )
    expect(grants).toHaveLength(2)
    const empUser = await signInAs(t.db, 'employee')
    expect((await get(t.app, '/pay-ids', { cookie: empUser.cookie })).status).toBe(200)
    expect((await t.db.selectFrom('audit_log').select('action').where('action', '=', 'role.permissions_update').execute()).length).toBeGreaterThan(0)
  })

  it('refuses an unknown permission and changes nothing', async () => {
    const { cookie } = await signInAs(t.db, 'super_admin')
    const before = await t.db.selectFrom('role_permissions').selectAll().execute()
    const res = await post(t.app, '/roles', { grant: [`${await roleId('pm')}:launch.rockets`] }, { cookie })
    expect(res.status).toBe(422)
    expect(await res.text()).toContain('Unknown role or permission')
    expect(await t.db.selectFrom('role_permissions').selectAll().execute()).toEqual(before)
  })

  it('keeps Super Admin holding everything whatever is posted', async () => {
    const { cookie } = await signInAs(t.db, 'super_admin')
    await post(t.app, '/roles', {}, { cookie })
    expect((await get(t.app, '/roles', { cookie })).status).toBe(200)
    expect((await get(t.app, '/settings', { cookie })).status).toBe(200)
  })
})

describe('settings', () => {
  it('refuses an unknown time zone, a bad country and a bad week day, and changes nothing', async () => {
    const { cookie } = await signInAs(t.db, 'admin')
    const res = await post(
      t.app,
      '/settings',
      { defaultCountry: 'Canada', companyTimeZone: 'Mars/Base', workWeekStart: 'funday', backupSchedule: 'hourly', backupHour: '24', backupKeep: '0' },
      { cookie },
    )
    expect(res.status).toBe(422)
    const html = await res.text()
    expect(html).toContain('Company time zone must be an IANA time zone')
    expect(html).toContain('Default country must be a two-letter ISO code')
    expect(html).toContain('First day of the work week must be one of')
    expect(html).toContain('Scheduled backups must be one of')
    expect(html).toContain('Backup hour must be a whole hour from 0 to 23')
    expect(html).toContain('Backups to keep must be a number from 1 to 365')
    expect(html).toContain('value="Mars/Base"')
    expect(await t.db.selectFrom('settings').selectAll().execute()).toEqual([])
  })

  it('saves valid settings and shows them again', async () => {
    const { cookie } = await signInAs(t.db, 'admin')
    await post(
      t.app,
      '/settings',
      {
        employeeManualCreation: 'on',
        defaultCountry: 'ca',
        companyTimeZone: 'America/Chicago',
        workWeekStart: 'sunday',
        backupSchedule: 'off',
        backupHour: '2',
        backupKeep: '14',
      },
      { cookie },
    )
    const html = await (await get(t.app, '/settings', { cookie })).text()
    expect(html).toContain('value="CA"')
    expect(html).toContain('value="America/Chicago"')
    expect(html).toMatch(/<option value="sunday" selected/)
    expect(html).toMatch(/name="employeeManualCreation" role="switch" checked/)
    expect(html).not.toMatch(/name="companyManualCreation" role="switch" checked/)
  })

  it('offers backups of the SQLite file, and on PostgreSQL says to back the database up with its own tools', async () => {
    const { cookie } = await signInAs(t.db, 'admin')
    const html = await (await get(t.app, '/settings', { cookie })).text()
    if (t.deps.sqlite) {
      expect(html).toContain('Back up now')
    } else {
      expect(html).not.toContain('Back up now')
      expect(html).toContain('Clockbridge takes no backups of it')
      expect(html).toContain('pg_dump')
    }
  })
})

describe('audit log', () => {
  it('lists entries newest first and searches them', async () => {
    const { cookie } = await signInAs(t.db, 'admin')
    await post(t.app, '/departments', { code: 'A1', name: 'Alpha' }, { cookie })
    await post(t.app, '/departments', { code: 'B2', name: 'Beta' }, { cookie })
    const html = await (await get(t.app, '/audit-log', { cookie })).text()
    expect(html.indexOf('Created department B2 Beta')).toBeLessThan(html.indexOf('Created department A1 Alpha'))
    const found = await (await get(t.app, '/audit-log?q=Alpha', { cookie, htmx: true })).text()
    expect(found).toContain('1 entry')
  })
})
