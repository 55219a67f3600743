import { beforeEach, describe, expect, it } from 'vitest'
import { createTestApp, signInAs, type TestApp } from '../helpers/test-app.js'
import { get, post } from '../helpers/requests.js'
import { actor } from '../helpers/hub.js'
import { groupsOf, resolveMapping, saveMapping } from '../../src/payroll/mapping-service.js'

let t: TestApp
let ana: number
let ken: number
let hourly: number
let overtime: number

beforeEach(async () => {
  t = await createTestApp()
  const now = new Date().toISOString()
  ana = (
    await t.db
      .insertInto('employees')
      .values({ first_name: 'Ana', last_name: 'Garcia', pay_group: 'HOURLY', status: 'active', created_at: now, updated_at: now })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id
  ken = (
    await t.db
      .insertInto('employees')
      .values({ first_name: 'Ken', last_name: 'Ito', pay_group: 'HOURLY', status: 'active', created_at: now, updated_at: now })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id
  hourly = (await t.db.insertInto('payroll_items').values({ name: 'Hourly Rate', created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow())
    .id
  overtime = (
    await t.db.insertInto('payroll_items').values({ name: 'Overtime Rate', created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow()
  ).id
})

describe('payroll item mapping', () => {
  it('maps pay IDs per group; employees use their group, or the default', async () => {
    const { cookie } = await signInAs(t.db, 'admin')
    expect((await get(t.app, '/payroll/mapping?target=file:iif', { cookie })).status).toBe(200)
    const [def] = await groupsOf(t.db, 'file:iif')
    expect(def).toMatchObject({ name: 'Default', is_default: 1 })
    expect(
      (
        await post(
          t.app,
          `/payroll/mapping/save?target=file:iif&group=${def!.id}`,
          { pay_REG: String(hourly), pay_OT: String(overtime), pay_VAC: '' },
          { cookie },
        )
      ).status,
    ).toBe(303)
    expect((await post(t.app, '/payroll/mapping/groups?target=file:iif', { name: 'Union' }, { cookie })).status).toBe(303)
    const union = (await groupsOf(t.db, 'file:iif')).find((g) => g.name === 'Union')!
    await saveMapping(t.db, actor, union.id, { REG: overtime })
    expect((await post(t.app, '/payroll/mapping/employees?target=file:iif', { employee_id: [String(ken)], group: String(union.id) }, { cookie })).status).toBe(
      303,
    )
    const m = await resolveMapping(t.db, 'file:iif')
    expect([m.itemFor(ana, 'REG')?.name, m.itemFor(ana, 'OT')?.name, m.itemFor(ana, 'VAC'), m.itemFor(ken, 'REG')?.name, m.groupOf(ken)]).toEqual([
      'Hourly Rate',
      'Overtime Rate',
      undefined,
      'Overtime Rate',
      'Union',
    ])
    const html = await (await get(t.app, `/payroll/mapping?target=file:iif&group=${def!.id}`, { cookie })).text()
    expect(html).toMatch(/not mapped\)/)
  })

  it('refuses a duplicate group, an unknown payroll item, an empty selection, and a PM (who may not set groups)', async () => {
    const { cookie } = await signInAs(t.db, 'admin')
    await post(t.app, '/payroll/mapping/groups?target=file:csv', { name: 'Union' }, { cookie })
    const dup = await post(t.app, '/payroll/mapping/groups?target=file:csv', { name: 'union' }, { cookie })
    expect(dup.status).toBe(422)
    expect(await dup.text()).toContain('A group named union already exists')
    const [def] = await groupsOf(t.db, 'file:csv')
    const bad = await post(t.app, `/payroll/mapping/save?target=file:csv&group=${def!.id}`, { pay_REG: '9999' }, { cookie })
    expect(bad.status).toBe(422)
    expect(await bad.text()).toContain('Payroll item #9999 does not exist')
    const none = await post(t.app, '/payroll/mapping/employees?target=file:csv', { group: String(def!.id) }, { cookie })
    expect(none.status).toBe(422)
    expect(await t.db.selectFrom('payroll_item_mappings').selectAll().execute()).toEqual([])
    const pm = (await signInAs(t.db, 'pm', 'pm@example.com')).cookie
    expect((await post(t.app, `/payroll/mapping/save?target=file:csv&group=${def!.id}`, { pay_REG: String(hourly) }, { cookie: pm })).status).toBe(403)
    expect((await post(t.app, '/payroll/mapping/groups?target=nowhere', { name: 'X' }, { cookie })).status).toBe(422)
  })
})

describe('reading the mapping writes nothing', () => {
  it('GET /payroll/mapping and GET /payroll store no default group; the first save does', async () => {
    const t = await createTestApp()
    const { cookie } = await signInAs(t.db, 'admin')
    const groups = () => t.db.selectFrom('payroll_item_groups').selectAll().execute()
    expect((await get(t.app, '/payroll/mapping?target=file:iif', { cookie })).status).toBe(200)
    expect((await get(t.app, '/payroll', { cookie })).status).toBe(200)
    expect(await groups()).toEqual([])
    const now = new Date().toISOString()
    const { id } = await t.db
      .insertInto('payroll_items')
      .values({ name: 'Regular', description: null, note: null, source_integration: null, external_id: null, created_at: now, updated_at: now })
      .returning('id')
      .executeTakeFirstOrThrow()
    const saved = await post(t.app, '/payroll/mapping/save?target=file:iif&group=0', { pay_REG: String(id) }, { cookie })
    expect(saved.status).toBe(303)
    expect((await groups()).map((g) => [g.target, g.name, g.is_default])).toEqual([['file:iif', 'Default', 1]])
    expect(await t.db.selectFrom('payroll_item_mappings').select(['pay_id', 'payroll_item_id']).execute()).toEqual([{ pay_id: 'REG', payroll_item_id: id }])
  })
})

describe('the mapping page with many employees', () => {
  it('shows 50 employees a page, finds them by name or number, and keeps the search across pages', async () => {
    const t = await createTestApp()
    const { cookie } = await signInAs(t.db, 'admin')
    const now = new Date().toISOString()
    await t.db
      .insertInto('employees')
      .values(
        Array.from({ length: 120 }, (_, i) => ({
          first_name: `Crew${i}`,
          last_name: `Person${String(i).padStart(3, '0')}`,
          employee_number: String(7000 + i),
          pay_group: 'HOURLY',
          status: 'active' as const,
          created_at: now,
          updated_at: now,
        })),
      )
      .execute()
    const rows = (html: string) => [...html.matchAll(/name="employee_id" value="\d+"/g)].length
    const first = await (await get(t.app, '/payroll/mapping?target=file:iif', { cookie })).text()
    expect(rows(first)).toBe(50)
    expect(first).toContain('120 employees · page 1 of 3')
    const last = await (await get(t.app, '/payroll/mapping?target=file:iif&page=3', { cookie })).text()
    expect(rows(last)).toBe(20)
    expect(last).toContain('Person119, Crew119 (7119)')
    const found = await (await get(t.app, '/payroll/mapping?target=file:iif&q=7042', { cookie })).text()
    expect(rows(found)).toBe(1)
    expect(found).toContain('1 employee matching &quot;7042&quot; · page 1 of 1')
    expect(found).toContain('<td>Default</td>')
  })
})
