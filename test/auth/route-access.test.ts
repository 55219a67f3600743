import { describe, expect, it } from 'vitest'
import { matchGolden } from '../helpers/golden.js'
import { registeredRoutes } from '../helpers/routes.js'

// The access policy, written down: who may use each route. The permission matrix proves each
// route behaves as its guard declares; this pins the declarations themselves, so a guard changed
// by mistake (a weaker permission, a route made public) fails here until the policy file is
// deliberately updated (UPDATE_GOLDEN=1 npm test -- route-access) and the change reviewed.

describe('access policy', () => {
  it('every route is guarded as test/fixtures/route-access.txt says', async () => {
    const routes = await registeredRoutes()
    const lines = routes.map((r) => {
      const access = !r.access ? 'UNDECLARED' : r.access.kind === 'permission' ? r.access.permission : r.access.kind
      return `${r.method.padEnd(6)} ${r.path.padEnd(60)} ${access}`
    })
    expect(lines.length).toBeGreaterThan(50)
    matchGolden(new URL('../fixtures/route-access.txt', import.meta.url), `${lines.sort().join('\n')}\n`)
  })
})
