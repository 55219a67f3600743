import { describe, expect, it } from 'vitest'
import { intacctHub } from '../../helpers/intacct.js'
import { get, post } from '../../helpers/requests.js'
import { INTACCT_ID, isoDate, weekBegin } from '../../../src/connectors/sage-intacct/connector.js'
import { SIM_INTACCT } from '../../../src/connectors/sage-intacct/simulator/server.js'
import { requestXml } from '../../../src/connectors/sage-intacct/xml-gateway.js'
import { el, leaf } from '../../../src/lib/xml.js'

describe('Sage Intacct XML gateway', () => {
  it('writes the request envelope in the DTD order, with the sender and a session', () => {
    const body = requestXml(
      { ...SIM_INTACCT },
      el('authentication', {}, leaf('sessionid', 'abc..')),
      [el('function', { controlid: 'f1' }, el('getAPISession'))],
      'c1',
      false,
    )
    expect(body).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<request><control><senderid>clockbridge-sim</senderid><password>sender-secret-1</password><controlid>c1</controlid><uniqueid>false</uniqueid><dtdversion>3.0</dtdversion><includewhitespace>false</includewhitespace></control>' +
        '<operation transaction="false"><authentication><sessionid>abc..</sessionid></authentication><content><function controlid="f1"><getAPISession/></function></content></operation></request>',
    )
  })

  it('knows Intacct dates and timesheet weeks', () => {
    expect(isoDate('06/03/2024')).toBe('2024-06-03')
    expect(weekBegin('2024-06-09', 'monday')).toBe('2024-06-03')
    expect(weekBegin('2024-06-09', 'sunday')).toBe('2024-06-09')
    expect(weekBegin('2024-06-07', 'saturday')).toBe('2024-06-01')
  })
})

