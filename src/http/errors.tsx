import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { ErrorContent, ERROR_TEXT } from '../../views/errors/error-page.js'
import type { AppEnv } from './app-env.js'
import { renderPageOrFragment } from './render.js'

/** The JSON API answers errors in JSON, never with a page or a redirect. */
const isApi = (c: Context<AppEnv>) => c.req.path.startsWith('/api/')

/** The error page for a full request, the same content as a fragment for htmx; JSON for the API. */
export function renderError(c: Context<AppEnv>, status: 400 | 403 | 404 | 413 | 429 | 500, message?: string) {
  if (isApi(c)) return c.json({ error: { message: message ?? ERROR_TEXT[status]?.title ?? 'Error', requestId: c.var.requestId } }, status)
  const content = () => <ErrorContent status={status} message={message} requestId={c.var.requestId} />
  return renderPageOrFragment(c, ERROR_TEXT[status]?.title ?? 'Error', content, content, status)
}

export function notFound(c: Context<AppEnv>) {
  return renderError(c, 404)
}

export function onError(err: Error, c: Context<AppEnv>) {
  // A form or upload body that cannot be parsed (a broken multipart stream, say) is the client's error.
  if (err instanceof TypeError && /parse body as FormData/i.test(err.message)) {
    c.var.log.warn({ event: 'bad_form_body', path: c.req.path, error: err.message }, 'form body could not be parsed')
    return renderError(c, 400, 'The form or file could not be read (the request body was broken or cut off). Reload the page and try again.')
  }
  if (err instanceof HTTPException && err.status < 500) {
    const status = ([400, 403, 404, 413, 429] as const).find((s) => s === err.status) ?? 400
    return renderError(c, status, err.message || undefined)
  }
  c.var.log.error({ event: 'unhandled_error', err, path: c.req.path }, 'request failed')
  return renderError(c, 500)
}
