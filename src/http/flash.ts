import type { Context, MiddlewareHandler } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import type { AppEnv, Flash } from './app-env.js'

const COOKIE = 'flash'

/** Shows a message on the next page the browser renders (post/redirect/get). */
export function setFlash(c: Context<AppEnv>, message: string, kind: Flash['kind'] = 'success'): void {
  setCookie(c, COOKIE, encodeURIComponent(JSON.stringify({ kind, message })), {
    path: '/',
    httpOnly: true,
    sameSite: 'Lax',
    secure: c.var.config.secureCookies,
    maxAge: 60,
  })
}

export function flashMessages(): MiddlewareHandler<AppEnv> {
  return async function flashMessages(c, next) {
    c.set('flash', null)
    const raw = getCookie(c, COOKIE)
    if (raw && c.req.method === 'GET' && !c.req.header('HX-Request')) {
      c.set('flash', parseFlash(raw))
      deleteCookie(c, COOKIE, { path: '/' })
    }
    await next()
  }
}

function parseFlash(raw: string): Flash | null {
  try {
    const value = JSON.parse(decodeURIComponent(raw)) as Partial<Flash>
    if ((value.kind === 'success' || value.kind === 'error') && typeof value.message === 'string') {
      return { kind: value.kind, message: value.message.slice(0, 500) }
    }
  } catch {
    // a tampered cookie shows nothing
  }
  return null
}
