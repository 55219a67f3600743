import { beforeEach, describe, expect, it } from 'vitest'
import { createTestApp, signInAs, type TestApp } from '../helpers/test-app.js'
import { get, post } from '../helpers/requests.js'
import { actor } from '../helpers/hub.js'
import { createApiToken, revokeApiToken } from '../../src/api/tokens.js'

let t: TestApp
let token: string
let userId: number
let ana: number

beforeEach(async () => {
  t = await createTestApp()
  ;({ userId } = await signInAs(t.db, 'admin'))
  const created = await createApiToken(t.db, actor, userId, 'time clock')
  if (!('token' in created)) throw new Error(created.error)
  token = created.token
  const now = new Date().toISOString()
  ana = (
    await t.db
      .insertInto('employees')
      .values({ first_name: 'Ana', last_name: 'Garcia', pay_group: 'HOURLY', status: 'active', created_at: now, updated_at: now })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id
})

const api = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  Promise.resolve(
    t.app.request(`http://localhost/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    }),
  )
const entries = () => t.db.selectFrom('time_entries').selectAll().execute()

describe('the API on a new installation', () => {
  it('answers 401 JSON, never a redirect to the first-run page, before any user exists', async () => {
    const fresh = await createTestApp()
    for (const [method, path] of [
      ['GET', '/api/v1/time-entries'],
      ['POST', '/api/v1/time-entries'],
      ['GET', '/api/v1/unknown'],
    ] as const) {
      const res = await fresh.app.request(`http://localhost${path}`, {
        method,
        headers: { 'content-type': 'application/json' },
        body: method === 'POST' ? '{}' : undefined,
      })
      expect(res.headers.get('location')).toBeNull()
      expect(res.headers.get('content-type')).toContain('application/json')
      expect([401, 404]).toContain(res.status)
    }
    expect(await fresh.db.selectFrom('time_entries').selectAll().execute()).toEqual([])
  })
})

