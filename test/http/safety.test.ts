import { describe, expect, it } from 'vitest'
import { createTestApp, signInAs } from '../helpers/test-app.js'
import { get, post, postFile } from '../helpers/requests.js'
import { toCsv } from '../../src/lib/csv.js'
import { escapeXml } from '../../src/lib/xml.js'

describe('safety baseline', () => {
  it('refuses a cross-site form post (CSRF) and changes nothing', async () => {
    const t = await createTestApp()
    const { cookie } = await signInAs(t.db, 'admin')
    const res = await t.app.request('http://localhost/departments', {
      method: 'POST',
      body: new URLSearchParams({ code: 'X', name: 'X' }),
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
    })
    expect(res.status).toBe(403)
    expect(await t.db.selectFrom('departments').selectAll().execute()).toEqual([])
  })

  it('refuses a cross-site request whatever its content type (JSON, plain text, none), and changes nothing', async () => {
    const t = await createTestApp()
    const { cookie } = await signInAs(t.db, 'admin')
    for (const [type, body] of [
      ['application/json', '{"code":"X","name":"X"}'],
      ['text/plain', 'code=X&name=X'],
      [null, 'code=X&name=X'],
    ] as const) {
      const res = await t.app.request('http://localhost/departments', { method: 'POST', body, headers: { cookie, ...(type ? { 'content-type': type } : {}) } })
      expect(res.status).toBe(403)
      expect(await res.text()).toContain('did not come from a Clockbridge page')
    }
    const del = await t.app.request('http://localhost/departments/1/delete', { method: 'POST', headers: { cookie, origin: 'https://evil.example' } })
    expect(del.status).toBe(403)
    expect(await t.db.selectFrom('departments').selectAll().execute()).toEqual([])
  })

  it('marks signed-in pages no-store, so no browser or proxy keeps them', async () => {
    const t = await createTestApp()
    const { cookie } = await signInAs(t.db, 'admin')
    for (const path of ['/', '/employees', '/payroll', '/integrations'])
      expect((await get(t.app, path, { cookie })).headers.get('cache-control')).toBe('no-store')
    expect((await t.app.request('/public/app.css')).headers.get('cache-control')).not.toBe('no-store')
  })

  it('answers a broken form or upload body with 400, not 500, and stores nothing', async () => {
    const t = await createTestApp()
    const { cookie } = await signInAs(t.db, 'admin')
    const broken = '--XYZ\r\nContent-Disposition: form-data; name="code"\r\n\r\nX'
    for (const path of ['/departments', '/time-entries', '/employees', '/integrations/spreadsheet/employees/upload', '/login']) {
      const res = await t.app.request(`http://localhost${path}`, {
        method: 'POST',
        body: broken,
        headers: { cookie, 'content-type': 'multipart/form-data; boundary=XYZ', 'sec-fetch-site': 'same-origin' },
      })
      expect(res.status).toBe(400)
      expect(await res.text()).toContain('could not be read')
    }
    expect(await t.db.selectFrom('departments').selectAll().execute()).toEqual([])
    expect(await t.db.selectFrom('time_entries').selectAll().execute()).toEqual([])
  })

  it('treats an impossible date as no date: pages show the current period, the API says what is wrong', async () => {
    const t = await createTestApp()
    const { cookie } = await signInAs(t.db, 'admin')
    for (const path of ['/payroll?period=2020-13-01', '/payroll?period=2020-02-30', '/time-entries?period=2020-13-01', '/time-entries?period=9999-99-99'])
      expect((await get(t.app, path, { cookie })).status).toBe(200)
    expect((await get(t.app, '/payroll/files/iif?period=2020-13-01', { cookie })).status).toBeLessThan(500)
  })

  it('refuses NUL, control characters and lone surrogates in any form field or file name, storing nothing; writers drop them too', async () => {
    const t = await createTestApp()
    const { cookie } = await signInAs(t.db, 'admin')
    // (A lone surrogate cannot even travel in a form: the browser sends U+FFFD. It can in JSON: see the API test.)
    for (const bad of ['Crew\u0000A', 'Crew\u0007', 'Crew\u001b[31m', 'Crew\u0085']) {
      const res = await post(t.app, '/departments', { code: 'X1', name: bad }, { cookie })
      expect(res.status).toBe(400)
      expect(await res.text()).toContain('holds a control character or broken text')
    }
    const file = await postFile(t.app, '/integrations/spreadsheet/employees/upload', 'bad\u0000name.csv', 'a,b\n1,2\n', { cookie })
    expect(file.status).toBe(400)
    expect(await t.db.selectFrom('departments').selectAll().execute()).toEqual([])
    expect(await t.db.selectFrom('integration_uploads').selectAll().execute()).toEqual([])
    // Tabs and line breaks pass where a field allows them.
    expect((await post(t.app, '/departments', { code: 'X2', name: 'Field crew' }, { cookie })).status).toBe(303)
    expect(toCsv(['a'], [['x\u0000y\u0007z']])).toBe('a\r\nxyz\r\n')
    expect(escapeXml('A\u0000B\ud800C & D')).toBe('ABC &amp; D')
  })

  it('accepts a post whose Origin is the public base URL (behind a proxy)', async () => {
    const t = await createTestApp({ PUBLIC_BASE_URL: 'https://clock.example.com' })
    const { cookie } = await signInAs(t.db, 'admin')
    const res = await t.app.request('http://127.0.0.1:3000/departments', {
      method: 'POST',
      body: new URLSearchParams({ code: 'X', name: 'X' }),
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, origin: 'https://clock.example.com' },
    })
    expect(res.status).toBe(303)
    expect(res.headers.get('strict-transport-security')).toContain('max-age')
  })

  it('sends a strict CSP and other security headers', async () => {
    const t = await createTestApp()
    const { cookie } = await signInAs(t.db, 'admin')
    const res = await get(t.app, '/', { cookie })
    const csp = res.headers.get('content-security-policy')!
    expect(csp).toContain("default-src 'self'")
    expect(csp).toContain("script-src 'self'")
    expect(csp).not.toContain('unsafe-inline')
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN')
    expect(res.headers.get('x-request-id')).toBeTruthy()
  })

  it('refuses a body over the limit with 413', async () => {
    const t = await createTestApp({ BODY_LIMIT_BYTES: '2048' })
    const { cookie } = await signInAs(t.db, 'admin')
    const res = await post(t.app, '/departments', { code: 'X', name: 'y'.repeat(5000) }, { cookie })
    expect(res.status).toBe(413)
    expect(await t.db.selectFrom('departments').selectAll().execute()).toEqual([])
  })

  it('shows 404 and 500 pages with the request id, logging the failure as one JSON line', async () => {
    const t = await createTestApp()
    const { cookie } = await signInAs(t.db, 'admin')
    const missing = await get(t.app, '/no/such/page', { cookie })
    expect(missing.status).toBe(404)
    expect(await missing.text()).toContain('404 · Not found')
    await t.db.destroy()
    const broken = await get(t.app, '/healthz')
    expect(broken.status).toBe(503)
    const failing = await get(t.app, '/', { cookie })
    expect(failing.status).toBe(500)
    const html = await failing.text()
    const requestId = failing.headers.get('x-request-id')!
    expect(html).toContain(requestId)
    const line = t.logs.map((l) => JSON.parse(l)).find((l) => l.event === 'unhandled_error')
    expect(line).toMatchObject({ requestId, level: 50 })
  })

  it('serves the vendored htmx 4 and Pico CSS from public/', async () => {
    const t = await createTestApp()
    const htmx = await get(t.app, '/public/vendor/htmx.min.js')
    expect(htmx.status).toBe(200)
    expect(await htmx.text()).toContain('this.version="4.')
    expect((await get(t.app, '/public/vendor/pico.min.css')).status).toBe(200)
    expect((await get(t.app, '/public/app.css')).status).toBe(200)
  })

  it('writes one structured request line per request with its request id', async () => {
    const t = await createTestApp()
    await get(t.app, '/healthz')
    const line = t.logs.map((l) => JSON.parse(l)).find((l) => l.event === 'request')
    expect(line).toMatchObject({ method: 'GET', path: '/healthz', status: 200 })
    expect(line.requestId).toBeTruthy()
  })
})
