import type { Context } from 'hono'
import type { Actor } from '../audit/audit-log.js'
import type { AppEnv } from './app-env.js'

/** Who makes this request's changes, as the audit log records them: the signed-in user, the address, the request id. */
export function actorOf(c: Context<AppEnv>): Actor {
  const user = c.var.user
  return { userId: user?.id ?? null, actor: user?.email ?? 'anonymous', ip: c.var.clientIp, requestId: c.var.requestId }
}
