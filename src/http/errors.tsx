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

/**
 * A body over its limit: 413, then the connection is closed once the client has finished sending
 * (the rest of the body is read and dropped). Closing while it still sends would reset the
 * connection, and the client would never see why.
 */
export async function refuseTooLarge(c: Context<AppEnv>, message?: string) {
  await closeAfterBody(c)
  return renderError(c, 413, message)
}

/** How long, and how much, of a refused body is read and dropped before answering anyway. */
const DRAIN_MS = 10_000
const DRAIN_BYTES = 256 * 1024 * 1024

/**
 * The rest of a refused body is read and dropped before the answer goes, and the connection then
 * closes (see refuseTooLarge); a client that sends on past the bounds is answered regardless.
 */
export async function closeAfterBody(c: Context<AppEnv>): Promise<void> {
  c.header('Connection', 'close')
  const body = c.req.raw.body
  if (!body || body.locked) return
  const reader = body.getReader()
  const until = Date.now() + DRAIN_MS
  let read = 0
  try {
    while (Date.now() < until && read <= DRAIN_BYTES) {
      const chunk = await reader.read()
      if (chunk.done) return
      read += chunk.value.byteLength
    }
  } catch {
    // The client went away: nothing is left to read.
  } finally {
    reader.releaseLock()
  }
}
