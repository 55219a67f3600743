import { describe, expect, it } from 'vitest'
import { qbdHub } from '../../helpers/qbd.js'
import { createTestApp, signInAs } from '../../helpers/test-app.js'
import { get, post } from '../../helpers/requests.js'
import { activateSource } from '../../helpers/hub.js'
import { quickbooksDesktopConnector } from '../../../src/connectors/quickbooks-desktop/connector.js'
import { verifyPassword } from '../../../src/auth/passwords.js'
import { connectorStore } from '../../../src/integrations/connector-store.js'

const PANEL = '/integrations/quickbooks-desktop/setup'

describe('QuickBooks Desktop Setup tab', () => {
  it('sets the Web Connector password, refusing a short one and keeping the old', async () => {
    const t = await createTestApp()
    const { cookie } = await signInAs(t.db, 'admin')
    await activateSource(t.db, quickbooksDesktopConnector, t.deps.connectors)
    const short = await post(t.app, `${PANEL}/password`, { password: 'short' }, { cookie, htmx: true })
    expect(short.status).toBe(422)
    expect(await short.text()).toContain('At least 10 characters')
    expect((await connectorStore(t.db, 'quickbooks-desktop').all())['qbwc.passwordHash']).toBeUndefined()
    const ok = await post(t.app, `${PANEL}/password`, { password: 'a long web connector password' }, { cookie, htmx: true })
    expect(ok.status).toBe(200)
    expect(await ok.text()).toContain('Password saved')
    const hash = (await connectorStore(t.db, 'quickbooks-desktop').all())['qbwc.passwordHash']!
    expect(hash).not.toContain('a long web connector password')
    expect(await verifyPassword(hash, 'a long web connector password')).toBe(true)
    const audit = await t.db.selectFrom('audit_log').select('action').where('action', '=', 'integration.qbwc_password').execute()
    expect(audit).toHaveLength(1)
  })

  it('serves a QWC file for this server: its URL, user name, schedule and a stable FileID, never a password', async () => {
    const t = await createTestApp({ PUBLIC_BASE_URL: 'https://time.example.com' })
    const { cookie } = await signInAs(t.db, 'admin')
    await activateSource(t.db, quickbooksDesktopConnector, t.deps.connectors)
    await post(t.app, '/integrations/quickbooks-desktop/settings', { username: 'ridgeline', runEveryMinutes: '30', companyFile: '' }, { cookie })
    await post(t.app, `${PANEL}/password`, { password: 'a long web connector password' }, { cookie, htmx: true })
    const res = await get(t.app, `${PANEL}/clockbridge.qwc`, { cookie })
    expect(res.headers.get('content-type')).toContain('application/x-qwc')
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="clockbridge.qwc"')
    const qwc = await res.text()
    expect(qwc).toContain('<AppURL>https://time.example.com/qbwc</AppURL>')
    expect(qwc).toContain('<AppSupport>https://time.example.com/integrations/quickbooks-desktop</AppSupport>')
    expect(qwc).toContain('<UserName>ridgeline</UserName>')
    expect(qwc).toContain('<RunEveryNMinutes>30</RunEveryNMinutes>')
    expect(qwc).toContain('<QBType>QBFS</QBType>')
    expect(qwc).toMatch(/<OwnerID>\{[0-9A-F-]{36}\}<\/OwnerID>/)
    expect(qwc).not.toContain('a long web connector password')
    const fileId = /<FileID>(.+)<\/FileID>/.exec(qwc)![1]
    expect(await (await get(t.app, `${PANEL}/clockbridge.qwc`, { cookie })).text()).toContain(`<FileID>${fileId}</FileID>`)
  })

  it('shows how to connect, warns that plain HTTP will be refused, and shows what QuickBooks last said', async () => {
    const h = await qbdHub({ employees: 3 }, await createTestApp({ PUBLIC_BASE_URL: 'http://time.example.com' }))
    const { cookie } = await signInAs(h.t.db, 'admin')
    let html = await (await get(h.t.app, '/integrations/quickbooks-desktop', { cookie })).text()
    expect(html).toContain('QuickBooks Web Connector')
    expect(html).toContain('only connects over HTTPS')
    expect(html).toContain('The Web Connector has not called yet.')
    await h.sync('employees')
    await h.visit()
    html = await (await get(h.t.app, '/integrations/quickbooks-desktop', { cookie })).text()
    expect(html).toContain('Ridgeline Builders LLC')
    expect(html).toContain('QuickBooks Enterprise Solutions: Contractor 23.0, version 33.0')
    expect(html).toContain('13.0')
  })

  it('a queued run says it waits for the Web Connector', async () => {
    const h = await qbdHub()
    const { cookie } = await signInAs(h.t.db, 'admin')
    const res = await post(h.t.app, '/integrations/quickbooks-desktop/employees/sync', {}, { cookie, htmx: true })
    expect(res.status).toBe(202)
    const html = await res.text()
    expect(html).toContain('Waiting for the QuickBooks Web Connector')
    expect(html).toContain('every 5s')
  })
})
