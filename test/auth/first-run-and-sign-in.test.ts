import { loadConfig } from '../../src/config.js'
import { beforeEach, describe, expect, it } from 'vitest'
import { createTestApp, signInAs, TEST_PASSWORD, type TestApp } from '../helpers/test-app.js'
import { cookieFrom, get, post } from '../helpers/requests.js'
import { SESSION_COOKIE } from '../../src/auth/session-cookie.js'
import { BAD_CREDENTIALS } from '../../src/auth/routes.js'
import { sessionIdFromToken } from '../../src/auth/sessions.js'

let t: TestApp
beforeEach(async () => {
  t = await createTestApp()
})

const countUsers = async () =>
  Number(
    (
      await t.db
        .selectFrom('users')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  )

describe('first run', () => {
  it('leads every page to /setup while no user exists', async () => {
    for (const path of ['/', '/employees', '/login', '/users', '/nowhere']) {
      const res = await get(t.app, path)
      expect(res.status, path).toBe(303)
      expect(res.headers.get('location')).toBe('/setup')
    }
    const htmx = await get(t.app, '/employees', { htmx: true })
    expect(htmx.headers.get('HX-Redirect')).toBe('/setup')
    expect((await get(t.app, '/healthz')).status).toBe(200)
    const page = await get(t.app, '/setup')
    expect(await page.text()).toContain('Create the first administrator')
  })

  it('refuses an invalid first administrator with 422, values kept, nothing written', async () => {
    const res = await post(t.app, '/setup', { name: '', email: 'not-an-email', password: 'short', confirm: 'other' })
    expect(res.status).toBe(422)
    const html = await res.text()
    expect(html).toContain('Name is required')
    expect(html).toContain('Email must be an email address')
    expect(html).toContain('at least 10 characters')
    expect(html).toContain('value="not-an-email"')
    expect(html).not.toContain('value="short"')
    expect(await countUsers()).toBe(0)
  })

  it('rejects two different passwords', async () => {
    const res = await post(t.app, '/setup', { name: 'Ada', email: 'ada@example.com', password: TEST_PASSWORD, confirm: 'something else' })
    expect(res.status).toBe(422)
    expect(await res.text()).toContain('The two passwords differ')
    expect(await countUsers()).toBe(0)
  })

  it('creates a Super Admin, signs them in, and closes /setup', async () => {
    const res = await post(t.app, '/setup', { name: 'Ada', email: 'Ada@Example.com', password: TEST_PASSWORD, confirm: TEST_PASSWORD })
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/')
    const cookie = cookieFrom(res, SESSION_COOKIE)!
    expect(res.headers.getSetCookie().join(';')).toMatch(/HttpOnly/i)
    expect(res.headers.getSetCookie().join(';')).toMatch(/SameSite=Lax/i)
    const user = await t.db.selectFrom('users').innerJoin('roles', 'roles.id', 'users.role_id').select(['users.email', 'roles.key']).executeTakeFirstOrThrow()
    expect(user).toEqual({ email: 'ada@example.com', key: 'super_admin' })
    const home = await get(t.app, '/', { cookie })
    expect(home.status).toBe(200)
    expect(await home.text()).toContain('Hello, Ada')
    const again = await post(t.app, '/setup', { name: 'Eve', email: 'eve@example.com', password: TEST_PASSWORD, confirm: TEST_PASSWORD })
    expect(again.headers.get('location')).toBe('/login')
    expect(await countUsers()).toBe(1)
  })
})

describe('sign in', () => {
  beforeEach(async () => {
    await signInAs(t.db, 'admin', 'admin@example.com')
  })

  it('signs in with the right password and stores only the hash of the token', async () => {
    const res = await post(t.app, '/login?next=%2Femployees', { email: 'ADMIN@example.com', password: TEST_PASSWORD })
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/employees')
    const token = cookieFrom(res, SESSION_COOKIE)!.split('=')[1]!
    const stored = await t.db.selectFrom('sessions').select('id').execute()
    expect(stored.map((s) => s.id)).toContain(sessionIdFromToken(token))
    expect(stored.map((s) => s.id)).not.toContain(token)
  })

  it('does not follow a next= to another site', async () => {
    const res = await post(t.app, '/login?next=https%3A%2F%2Fevil.example%2F', { email: 'admin@example.com', password: TEST_PASSWORD })
    expect(res.headers.get('location')).toBe('/')
  })

  it('gives one generic message for a wrong password and for an unknown email', async () => {
    const wrong = await post(t.app, '/login', { email: 'admin@example.com', password: 'wrong password!' })
    const unknown = await post(t.app, '/login', { email: 'nobody@example.com', password: 'wrong password!' })
    expect(wrong.status).toBe(422)
    expect(unknown.status).toBe(422)
    expect(await wrong.text()).toContain(BAD_CREDENTIALS)
    expect(await unknown.text()).toContain(BAD_CREDENTIALS)
    expect(cookieFrom(wrong, SESSION_COOKIE)).toBeUndefined()
  })

  it('throttles an account after five failures, even for the right password', async () => {
    for (let i = 0; i < 5; i++) await post(t.app, '/login', { email: 'admin@example.com', password: `wrong-${i}-password` })
    const res = await post(t.app, '/login', { email: 'admin@example.com', password: TEST_PASSWORD })
    expect(res.status).toBe(429)
    expect(await res.text()).toContain('Too many failed sign-ins')
    expect(cookieFrom(res, SESSION_COOKIE)).toBeUndefined()
  })

  it('never locks out an office behind one address: throttling is per account, and per account and address', async () => {
    const office = await createTestApp({ TRUST_PROXY: '1' })
    await signInAs(office.db, 'admin', 'admin@example.com')
    const from = (address: string) => ({ headers: { 'X-Forwarded-For': address } })
    // Twenty colleagues mistype their passwords from the office's one address.
    for (let i = 0; i < 20; i++) await post(office.app, '/login', { email: `user${i}@example.com`, password: 'wrong password!' }, from('203.0.113.9'))
    expect((await post(office.app, '/login', { email: 'admin@example.com', password: TEST_PASSWORD }, from('203.0.113.9'))).status).toBe(303)
    // Someone guesses the admin's password from another address: that pair is locked, the office is not.
    for (let i = 0; i < 5; i++) await post(office.app, '/login', { email: 'admin@example.com', password: `guess-${i}-password` }, from('198.51.100.7'))
    expect((await post(office.app, '/login', { email: 'admin@example.com', password: TEST_PASSWORD }, from('198.51.100.7'))).status).toBe(429)
    expect((await post(office.app, '/login', { email: 'admin@example.com', password: TEST_PASSWORD }, from('203.0.113.9'))).status).toBe(303)
  })

  it('locks an account guessed from many addresses, with a growing wait', async () => {
    const spread = await createTestApp({ TRUST_PROXY: '1' })
    await signInAs(spread.db, 'admin', 'admin@example.com')
    for (let i = 0; i < 20; i++)
      await post(
        spread.app,
        '/login',
        { email: 'admin@example.com', password: `guess-${i}-password` },
        { headers: { 'X-Forwarded-For': `198.51.100.${i + 1}` } },
      )
    const res = await post(spread.app, '/login', { email: 'admin@example.com', password: TEST_PASSWORD }, { headers: { 'X-Forwarded-For': '192.0.2.200' } })
    expect(res.status).toBe(429)
    const lock = async () =>
      (await spread.db.selectFrom('login_throttle').select('locked_until').where('key', '=', 'account:admin@example.com').executeTakeFirstOrThrow())
        .locked_until!
    const first = Date.parse(await lock())
    await spread.db.updateTable('login_throttle').set({ locked_until: null }).execute()
    await post(spread.app, '/login', { email: 'admin@example.com', password: 'one-more-guess' }, { headers: { 'X-Forwarded-For': '198.51.100.99' } })
    expect(Date.parse(await lock()) - Date.now()).toBeGreaterThan(first - Date.now())
  })

  it('takes the client address as the right-most hop the trusted proxies did not add: a forged X-Forwarded-For changes nothing', async () => {
    const proxied = await createTestApp({ TRUST_PROXY: '2' })
    await signInAs(proxied.db, 'admin', 'admin@example.com')
    // Behind two proxies the header holds [what the client wrote…, client, first proxy].
    for (let i = 0; i < 5; i++)
      await post(
        proxied.app,
        '/login',
        { email: 'admin@example.com', password: `guess-${i}-password` },
        { headers: { 'X-Forwarded-For': `10.9.9.${i}, 198.51.100.7, 172.16.0.2` } },
      )
    const again = await post(
      proxied.app,
      '/login',
      { email: 'admin@example.com', password: TEST_PASSWORD },
      { headers: { 'X-Forwarded-For': '10.1.1.1, 198.51.100.7, 172.16.0.2' } },
    )
    expect(again.status).toBe(429)
    const rows = await proxied.db.selectFrom('login_throttle').select('key').execute()
    expect(rows.map((r) => r.key).sort()).toEqual(['account-address:admin@example.com|198.51.100.7', 'account:admin@example.com'])
    expect(() => loadConfig({ TRUST_PROXY: 'several', SECRET_KEY: 'ab'.repeat(32) })).toThrow(/TRUST_PROXY: Give the number of proxies/)
  })

  it('refuses a disabled account', async () => {
    await t.db.updateTable('users').set({ status: 'disabled' }).where('email', '=', 'admin@example.com').execute()
    const res = await post(t.app, '/login', { email: 'admin@example.com', password: TEST_PASSWORD })
    expect(res.status).toBe(422)
    expect(await res.text()).toContain('disabled')
  })

  it('answers htmx with the form fragment, not a page', async () => {
    const res = await post(t.app, '/login', { email: 'admin@example.com', password: 'nope nope nope' }, { htmx: true })
    const html = await res.text()
    expect(html.startsWith('<form')).toBe(true)
    expect(html).toContain(BAD_CREDENTIALS)
  })
})

describe('sessions', () => {
  it('sends an unauthenticated page to /login and htmx to HX-Redirect with 401', async () => {
    await signInAs(t.db, 'admin')
    const page = await get(t.app, '/employees?q=x')
    expect(page.status).toBe(303)
    expect(page.headers.get('location')).toBe('/login?next=%2Femployees%3Fq%3Dx')
    const htmx = await get(t.app, '/employees', { htmx: true, headers: { 'HX-Current-URL': 'http://localhost/employees' } })
    expect(htmx.status).toBe(401)
    expect(htmx.headers.get('HX-Redirect')).toBe('/login?next=%2Femployees')
  })

  it('signs out and the old cookie stops working', async () => {
    const { cookie } = await signInAs(t.db, 'admin')
    const out = await post(t.app, '/logout', {}, { cookie })
    expect(out.headers.get('location')).toBe('/login')
    expect((await get(t.app, '/', { cookie })).status).toBe(303)
  })

  it('rejects an expired session and slides a half-used one', async () => {
    const { cookie } = await signInAs(t.db, 'admin')
    const id = sessionIdFromToken(cookie.split('=')[1]!)
    const soon = new Date(Date.now() + 2 * 24 * 3600 * 1000).toISOString()
    await t.db.updateTable('sessions').set({ expires_at: soon }).where('id', '=', id).execute()
    const res = await get(t.app, '/', { cookie })
    expect(res.status).toBe(200)
    expect(cookieFrom(res, SESSION_COOKIE)).toBe(cookie)
    const renewed = await t.db.selectFrom('sessions').select('expires_at').where('id', '=', id).executeTakeFirstOrThrow()
    expect(Date.parse(renewed.expires_at)).toBeGreaterThan(Date.now() + 29 * 24 * 3600 * 1000)

    await t.db
      .updateTable('sessions')
      .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
      .where('id', '=', id)
      .execute()
    expect((await get(t.app, '/', { cookie })).status).toBe(303)
    expect(await t.db.selectFrom('sessions').select('id').where('id', '=', id).executeTakeFirst()).toBeUndefined()
  })

  it('changes the password, signs out every other session, keeps this browser signed in', async () => {
    const a = await signInAs(t.db, 'admin')
    const b = await signInAs(t.db, 'admin')
    const wrong = await post(
      t.app,
      '/account/password',
      { current: 'not it at all', password: 'a brand new password', confirm: 'a brand new password' },
      { cookie: a.cookie },
    )
    expect(wrong.status).toBe(422)
    expect(await wrong.text()).toContain('The current password is not correct')
    const res = await post(
      t.app,
      '/account/password',
      { current: TEST_PASSWORD, password: 'a brand new password', confirm: 'a brand new password' },
      { cookie: a.cookie },
    )
    expect(res.status).toBe(303)
    const fresh = cookieFrom(res, SESSION_COOKIE)!
    expect((await get(t.app, '/', { cookie: a.cookie })).status).toBe(303)
    expect((await get(t.app, '/', { cookie: b.cookie })).status).toBe(303)
    expect((await get(t.app, '/', { cookie: fresh })).status).toBe(200)
    const login = await post(t.app, '/login', { email: 'admin@example.com', password: 'a brand new password' })
    expect(login.status).toBe(303)
  })
})
