import type { MiddlewareHandler } from 'hono'
import type { AppEnv } from '../http/app-env.js'
import { isHtmx } from '../http/htmx.js'
import { countUsers } from '../users/service.js'

const OPEN_PATHS = ['/setup', '/healthz']

/** While no user exists every page leads to "Create the first administrator". */
export function firstRunGate(): MiddlewareHandler<AppEnv> {
  let hasUsers = false // once true it stays true: users are disabled, never deleted
  return async function firstRunGate(c, next) {
    if (hasUsers || OPEN_PATHS.includes(c.req.path) || c.req.path.startsWith('/public/') || c.req.path.startsWith('/api/')) return next()
    hasUsers = (await countUsers(c.var.db)) > 0
    if (hasUsers) return next()
    if (isHtmx(c)) {
      c.header('HX-Redirect', '/setup')
      return c.body(null, 204)
    }
    return c.redirect('/setup', 303)
  }
}
