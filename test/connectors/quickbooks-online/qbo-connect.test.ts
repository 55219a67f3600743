import { describe, expect, it } from 'vitest'
import { qboHub } from '../../helpers/qbo.js'
import { get, post } from '../../helpers/requests.js'
import { QBO_ID } from '../../../src/connectors/quickbooks-online/connector.js'
import { SIM_CLIENT } from '../../../src/connectors/quickbooks-online/simulator/server.js'

const audit = (h: Awaited<ReturnType<typeof qboHub>>) =>
  h.t.db.selectFrom('audit_log').select(['action', 'summary']).where('entity_id', '=', QBO_ID).orderBy('id').execute()

describe('connecting QuickBooks Online', () => {
  it('runs the authorization-code flow: consent, callback, tokens sealed, realm saved, audited, nothing secret in logs or pages', async () => {
    const h = await qboHub()
    const { callback, response } = await h.connect()
    expect(callback.searchParams.get('realmId')).toBe(h.sim.company.realmId)
    expect(response.status).toBe(303)
    expect(response.headers.get('location')).toBe(`/integrations/${QBO_ID}`)
    const row = await h.connection()
    expect(row).toMatchObject({ status: 'connected', account: h.sim.company.realmId, last_error: null })
    expect(row!.tokens_blob).toMatch(/^v1\./)
    expect(Date.parse(row!.access_expires_at!)).toBeGreaterThan(Date.now() + 50 * 60_000)
    expect((await audit(h)).map((a) => a.action)).toContain('integration.connect')
    const page = await (await get(h.t.app, `/integrations/${QBO_ID}`, { cookie: h.admin.cookie })).text()
    expect(page).toContain('Connected')
    expect(page).toContain(`http://localhost/integrations/${QBO_ID}/oauth/callback`)
    const overview = await (await get(h.t.app, '/integrations', { cookie: h.admin.cookie })).text()
    expect(overview).toMatch(/integration-quickbooks-online[\s\S]*Connected/)
    const secrets = [SIM_CLIENT.clientSecret, ...[...(h.sim as unknown as { refreshTokens: Map<string, string> }).refreshTokens.keys()]]
    for (const s of secrets) {
      expect(h.t.logs.join('')).not.toContain(s)
      expect(page).not.toContain(s)
      expect(row!.tokens_blob).not.toContain(s)
    }
  })

  it('refuses a callback whose state is unknown, reused, or missing, and one without a realm; nothing is stored', async () => {
    const h = await qboHub()
    const forged = await get(h.t.app, `/integrations/${QBO_ID}/oauth/callback?code=abc&state=forged&realmId=123`, { cookie: h.admin.cookie })
    expect(forged.status).toBe(303)
    expect(await h.connection()).toBeUndefined()
    const flash = await (
      await get(h.t.app, `/integrations/${QBO_ID}`, { cookie: `${h.admin.cookie}; ${forged.headers.getSetCookie()[0]!.split(';')[0]}` })
    ).text()
    expect(flash).toContain('this sign-in link is unknown or was already used')

    const { callback } = await h.connect()
    const replay = await get(h.t.app, `${callback.pathname}${callback.search}`, { cookie: h.admin.cookie })
    expect(replay.status).toBe(303)
    expect((await audit(h)).filter((a) => a.action.startsWith('integration.connect') || a.action === 'integration.reconnect')).toHaveLength(1)

    const h2 = await qboHub()
    h2.sim.omitRealmId = true
    await h2.connect()
    expect(await h2.connection()).toBeUndefined()
    const noState = await get(h2.t.app, `/integrations/${QBO_ID}/oauth/callback?code=abc&realmId=1`, { cookie: h2.admin.cookie })
    expect(noState.status).toBe(303)
    expect(await h2.connection()).toBeUndefined()
  })

  it('says so when the admin cancels on the consent page, or the state belongs to another user', async () => {
    const h = await qboHub()
    const denied = await h.connect('deny')
    expect(denied.callback.searchParams.get('error')).toBe('access_denied')
    expect(await h.connection()).toBeUndefined()
    const started = await post(h.t.app, `/integrations/${QBO_ID}/oauth/connect`, {}, { cookie: h.admin.cookie })
    const state = new URL(started.headers.get('location')!).searchParams.get('state')!
    const { signInAs } = await import('../../helpers/test-app.js')
    const other = await signInAs(h.t.db, 'super_admin')
    await get(h.t.app, `/integrations/${QBO_ID}/oauth/callback?code=x&state=${state}&realmId=1`, { cookie: other.cookie })
    expect(await h.connection()).toBeUndefined()
  })

  it('will not start without the client secret, and says which setting is missing', async () => {
    const h = await qboHub()
    await h.t.db.updateTable('integrations').set({ secrets_blob: null }).where('id', '=', QBO_ID).execute()
    const started = await post(h.t.app, `/integrations/${QBO_ID}/oauth/connect`, {}, { cookie: h.admin.cookie })
    expect(started.status).toBe(303)
    const page = await (
      await get(h.t.app, `/integrations/${QBO_ID}`, { cookie: `${h.admin.cookie}; ${started.headers.getSetCookie()[0]!.split(';')[0]}` })
    ).text()
    expect(page).toContain('Client secret is not set')
  })

  it('Test connection reads the company with the saved token and names it; before Connect it says to connect', async () => {
    const h = await qboHub()
    let html = await (await post(h.t.app, `/integrations/${QBO_ID}/connection/test`, {}, { cookie: h.admin.cookie, htmx: true })).text()
    expect(html).toContain('The test failed: QuickBooks Online is not connected. Connect it on the Setup tab.')
    await h.connect()
    html = await (await post(h.t.app, `/integrations/${QBO_ID}/connection/test`, {}, { cookie: h.admin.cookie, htmx: true })).text()
    expect(html).toContain('The connection works: QuickBooks Online answered for Harbor Line Construction.')
    expect(h.sim.log.map((l) => l.path)).toContain(`/companyinfo/${h.sim.company.realmId}`)
  })

  it('disconnects: Intuit revokes the token, the tokens are erased, audited', async () => {
    const h = await qboHub()
    await h.connect()
    const res = await post(h.t.app, `/integrations/${QBO_ID}/connection/disconnect`, {}, { cookie: h.admin.cookie })
    expect(res.status).toBe(303)
    expect(await h.connection()).toMatchObject({ status: 'disconnected', tokens_blob: null })
    expect((h.sim as unknown as { refreshTokens: Map<string, string> }).refreshTokens.size).toBe(0)
    expect((await audit(h)).map((a) => a.action)).toContain('integration.disconnect')
    const run = await h.sync('employees')
    expect(run.status).toBe('failed')
    expect(run.error).toContain('QuickBooks Online is not connected. Connect it on the Setup tab.')
  })
})
