import type { MiddlewareHandler } from 'hono'
import type { AppEnv } from './app-env.js'
import { renderError } from './errors.js'

/**
 * CSRF protection for every request that changes something, whatever its content type (a JSON or
 * text/plain body is no safer than a form): it must come from one of our own pages, as the
 * browser says with Sec-Fetch-Site, or with an Origin of this server (or its public URL behind a
 * proxy). The JSON API (bearer tokens, no cookies) and the Web Connector are mounted before this.
 */
export function sameOriginOnly(publicOrigin: string): MiddlewareHandler<AppEnv> {
  return async function sameOriginOnly(c, next) {
    if (c.req.method === 'GET' || c.req.method === 'HEAD' || c.req.method === 'OPTIONS') return next()
    if (c.req.header('sec-fetch-site') === 'same-origin') return next()
    const origin = c.req.header('origin')
    if (origin && (origin === publicOrigin || origin === new URL(c.req.url).origin)) return next()
    c.var.log.warn(
      { event: 'csrf_refused', method: c.req.method, path: c.req.path, origin: origin ?? null, secFetchSite: c.req.header('sec-fetch-site') ?? null },
      'cross-site request refused',
    )
    return renderError(c, 403, 'This request did not come from a Clockbridge page, so it was refused (cross-site request). Reload the page and try again.')
  }
}
