import { describe, expect, it } from 'vitest'
import { sql } from 'kysely'
import { registeredRoutes, type Route } from '../helpers/routes.js'
import { ALL_PERMISSIONS } from '../../src/auth/permissions.js'
import { permissionsOfRole } from '../../src/auth/sessions.js'
import type { Db } from '../../src/db/database.js'
import { createTestApp, signInAs, type RoleKey, type TestApp } from '../helpers/test-app.js'
import { get, post } from '../helpers/requests.js'
import { createApiToken } from '../../src/api/tokens.js'
import { systemActor } from '../../src/audit/audit-log.js'

const ROLES: RoleKey[] = ['super_admin', 'admin', 'pm', 'employee']
/** Row counts of every table but sessions, to prove a refused request changed nothing. */
async function snapshot(db: Db): Promise<Record<string, number>> {
  const tables = [
    'users',
    'roles',
    'role_permissions',
    'settings',
    'audit_log',
    'companies',
    'departments',
    'employees',
    'job_sites',
    'cost_codes',
    'pay_ids',
    'payroll_items',
    'integrations',
    'sync_runs',
    'staged_records',
    'import_batches',
    'sync_schedules',
    'integration_uploads',
    'connector_state',
    'time_entries',
    'pay_periods',
    'api_tokens',
    'idempotency_keys',
  ]
  const counts: Record<string, number> = {}
  for (const t of tables) counts[t] = Number((await sql<{ n: number }>`select count(*) as n from ${sql.table(t)}`.execute(db)).rows[0]!.n)
  return counts
}

const isApi = (route: Route) => route.path.startsWith('/api/')

/** A browser request with the session cookie, or for the JSON API a request with the user's API token. */
const request = (app: Awaited<ReturnType<typeof createTestApp>>['app'], route: Route, cookie?: string, token?: string) => {
  const path = route.path.replace(/:id\b/g, '1')
  if (isApi(route)) {
    const headers: Record<string, string> = { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }
    return Promise.resolve(app.request(`http://localhost${path}`, { method: route.method, headers, ...(route.method === 'GET' ? {} : { body: '{}' }) }))
  }
  return route.method === 'GET' ? get(app, path, { cookie }) : post(app, path, {}, { cookie })
}

/**
 * One app per role, shared by that role's tests (building one per test was most of this file's
 * time). Each test signs in afresh, so a route that signs out or changes the session harms no other,
 * and a refused request is checked against a snapshot taken just before it.
 */
const apps = new Map<string, Promise<TestApp>>()
const appFor = (key: string) => apps.get(key) ?? apps.set(key, createTestApp()).get(key)!

describe('route permissions', async () => {
  const routes = await registeredRoutes()

  it('every registered route declares who may use it', () => {
    const undeclared = routes.filter((r) => !r.access).map((r) => `${r.method} ${r.path}`)
    expect(undeclared).toEqual([])
    expect(routes.length).toBeGreaterThan(50)
  })

  it('every permission in the matrix guards at least one route or is reserved for a later module', () => {
    const used = new Set(routes.flatMap((r) => (r.access?.kind === 'permission' ? [r.access.permission] : [])))
    const later = ['payroll.publish', 'payroll.set_item_group', 'employees.import_export']
    expect(ALL_PERMISSIONS.filter((p) => !used.has(p) && !later.includes(p))).toEqual([])
  })

  for (const route of routes.filter((r) => r.access?.kind !== 'public')) {
    it(`${route.method} ${route.path} sends an anonymous visitor to sign in`, async () => {
      const t = await appFor('anonymous')
      await signInAs(t.db, 'super_admin')
      const res = await request(t.app, route)
      if (isApi(route)) {
        expect(res.status).toBe(401)
        expect(await res.json()).toEqual({ error: { message: expect.stringContaining('API token') } })
        return
      }
      expect(res.status).toBe(303)
      expect(res.headers.get('location')).toMatch(/^\/login/)
    })

    for (const role of ROLES) {
      it(`${route.method} ${route.path} as ${role}`, async () => {
        const t = await appFor(role)
        const { cookie, userId } = await signInAs(t.db, role)
        const created = isApi(route) ? await createApiToken(t.db, systemActor('test'), userId, 'matrix') : undefined
        const token = created && 'token' in created ? created.token : undefined
        const roleRow = await t.db.selectFrom('roles').select(['id', 'key']).where('key', '=', role).executeTakeFirstOrThrow()
        const held = await permissionsOfRole(t.db, roleRow.id, roleRow.key)
        const allowed = route.access?.kind === 'signed-in' || (route.access?.kind === 'permission' && held.has(route.access.permission))
        const before = await snapshot(t.db)
        const res = await request(t.app, route, cookie, token)
        if (allowed) {
          expect(res.status, await res.clone().text()).not.toBe(403)
          expect(res.headers.get('location') ?? '').not.toMatch(/^\/login/)
        } else {
          expect(res.status).toBe(403)
          expect(await res.text()).toContain('Not allowed')
          expect(await snapshot(t.db)).toEqual(before)
        }
      })
    }
  }
})
