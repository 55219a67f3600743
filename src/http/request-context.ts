import type { MiddlewareHandler } from 'hono'
import { getConnInfo } from '@hono/node-server/conninfo'
import type { AppDeps, AppEnv } from './app-env.js'

/** Puts the dependencies, a request-scoped logger and the client address on the context. */
export function requestContext(deps: AppDeps): MiddlewareHandler<AppEnv> {
  return async function requestContext(c, next) {
    c.set('deps', deps)
    c.set('db', deps.db)
    c.set('config', deps.config)
    c.set('clientIp', clientIp(c, deps.config.trustProxy))
    const log = deps.logger.child({ requestId: c.var.requestId })
    c.set('log', log)
    const started = performance.now()
    await next()
    log.info(
      {
        event: 'request',
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        ms: Math.round((performance.now() - started) * 10) / 10,
        userId: c.var.user?.id,
      },
      'request',
    )
  }
}

function clientIp(c: Parameters<MiddlewareHandler<AppEnv>>[0], trustProxy: boolean): string | null {
  if (trustProxy) {
    const forwarded = c.req.header('X-Forwarded-For')?.split(',')[0]?.trim()
    if (forwarded) return forwarded
  }
  try {
    return getConnInfo(c).remote.address ?? null
  } catch {
    return null // no socket: a request made in-process, as tests do
  }
}
