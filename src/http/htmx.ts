import type { Context } from 'hono'

/** True for any request htmx made. */
export function isHtmx(c: Context): boolean {
  return c.req.header('HX-Request') === 'true'
}

/** True when htmx asks for a fragment rather than a whole page (htmx 4's HX-Request-Type). */
export function wantsFragment(c: Context): boolean {
  return isHtmx(c) && c.req.header('HX-Request-Type') !== 'full'
}

/** Navigates after a mutation: HX-Redirect for htmx, 303 See Other for a plain form. */
export function redirectTo(c: Context, url: string): Response {
  if (isHtmx(c)) {
    c.header('HX-Redirect', url)
    return c.body(null, 204)
  }
  return c.redirect(url, 303)
}
