import { accessOf, type Access } from '../../src/auth/access.js'
import { createTestApp } from './test-app.js'

const GLOBAL_MIDDLEWARE_PATHS = ['/*', '/public/*']

export type Route = { method: string; path: string; access: Access | undefined }

/** Every route of the app with the guard it declares (its first handler), the global middleware left out. */
export async function registeredRoutes(): Promise<Route[]> {
  const { app } = await createTestApp()
  const byKey = new Map<string, Route>()
  for (const r of app.routes) {
    if (r.method === 'ALL' && GLOBAL_MIDDLEWARE_PATHS.includes(r.path)) continue
    const key = `${r.method} ${r.path}`
    const route = byKey.get(key) ?? { method: r.method, path: r.path, access: undefined }
    route.access ??= accessOf(r.handler)
    byKey.set(key, route)
  }
  return [...byKey.values()]
}