describe('syncing from Sage Intacct', () => {
  it('opens a session, uses the tenant endpoint it names, and reads readByQuery then readMore until nothing remains', async () => {
    const h = await intacctHub({ employees: 2500 })
    const run = await h.sync('employees')
    expect(run).toMatchObject({ status: 'succeeded', pages: 3, records: 2500, new_count: 2500 })
    expect(h.sim.log.map((l) => [l.endpoint, l.functions.join(',')])).toEqual([
      ['gateway', 'getAPISession'],
      ['tenant', 'readByQuery'],
      ['tenant', 'readMore'],
      ['tenant', 'readMore'],
    ])
    const [first] = await h.staged('employees')
    expect(first!.external_id).toBe('E1001')
    expect(JSON.parse(first!.payload)).toMatchObject({
      employee_number: 'E1001',
      first_name: 'Olivia',
      last_name: 'Hart',
      email: 'olivia.hart@example.com',
      status: 'active',
      hire_date: '2023-04-15',
      department: '100',
    })
  })

  it('maps projects, tasks (by RECORDNO, with their project), departments, vendors and time types', async () => {
    const h = await intacctHub({ projects: 3 })
    for (const m of ['job_sites', 'cost_codes', 'departments', 'companies', 'payroll_items'] as const) expect((await h.sync(m)).status).toBe('succeeded')
    expect((await h.staged('job_sites')).map((s) => [s.external_id, JSON.parse(s.payload).status])).toEqual([
      ['P100', 'active'],
      ['P101', 'active'],
      ['P102', 'disabled'],
    ])
    expect(JSON.parse((await h.staged('cost_codes'))[0]!.payload)).toMatchObject({ code: 'FRAM', name: 'Framing', job_site: 'P100' })
    expect((await h.staged('cost_codes'))[0]!.external_id).toBe('9000')
    expect((await h.staged('payroll_items')).map((s) => s.external_id)).toEqual(['Regular', 'Overtime', 'Double Time', 'PTO', 'Salary'])
  })

  it('renews an expired session once and goes on', async () => {
    const h = await intacctHub({ employees: 1500 })
    h.sim.faults.push({ kind: 'slow', ms: 0 }, { kind: 'expired-session' })
    const run = await h.sync('employees')
    expect(run.status).toBe('succeeded')
    expect(h.sim.log.filter((l) => l.functions[0] === 'getAPISession')).toHaveLength(2)
  })

  it('a failure result fails the run with errorno and description2; nothing staged', async () => {
    const h = await intacctHub()
    h.sim.faults.push(
      { kind: 'slow', ms: 0 },
      { kind: 'failure-result', errorno: 'DL02000001', description2: 'You do not have permission for API operation READ_BY_QUERY on objects of type employee' },
    )
    const run = await h.sync('employees')
    expect(run.status).toBe('failed')
    expect(run.error).toBe(
      'Page 1: Sage Intacct refused the EMPLOYEE read: DL02000001 You do not have permission for API operation READ_BY_QUERY on objects of type employee',
    )
    expect(await h.staged('employees')).toEqual([])
  })

  it('malformed XML, a wrong sender password, and 503s past the retry budget each fail the run with a clear message', async () => {
    const h = await intacctHub()
    h.sim.faults.push({ kind: 'malformed-xml' })
    let run = await h.sync('employees')
    expect(run.error).toMatch(/Sage Intacct sent a response that is not valid XML for the sign-in \(getAPISession\)/)
    for (let i = 0; i < 6; i++) h.sim.faults.push({ kind: 'server-error' })
    run = await h.sync('employees')
    expect(run.error).toContain('Sage Intacct (sign-in (getAPISession)): gave up after 6 attempts; the last answer was HTTP 503')
    await h.t.db
      .updateTable('integrations')
      .set({
        settings: JSON.stringify({
          ...JSON.parse((await h.t.db.selectFrom('integrations').select('settings').where('id', '=', INTACCT_ID).executeTakeFirstOrThrow()).settings),
          senderId: 'someone-else',
        }),
      })
      .where('id', '=', INTACCT_ID)
      .execute()
    run = await h.sync('employees')
    expect(run.error).toContain('XL03000005 Invalid Web Services Authorization')
    expect(run.error).toContain('Check the Web Services sender id and password')
    expect(await h.staged('employees')).toEqual([])
    expect(h.t.logs.join('')).not.toContain(SIM_INTACCT.senderPassword)
    expect(h.t.logs.join('')).not.toContain(SIM_INTACCT.userPassword)
  })

  it('an answer slower than the request timeout is retried, and the run goes on', async () => {
    const h = await intacctHub({ employees: 5 }, { VENDOR_TIMEOUT_SECONDS: '0.3' })
    h.sim.faults.push({ kind: 'slow', ms: 0 }, { kind: 'slow', ms: 700 })
    const run = await h.sync('employees')
    expect(run.status).toBe('succeeded')
    expect(h.t.logs.join('')).toContain('no answer within')
  })

  it('Test connection before the settings were ever saved names what is missing', async () => {
    const h = await intacctHub()
    await h.t.db.updateTable('integrations').set({ settings: '{}', secrets_blob: null }).where('id', '=', INTACCT_ID).execute()
    const html = await (await post(h.t.app, `/integrations/${INTACCT_ID}/connection/test`, {}, { cookie: h.admin.cookie, htmx: true })).text()
    expect(html).toContain('The settings of Sage Intacct are incomplete: Web Services sender id is not set; Company id is not set; User id is not set.')
  })

  it('Test connection signs in, marks the connection healthy and audits the connect; a bad password says so; Disconnect erases the passwords', async () => {
    const h = await intacctHub()
    let res = await post(h.t.app, `/integrations/${INTACCT_ID}/connection/test`, {}, { cookie: h.admin.cookie, htmx: true })
    let html = await res.text()
    expect(html).toContain('The connection works: Sage Intacct answered for harbor-line.')
    expect(html).toContain('Account: <strong>harbor-line</strong>.')
    expect((await h.t.db.selectFrom('audit_log').select('action').where('entity_id', '=', INTACCT_ID).execute()).map((a) => a.action)).toContain(
      'integration.connect',
    )
    const page = await (await get(h.t.app, `/integrations/${INTACCT_ID}`, { cookie: h.admin.cookie })).text()
    expect(page).not.toContain(SIM_INTACCT.userPassword)
    expect(page).not.toContain(SIM_INTACCT.senderPassword)
    await h.t.db
      .updateTable('integrations')
      .set({ settings: JSON.stringify({ ...SIM_INTACCT, senderPassword: undefined, userPassword: undefined, userId: 'nobody' }) })
      .where('id', '=', INTACCT_ID)
      .execute()
    res = await post(h.t.app, `/integrations/${INTACCT_ID}/connection/test`, {}, { cookie: h.admin.cookie, htmx: true })
    html = await res.text()
    expect(html).toContain('The test failed: Sage Intacct did not accept the sign-in')
    expect(html).toContain('Check the company id, user id and password')
    await post(h.t.app, `/integrations/${INTACCT_ID}/connection/disconnect`, {}, { cookie: h.admin.cookie })
    expect((await h.t.db.selectFrom('integrations').select('secrets_blob').where('id', '=', INTACCT_ID).executeTakeFirstOrThrow()).secrets_blob).toBeNull()
    const run = await h.sync('employees')
    expect(run.error).toContain('Web Services sender password, User password not set')
  })
})

describe('Sage Intacct requests at a time', () => {
  it('refuses a value outside 1 to 10 in place, keeping the saved one; blank means 2', async () => {
    const h = await intacctHub()
    const { senderPassword: _s, userPassword: _u, ...plain } = SIM_INTACCT
    const form = { ...plain, endpointUrl: '', weekStartsOn: 'monday' }
    const saved = () => h.t.db.selectFrom('integrations').select('settings').where('id', '=', INTACCT_ID).executeTakeFirstOrThrow()
    const before = await saved()
    for (const bad of ['0', '11', 'two', '1.5']) {
      const res = await post(h.t.app, `/integrations/${INTACCT_ID}/settings`, { ...form, concurrentRequests: bad }, { cookie: h.admin.cookie, htmx: true })
      expect(res.status).toBe(422)
      expect(await res.text()).toMatch(/At least 1|At most 10|Enter a whole number from 1 to 10/)
      expect(await saved()).toEqual(before)
    }
    expect((await post(h.t.app, `/integrations/${INTACCT_ID}/settings`, { ...form, concurrentRequests: '' }, { cookie: h.admin.cookie })).status).toBe(303)
    expect(JSON.parse((await saved()).settings!).concurrentRequests).toBe(2)
  })
})
