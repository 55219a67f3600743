import type { Context } from 'hono'
import type { Child } from 'hono/jsx'
import { AppLayout } from '../../views/layouts/app-layout.js'
import type { AppEnv } from './app-env.js'
import { wantsFragment } from './htmx.js'

type Status = 200 | 201 | 400 | 403 | 404 | 409 | 413 | 422 | 429 | 500

/** Renders content inside the application layout for the signed-in user. */
export function renderPage(c: Context<AppEnv>, title: string, content: Child, status: Status = 200) {
  return c.html(
    <AppLayout title={title} user={c.var.user} flash={c.var.flash} path={c.req.path}>
      {content}
    </AppLayout>,
    status,
  )
}

/**
 * One URL, two answers: the whole page, or for htmx the fragment the page is built from.
 * `Vary` keeps caches from mixing them up.
 */
export function renderPageOrFragment(c: Context<AppEnv>, title: string, page: () => Child, fragment: () => Child, status: Status = 200) {
  c.header('Vary', 'HX-Request, HX-Request-Type')
  if (wantsFragment(c)) return c.html(<>{fragment()}</>, status)
  return renderPage(c, title, page(), status)
}
