import type { MiddlewareHandler } from 'hono'
import type { AppEnv } from '../http/app-env.js'
import { isHtmx } from '../http/htmx.js'
import { renderError } from '../http/errors.js'
import type { Permission } from './permissions.js'
import { userFromApiToken } from '../api/tokens.js'

/**
 * Every route declares who may reach it with exactly one of these guards as its first handler.
 * The declaration is attached to the function so a test can walk `app.routes` and prove that no
 * route was forgotten.
 */
export type Access = { kind: 'public' } | { kind: 'signed-in' } | { kind: 'permission'; permission: Permission }

export const ACCESS = Symbol.for('clockbridge.access')

type Guard = MiddlewareHandler<AppEnv> & { [ACCESS]: Access }

function guard(access: Access, handler: MiddlewareHandler<AppEnv>): Guard {
  return Object.assign(handler, { [ACCESS]: access })
}

export function accessOf(handler: unknown): Access | undefined {
  return typeof handler === 'function' ? (handler as Partial<Guard>)[ACCESS] : undefined
}

/** Anyone, signed in or not (sign-in, first-run setup, health check). */
export const anyone = (): Guard => guard({ kind: 'public' }, async (_c, next) => next())

/** Any signed-in user, whatever the role (home, own password, sign out). */
export const signedIn = (): Guard =>
  guard({ kind: 'signed-in' }, async function signedIn(c, next) {
    if (!c.var.user) return askToSignIn(c)
    await next()
  })

/** A signed-in user whose role holds the permission; 403 otherwise, and nothing runs. */
export const requires = (permission: Permission): Guard =>
  guard({ kind: 'permission', permission }, async function requiresPermission(c, next) {
    const user = c.var.user
    if (!user) return askToSignIn(c)
    if (!user.permissions.has(permission)) {
      c.var.log.warn({ event: 'forbidden', userId: user.id, permission, path: c.req.path }, 'permission denied')
      return renderError(c, 403)
    }
    await next()
  })

/**
 * For the JSON API: the same declaration as `requires`, but the user comes from an
 * `Authorization: Bearer` API token (never a cookie), and refusals are JSON (401, 403).
 */
export const apiRequires = (permission: Permission): Guard =>
  guard({ kind: 'permission', permission }, async function apiRequiresPermission(c, next) {
    const header = c.req.header('authorization') ?? ''
    const user = header.startsWith('Bearer ') ? await userFromApiToken(c.var.db, header.slice(7).trim()) : null
    if (!user) {
      c.header('WWW-Authenticate', header ? 'Bearer realm="Clockbridge", error="invalid_token"' : 'Bearer realm="Clockbridge"')
      return c.json(
        {
          error: {
            message: header
              ? 'The API token is not valid (unknown, revoked or expired): create a new one under Your account'
              : 'Send a valid API token: Authorization: Bearer cb_... (create one under Your account)',
          },
        },
        401,
      )
    }
    c.set('user', user)
    if (!user.permissions.has(permission)) {
      c.var.log.warn({ event: 'forbidden', userId: user.id, permission, path: c.req.path }, 'permission denied')
      return c.json({ error: { message: `Not allowed: your role does not have the permission "${permission}"` } }, 403)
    }
    await next()
  })

function askToSignIn(c: Parameters<MiddlewareHandler<AppEnv>>[0]): Response {
  const next = isHtmx(c) ? pathOf(c.req.header('HX-Current-URL')) : c.req.path + new URL(c.req.url).search
  const target = `/login${next ? `?next=${encodeURIComponent(safeNext(next))}` : ''}`
  if (isHtmx(c)) {
    c.header('HX-Redirect', target)
    return c.body(null, 401)
  }
  return c.redirect(target, 303)
}

function pathOf(url: string | undefined): string | undefined {
  if (!url) return undefined
  try {
    const u = new URL(url)
    return u.pathname + u.search
  } catch {
    return undefined
  }
}

/** Only same-site paths are followed after sign-in. */
export function safeNext(next: string | undefined | null): string {
  if (!next) return '/'
  try {
    const url = new URL(next, 'http://x')
    if (url.origin !== 'http://x') return '/'
    const path = url.pathname + url.search
    return path.startsWith('/login') || path.startsWith('/logout') ? '/' : path
  } catch {
    return '/'
  }
}
