import { describe, expect, it } from 'vitest'
import { CONNECTORS } from '../../../src/connectors/registry.js'
import { createTestApp, signInAs } from '../../helpers/test-app.js'
import { get, post, postFile } from '../../helpers/requests.js'
import { activateSource } from '../../helpers/hub.js'
import { crewRosterConnector, DEMO_AGENT } from './connector.js'
import { seedDemo, startDemoAgents } from '../../../src/demo/demo.js'

// Adding a connector is one folder and one line in the registry: this one lives in the test's
// folder and is registered by the test alone. The hub shows it, mounts its Setup and agent routes
// behind its own guards, stages its sheet and imports it, without a line of hub code naming it.

const BASE = '/integrations/crew-roster'
const roster = ['Badge,First name,Last name,Crew', '101,Ana,Reyes,North', '102,Ben,Okafor,North', '103,Chloe,Nguyen,South'].join('\r\n')

async function crewRosterApp() {
  const t = await createTestApp({}, [...CONNECTORS, crewRosterConnector])
  const admin = await signInAs(t.db, 'super_admin')
  return { t, cookie: admin.cookie }
}

describe('a connector registered from outside the hub (Crew Roster)', () => {
  it('appears on the Overview and renders its own Setup panel; its routes answer only whom the hub lets through', async () => {
    const { t, cookie } = await crewRosterApp()
    expect(await (await get(t.app, '/integrations', { cookie })).text()).toContain('Crew Roster')
    const setup = await (await get(t.app, BASE, { cookie })).text()
    expect(setup).toContain('Download the template')
    expect(setup).toContain('The crew app has not called yet.')
    const template = await get(t.app, `${BASE}/setup/template.csv`, { cookie })
    expect(template.status).toBe(200)
    expect(await template.text()).toMatch(/^Badge,First name,Last name/)
    // An employee may not set up integrations: the hub's guard answers before the connector's route.
    const employee = await signInAs(t.db, 'employee')
    expect((await get(t.app, `${BASE}/setup/template.csv`, { cookie: employee.cookie })).status).toBe(403)
    expect((await get(t.app, `${BASE}/setup/template.csv`)).headers.get('location')).toMatch(/^\/login/)
  })

  it('its agent endpoint is public, reaches its store through the hub, and refuses while it is not activated', async () => {
    const { t, cookie } = await crewRosterApp()
    const refused = await t.app.request('/crew-roster/ping', { method: 'POST' })
    expect(refused.status).toBe(409)
    expect(await refused.json()).toEqual({ ok: false, error: 'Crew Roster is not activated in Clockbridge.' })
    await activateSource(t.db, crewRosterConnector, t.deps.connectors)
    const ping = await t.app.request('/crew-roster/ping', { method: 'POST' })
    expect(ping.status).toBe(200)
    const body = (await ping.json()) as { ok: boolean; at: string }
    expect(body.ok).toBe(true)
    expect(await (await get(t.app, BASE, { cookie })).text()).toContain(`The crew app last called at ${body.at}.`)
    const stored = await t.db.selectFrom('connector_state').select(['key', 'value']).where('integration', '=', 'crew-roster').execute()
    expect(stored).toEqual([{ key: 'agent.lastPing', value: body.at }])
  })

  it('stages its uploaded sheet on SYNC and imports it into Employees', async () => {
    const { t, cookie } = await crewRosterApp()
    await activateSource(t.db, crewRosterConnector, t.deps.connectors)
    expect((await postFile(t.app, `${BASE}/employees/upload`, 'crews.csv', roster, { cookie })).status).toBe(303)
    expect((await post(t.app, `${BASE}/employees/sync`, {}, { cookie })).status).toBe(303)
    await t.deps.runs.idle()
    const run = await t.db.selectFrom('sync_runs').selectAll().where('integration', '=', 'crew-roster').executeTakeFirstOrThrow()
    expect(run).toMatchObject({ status: 'succeeded', new_count: 3 })
    const staged = await t.db.selectFrom('staged_records').select(['id', 'external_id']).orderBy('external_id').execute()
    expect(staged.map((s) => s.external_id)).toEqual(['badge-101', 'badge-102', 'badge-103'])
    const imported = await post(t.app, `${BASE}/employees/import`, { ids: staged.map((s) => String(s.id)) }, { cookie })
    expect(imported.status).toBe(303)
    const employees = await t.db.selectFrom('employees').select(['employee_number', 'first_name', 'last_name']).orderBy('employee_number').execute()
    expect(employees).toEqual([
      { employee_number: '101', first_name: 'Ana', last_name: 'Reyes' },
      { employee_number: '102', first_name: 'Ben', last_name: 'Okafor' },
      { employee_number: '103', first_name: 'Chloe', last_name: 'Nguyen' },
    ])
  })

  it('takes its part in the demo through the contract: activated, its roster uploaded and mapped, its agent started and stopped', async () => {
    const { t, cookie } = await crewRosterApp()
    const banner = await seedDemo(t.deps)
    expect(banner).toContain('Crew Roster has a roster of the demo company uploaded')
    const upload = await t.db
      .selectFrom('integration_uploads')
      .select(['filename', 'content'])
      .where('integration', '=', 'crew-roster')
      .executeTakeFirstOrThrow()
    expect(upload.filename).toBe('roster.csv')
    expect(upload.content.toString().split('\r\n')).toHaveLength(4)
    const mapping = await t.db
      .selectFrom('connector_state')
      .select('value')
      .where('integration', '=', 'crew-roster')
      .where('key', '=', 'mapping:employees')
      .executeTakeFirstOrThrow()
    expect(JSON.parse(mapping.value)).toMatchObject({ fields: { badge: 'Badge', first_name: 'First name', last_name: 'Last name' } })
    expect(await (await get(t.app, BASE, { cookie })).text()).toContain('<span class="badge badge-synced">Activated</span>')
    const state = () =>
      t.db.selectFrom('connector_state').select('value').where('integration', '=', 'crew-roster').where('key', '=', DEMO_AGENT).executeTakeFirst()
    const stop = startDemoAgents(t.deps)
    await expect.poll(async () => (await state())?.value).toBe('running')
    stop()
    await expect.poll(async () => (await state())?.value).toBe('stopped')
    // A second start of the demo uploads nothing again.
    await seedDemo(t.deps)
    expect(
      await t.db.selectFrom('audit_log').select('id').where('action', '=', 'integration.upload').where('entity_id', '=', 'crew-roster').execute(),
    ).toHaveLength(1)
  })
})
