import type { Context, MiddlewareHandler } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import type { AppEnv } from '../http/app-env.js'
import { validateSessionToken } from './sessions.js'

export const SESSION_COOKIE = 'clockbridge_session'

export function setSessionCookie(c: Context<AppEnv>, token: string, expiresAt: Date): void {
  setCookie(c, SESSION_COOKIE, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'Lax',
    secure: c.var.config.secureCookies,
    expires: expiresAt,
  })
}

export function clearSessionCookie(c: Context<AppEnv>): void {
  deleteCookie(c, SESSION_COOKIE, { path: '/', secure: c.var.config.secureCookies })
}

/** Loads the signed-in user (or null) for every request; renews the cookie when the expiry slid. */
export function sessionLoader(): MiddlewareHandler<AppEnv> {
  return async function sessionLoader(c, next) {
    c.set('user', null)
    c.set('sessionId', null)
    const token = getCookie(c, SESSION_COOKIE)
    if (token) {
      const session = await validateSessionToken(c.var.db, token, c.var.config.sessionDays)
      if (session) {
        c.set('user', session.user)
        c.set('sessionId', session.sessionId)
        if (session.renewed) setSessionCookie(c, token, session.expiresAt)
      } else {
        clearSessionCookie(c)
      }
    }
    await next()
  }
}