describe('the time entries API', () => {
  it('creates an entry once per Idempotency-Key, answering a repeat as the first time', async () => {
    const body = { employee_id: ana, date: '2024-06-03', start_time: '07:00', end_time: '15:30', pay_id: 'REG' }
    const first = await api('POST', '/time-entries', body, { 'idempotency-key': 'clock-88231' })
    expect(first.status).toBe(201)
    const created = (await first.json()) as { data: { id: number; minutes: number; source: string; hours: number } }
    expect(created.data).toMatchObject({ minutes: 510, hours: 8.5, source: 'api' })
    const again = await api('POST', '/time-entries', body, { 'idempotency-key': 'clock-88231' })
    expect(again.status).toBe(201)
    expect(await again.json()).toEqual(created)
    expect(await entries()).toHaveLength(1)
    const other = await api('POST', '/time-entries', { ...body, end_time: '16:00' }, { 'idempotency-key': 'clock-88231' })
    expect(other.status).toBe(409)
    expect(await other.json()).toEqual({ error: { message: expect.stringContaining('already used with a different request') } })
    expect(await entries()).toHaveLength(1)
  })

  it('answers 422 with the fields for a bad entry, writes nothing, and frees the key for the corrected request', async () => {
    const bad = await api('POST', '/time-entries', { employee_id: 999, date: '2024-06-03', hours: 8, pay_id: 'BONUS' }, { 'idempotency-key': 'k1' })
    expect(bad.status).toBe(422)
    expect(await bad.json()).toEqual({
      error: {
        message: 'The time entry was not saved',
        fields: { employee_id: 'Employee #999 does not exist', pay_id: 'Pay ID BONUS does not exist; see Payroll > Pay IDs' },
      },
    })
    expect(await entries()).toEqual([])
    const fixed = await api('POST', '/time-entries', { employee_id: ana, date: '2024-06-03', hours: 8, pay_id: 'REG' }, { 'idempotency-key': 'k2' })
    expect(fixed.status).toBe(201)
    const overlap = await api('POST', '/time-entries', { employee_id: ana, date: '2024-06-03', hours: 17, pay_id: 'REG' })
    expect(overlap.status).toBe(422)
    expect(((await overlap.json()) as { error: { fields: Record<string, string> } }).error.fields.hours).toContain('at most 24 h')
  })

  it('refuses a body that is not JSON, a missing or revoked token, and says why', async () => {
    expect((await api('POST', '/time-entries', '{not json')).status).toBe(400)
    expect((await api('POST', '/time-entries', [1, 2])).status).toBe(400)
    const anonymous = await t.app.request('http://localhost/api/v1/time-entries?from=2024-06-01&to=2024-06-30')
    expect(anonymous.status).toBe(401)
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer realm="Clockbridge"')
    expect(anonymous.headers.get('location')).toBeNull()
    const forged = await t.app.request('http://localhost/api/v1/time-entries?from=2024-06-01&to=2024-06-30', {
      headers: { authorization: 'Bearer cb_not-a-token' },
    })
    expect(forged.status).toBe(401)
    expect(forged.headers.get('www-authenticate')).toContain('error="invalid_token"')
    expect(((await forged.json()) as { error: { message: string } }).error.message).toContain('not valid')
    const nul = await api('POST', '/time-entries', { employee_id: ana, date: '2024-06-03', hours: 8, pay_id: 'REG', note: 'late\u0000start' })
    expect(nul.status).toBe(400)
    expect(((await nul.json()) as { error: { message: string } }).error.message).toContain('"note" holds a control character')
    const surrogate = await t.app.request('http://localhost/api/v1/time-entries', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{"employee_id":' + ana + ',"date":"2024-06-03","hours":8,"pay_id":"REG","note":"x\\ud800y"}',
    })
    expect(surrogate.status).toBe(400)
    const unknown = await api('GET', '/nothing-here')
    expect(unknown.status).toBe(404)
    expect(unknown.headers.get('content-type')).toContain('application/json')
    const ids = await t.db.selectFrom('api_tokens').select('id').execute()
    await revokeApiToken(t.db, actor, userId, ids[0]!.id)
    expect((await api('GET', '/time-entries?from=2024-06-01&to=2024-06-30')).status).toBe(401)
    expect(await entries()).toEqual([])
  })

  it('lists, updates and deletes, and refuses changes in an approved period', async () => {
    const created = (await (await api('POST', '/time-entries', { employee_id: ana, date: '2024-06-03', hours: 8, pay_id: 'REG' })).json()) as {
      data: { id: number }
    }
    const list = await api('GET', `/time-entries?from=2024-06-01&to=2024-06-30&employee_id=${ana}`)
    expect(((await list.json()) as { data: unknown[] }).data).toHaveLength(1)
    expect((await api('GET', '/time-entries?from=2024-06-30&to=2024-06-01')).status).toBe(400)
    const updated = await api('PUT', `/time-entries/${created.data.id}`, { employee_id: ana, date: '2024-06-03', hours: 9.5, pay_id: 'REG', note: 'late pour' })
    expect(await updated.json()).toMatchObject({ data: { minutes: 570, note: 'late pour' } })
    expect((await api('PUT', '/time-entries/999', { employee_id: ana, date: '2024-06-03', hours: 1, pay_id: 'REG' })).status).toBe(404)
    const { cookie } = await signInAs(t.db, 'super_admin')
    await post(t.app, '/payroll/approve?period=2024-06-03', {}, { cookie })
    const locked = await api('DELETE', `/time-entries/${created.data.id}`)
    expect(locked.status).toBe(422)
    expect(await entries()).toHaveLength(1)
    await post(t.app, '/payroll/unlock?period=2024-06-03', { reason: 'correcting a test' }, { cookie })
    expect((await api('DELETE', `/time-entries/${created.data.id}`)).status).toBe(204)
    expect(await entries()).toEqual([])
  })

  it('shows a new token once on the account page, and lists it by its last characters', async () => {
    const { cookie } = await signInAs(t.db, 'pm', 'pm@example.com')
    const res = await post(t.app, '/account/tokens', { name: 'Importer' }, { cookie })
    const html = await res.text()
    const shown = /<code id="new-api-token">(cb_[a-z0-9]+)<\/code>/.exec(html)![1]!
    expect(html).toContain(`…${shown.slice(-4)}`)
    const page = await (await get(t.app, '/account', { cookie })).text()
    expect(page).not.toContain(shown)
    expect((await post(t.app, '/account/tokens', { name: ' ' }, { cookie })).status).toBe(422)
  })
})
