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

/**
 * The client's address. Behind `trustProxy` proxies, each appended the address it received the
 * request from to X-Forwarded-For: counting from the right, past the hops our own proxies added,
 * is the first address no proxy of ours vouches for. Anything further left the client wrote itself.
 */
export function clientIp(c: Parameters<MiddlewareHandler<AppEnv>>[0], trustProxy: number): string | null {
  let socket: string | null
  try {
    socket = getConnInfo(c).remote.address ?? null
  } catch {
    socket = null // no socket: a request made in-process, as tests do
  }
  if (trustProxy === 0) return socket
  const forwarded = (c.req.header('X-Forwarded-For') ?? '')
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean)
  // The hops, nearest last: the addresses in the header, then the proxy that connected to us.
  const hops = [...forwarded, ...(socket ? [socket] : [])]
  const untrusted = hops.length - 1 - (socket ? trustProxy : trustProxy - 1)
  return hops[Math.max(0, untrusted)] ?? socket
}
