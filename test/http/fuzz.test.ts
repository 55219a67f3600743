import { describe, expect, it } from 'vitest'
import { sql } from 'kysely'
import { createHash } from 'node:crypto'
import type { Db } from '../../src/db/database.js'
import { createTestApp, signInAs } from '../helpers/test-app.js'
import { activateSource } from '../helpers/hub.js'
import { createApiToken } from '../../src/api/tokens.js'
import { systemActor } from '../../src/audit/audit-log.js'

// Malformed values posted to every route as a signed-in Super Admin (so no permission check stops
// them first): no answer is a 5xx, and a refusal (4xx) changes nothing in the database. The values
// come from a seeded generator, so a failure replays exactly.

/** FUZZ_SEED and FUZZ_ROUNDS replay or widen a run (CI uses the defaults). */
const SEED = Number(process.env.FUZZ_SEED ?? 20261206)
const ROUNDS = Number(process.env.FUZZ_ROUNDS ?? 6)

function generator(seed: number) {
  let s = seed
  return () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648
}

const NASTY = [
  '',
  ' ',
  '0',
  '-1',
  '1e309',
  'NaN',
  '99999999999999999999',
  '2020-13-01',
  '2020-02-30',
  '9999-99-99',
  '25:61',
  '<script>alert(1)</script>',
  "' OR 1=1 --",
  '../../etc/passwd',
  'x'.repeat(5000),
  'Ünïcødé ✓ 日本',
  '\u202Eevil',
  '{"a":1}',
  '[]',
  'true',
  '1,2,3',
  '%00',
]

const FIELDS = [
  'name',
  'code',
  'number',
  'email',
  'password',
  'first_name',
  'last_name',
  'employee_number',
  'date',
  'hours',
  'start_time',
  'end_time',
  'employee_id',
  'job_site_id',
  'cost_code_id',
  'department_id',
  'pay_id',
  'note',
  'status',
  'role',
  'role_id',
  'group',
  'ids',
  'all',
  'q',
  'confirm',
  'cron',
  'time_zone',
  'reason',
  'period',
  'token',
  'label',
  'externalId',
  'clientId',
  'companyId',
  'weekStartsOn',
  'payIds',
  'description',
  'company_id',
  'pay_group',
  'hire_date',
  'prefix',
]

/** A hash of every table but those each request may touch (sessions, sign-in counts, an API token's last use): a refused request leaves it as it was. */
async function fingerprint(db: Db): Promise<string> {
  const tables = (
    await sql<{
      name: string
    }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not in ('sessions', 'login_throttle', 'api_tokens', 'kysely_migration', 'kysely_migration_lock')`.execute(
      db,
    )
  ).rows.map((r) => r.name)
  const hash = createHash('sha256')
  for (const t of tables.sort()) hash.update(t).update(JSON.stringify((await sql`select * from ${sql.table(t)}`.execute(db)).rows))
  return hash.digest('hex')
}

describe('malformed input to every route', () => {
  it('never answers 5xx, and a refusal changes nothing', async () => {
    const t = await createTestApp()
    await activateSource(t.db)
    const { cookie, userId } = await signInAs(t.db, 'super_admin')
    const created = await createApiToken(t.db, systemActor('fuzz'), userId, 'fuzz')
    if (!('token' in created)) throw new Error(created.error)
    const random = generator(SEED)
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!
    const routes = [...new Map(t.app.routes.filter((r) => r.method !== 'ALL').map((r) => [`${r.method} ${r.path}`, r])).values()].filter(
      (r) => !r.path.startsWith('/qbwc') && r.path !== '/logout' && !r.path.includes('*'),
    )
    expect(routes.length).toBeGreaterThan(80)
    const failures: string[] = []
    let requests = 0
    const statuses = new Map<number, number>()
    for (const route of routes) {
      for (let round = 0; round < ROUNDS; round++) {
        const path = route.path.replace(/:[a-zA-Z]+(\{[^}]*\})?/g, () => pick(['1', '999999', 'abc', '0', '-3', 'employees', 'spreadsheet']))
        const query = new URLSearchParams(
          Array.from({ length: 2 }, () => [
            pick(['period', 'page', 'q', 'status', 'sort', 'dir', 'target', 'group', 'employee', 'from', 'to', 'removed', 'was']),
            pick(NASTY),
          ]),
        )
        const body = new URLSearchParams(Array.from({ length: 1 + Math.floor(random() * 6) }, () => [pick(FIELDS), pick(NASTY)]))
        const api = route.path.startsWith('/api/')
        // Bodies: a form, JSON, or a multipart upload of random bytes or a malformed sheet.
        const kind = route.method === 'GET' ? 'none' : api ? 'json' : pick(['form', 'form', 'json', 'multipart'] as const)
        let payload: BodyInit | undefined
        if (kind === 'form') payload = body.toString()
        if (kind === 'json') payload = JSON.stringify(Object.fromEntries(body))
        if (kind === 'multipart') {
          const form = new FormData()
          for (const [k, v] of body) form.append(k, v)
          const bytes = pick([
            Buffer.from('a,b\n1,2\n'),
            Buffer.from([0x50, 0x4b, 0x03, 0x04, 1, 2, 3]),
            Buffer.from(Array.from({ length: 64 }, () => Math.floor(random() * 256))),
            Buffer.from('External ID,External ID\nx,y\n'),
            Buffer.from(''),
          ])
          form.append('file', new Blob([bytes]), pick(['a.csv', 'a.xlsx', 'a.txt', 'noext', '../../x.csv']))
          payload = form
        }
        const headers: Record<string, string> = api
          ? { authorization: `Bearer ${created.token}`, 'content-type': 'application/json' }
          : { cookie, 'sec-fetch-site': 'same-origin' }
        if (!api && kind === 'form') headers['content-type'] = 'application/x-www-form-urlencoded'
        if (!api && kind === 'json') headers['content-type'] = 'application/json'
        const init: RequestInit = { method: route.method, headers, body: payload }
        const before = route.method === 'GET' ? null : await fingerprint(t.db)
        const res = await t.app.request(`http://localhost${path}?${query}`, init)
        await res.arrayBuffer()
        requests++
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1)
        if (res.status >= 500) failures.push(`${route.method} ${path}?${query} -> ${res.status}`)
        else if (before && res.status >= 400 && (await fingerprint(t.db)) !== before)
          failures.push(`${route.method} ${path}?${query} -> ${res.status} but the database changed`)
      }
    }
    expect(requests).toBeGreaterThan(300)
    // The values reach the handlers: forms are refused in place (422) and some are accepted (303), not only 404s.
    expect(statuses.get(422) ?? 0).toBeGreaterThan(20)
    expect(statuses.get(303) ?? 0).toBeGreaterThan(10)
    expect(failures).toEqual([])
  }, 120_000)
})
